package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/labfile"
)

func newDownCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop the background lab, wait for it and remove its pid file (a stopped lab is fine)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, d, err := g.logAndDir()
			if err != nil {
				return err
			}
			if err := positive("timeout", timeout); err != nil {
				return err
			}
			return down(d, timeout, log)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 15*time.Second, "how long to wait for a graceful stop before killing the lab")
	return cmd
}

// stopPollDown is how often down looks whether the lab is gone.
const stopPollDown = 50 * time.Millisecond

// down asks the lab to stop (stop file, and SIGTERM where there are
// signals), waits for its process to end, and kills it after timeout if
// lab.run.json proves the pid is the lab's. The lab's state is written on
// every change, so even a killed lab continues where it was.
func down(d labDir, timeout time.Duration, log zerolog.Logger) error {
	pid, err := d.readPID()
	if err != nil {
		return err
	}
	if pid == 0 || !awaitLab(d, pid, timeout) {
		log.Info().Str("dir", d.path).Msg("lab is not running")
		return d.removeRunFiles()
	}
	if r, ok, _ := d.readRun(); !ok || r.PID != pid {
		return fmt.Errorf("process %d (lab.pid) is not a lab that finished starting (lab.run.json does not name it); if no lab runs in %s, remove %s",
			pid, d.path, d.pidFile())
	}
	if err := labfile.WriteBytes(d.stopFile(), []byte(strconv.Itoa(pid)+"\n")); err != nil {
		return fmt.Errorf("request stop: %w", err)
	}
	if err := requestStop(pid); err != nil {
		log.Warn().Err(err).Int("pid", pid).Msg("signal the lab")
	}
	if !waitGone(pid, timeout) {
		if err := forceStop(d, pid, log); err != nil {
			return err
		}
	}
	log.Info().Int("pid", pid).Str("dir", d.path).Msg("lab stopped")
	return d.removeRunFiles()
}

// awaitLab waits while the process pid lives but has not published
// lab.run.json yet (a lab still starting), so down neither signals a
// process it cannot tell is the lab nor leaves a starting lab running.
// It reports whether the process is alive.
func awaitLab(d labDir, pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for processAlive(pid) {
		if r, ok, _ := d.readRun(); ok && r.PID == pid || time.Now().After(deadline) {
			return true
		}
		time.Sleep(stopPollDown)
	}
	return false
}

// forceStop kills a lab that did not stop in time, but only a process
// that lab.run.json names: a pid file alone could name a reused pid.
func forceStop(d labDir, pid int, log zerolog.Logger) error {
	r, ok, _ := d.readRun()
	if !ok || r.PID != pid {
		return fmt.Errorf("process %d (lab.pid) did not stop and lab.run.json does not confirm it is the lab; stop it yourself and remove %s", pid, d.pidFile())
	}
	log.Warn().Int("pid", pid).Msg("the lab did not stop in time; killing it")
	if err := killProcess(pid); err != nil && processAlive(pid) {
		return fmt.Errorf("kill lab process %d: %w", pid, err)
	}
	if !waitGone(pid, 5*time.Second) {
		return fmt.Errorf("lab process %d is still running after kill", pid)
	}
	return nil
}

// waitGone polls until the process is gone or timeout passed.
func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(stopPollDown)
	}
	return true
}

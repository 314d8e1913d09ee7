package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

func newUpCmd(g *globals) *cobra.Command {
	var o initOpts
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the lab in the background (initialising DIR if new) and print lab.env",
		Long: `Start the lab's instances in the background and return once they accept
connections. A new DIR is initialised first (--config, or the default
Persistent Chat topology); an existing DIR continues where it was. Writes
DIR/lab.env, DIR/targets.yaml, DIR/lab.pid and DIR/lab.log, and prints lab.env.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, d, err := g.logAndDir()
			if err != nil {
				return err
			}
			if err := positive("timeout", timeout); err != nil {
				return err
			}
			if err := up(cmd.Context(), d, o, timeout, log); err != nil {
				return err
			}
			return printMaskedEnv(g, d)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long to wait for the instances to accept connections")
	return cmd
}

// up starts the lab in the background unless it already runs. A lab
// process that is still starting (another up) is waited for, never
// started twice.
func up(ctx context.Context, d labDir, o initOpts, timeout time.Duration, log zerolog.Logger) error {
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return fmt.Errorf("create lab dir: %w", err)
	}
	unlock, err := lockUp(d, timeout)
	if err != nil {
		return err
	}
	defer unlock()
	if o.reset {
		// A bad config must not cost the running lab: check it first.
		if _, err := chooseConfig(d, o); err != nil {
			return err
		}
		if err := down(d, timeout, log); err != nil {
			return err
		}
	} else if pid, _ := d.readPID(); pid != 0 && processAlive(pid) {
		return awaitRunning(ctx, d, pid, timeout, log)
	}
	if err := initIfNeeded(d, o, log); err != nil {
		return err
	}
	if err := d.removeRunFiles(); err != nil {
		return err
	}
	child, err := startBackground(d)
	if err != nil {
		return err
	}
	if err := waitReady(ctx, d, child.pid, timeout, child.exited); err != nil {
		child.kill()
		return fmt.Errorf("%w; end of %s:\n%s", err, d.logFile(), child.logTail(d))
	}
	log.Info().Int("pid", child.pid).Str("dir", d.path).Msg("lab up; source " + d.envFile())
	return nil
}

// awaitRunning waits for a lab process that already runs (or is still
// starting) to be ready.
func awaitRunning(ctx context.Context, d labDir, pid int, timeout time.Duration, log zerolog.Logger) error {
	alive := func() error {
		if !processAlive(pid) {
			return fmt.Errorf("lab process %d exited", pid)
		}
		return nil
	}
	if err := waitReady(ctx, d, pid, timeout, alive); err != nil {
		return fmt.Errorf("the lab in %s runs as pid %d but is not ready (%w); see %s or run failover-lab down", d.path, pid, err, d.logFile())
	}
	log.Info().Int("pid", pid).Str("dir", d.path).Msg("lab already running")
	return nil
}

// ready reports whether the lab process pid published lab.run.json and
// every instance accepts connections.
func ready(d labDir, pid int) bool {
	r, ok, err := d.readRun()
	return err == nil && ok && r.PID == pid && dialAll(r.Addrs) == nil
}

// readyPoll is how often up looks whether the lab is ready.
const readyPoll = 100 * time.Millisecond

// waitReady waits until the lab process pid is ready. exited reports a
// process that died meanwhile.
func waitReady(ctx context.Context, d labDir, pid int, timeout time.Duration, exited func() error) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	t := time.NewTicker(readyPoll)
	defer t.Stop()
	for {
		select {
		case <-deadline.C:
			return fmt.Errorf("the lab was not ready within %s", timeout)
		case <-ctx.Done():
			return fmt.Errorf("wait for the lab: %w", ctx.Err())
		case <-t.C:
			if ready(d, pid) {
				return nil
			}
			if err := exited(); err != nil {
				return err
			}
		}
	}
}

// dialAll checks that every address accepts a TCP connection.
func dialAll(addrs map[string]string) error {
	var errs []error
	for _, name := range sortedNames(addrs) {
		c, err := net.DialTimeout("tcp", addrs[name], time.Second)
		if err != nil {
			errs = append(errs, fmt.Errorf("instance %s: %w", name, err))
			continue
		}
		c.Close()
	}
	return errors.Join(errs...)
}

// background is a lab process started by up.
type background struct {
	pid     int
	exitCh  chan error // receives the child's exit while up waits
	exit    error      // the exit, once exited saw it
	logFrom int64      // size of lab.log before the child started
	cmd     *exec.Cmd
}

// startBackground re-executes this program as `serve`, detached, with its
// output appended to lab.log.
func startBackground(d labDir) (*background, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	logf, err := os.OpenFile(d.logFile(), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lab log: %w", err)
	}
	// The child has its own copy of the descriptor; ours is not needed.
	defer logf.Close()
	st, err := logf.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat lab log: %w", err)
	}
	cmd := exec.Command(exe, "serve", "--dir", d.path, "--log-format", "json")
	cmd.Dir = d.path
	cmd.Stdout, cmd.Stderr = logf, logf
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start lab process: %w", err)
	}
	b := &background{pid: cmd.Process.Pid, exitCh: make(chan error, 1), logFrom: st.Size(), cmd: cmd}
	go func() { b.exitCh <- cmd.Wait() }()
	return b, nil
}

// exited returns the child's exit as an error once it ended, nil while
// it runs. It remembers the exit, so kill and later calls still see it.
func (b *background) exited() error {
	if b.exit != nil {
		return b.exit
	}
	select {
	case err := <-b.exitCh:
		b.exit = fmt.Errorf("the lab process exited before it was ready (%v)", err)
		return b.exit
	default:
		return nil
	}
}

// kill ends a child that is not ready and reaps it.
func (b *background) kill() {
	if b.exited() != nil {
		return
	}
	_ = b.cmd.Process.Kill()
	<-b.exitCh
}

// logTailLines is how much of lab.log a failed up shows.
const logTailLines = 20

// logTail is the end of what the child wrote to lab.log.
func (b *background) logTail(d labDir) string {
	f, err := os.Open(d.logFile())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	if _, err := f.Seek(b.logFrom, io.SeekStart); err != nil {
		return "(log unreadable: " + err.Error() + ")"
	}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > logTailLines {
			lines = lines[1:]
		}
	}
	if len(lines) == 0 {
		return "(the log is empty)"
	}
	return strings.Join(lines, "\n")
}

// positive refuses a duration flag of zero or less (exit 2).
func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return usageError{fmt.Errorf("--%s %s: want a positive duration, e.g. 30s", flag, d)}
	}
	return nil
}

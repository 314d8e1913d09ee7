package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
)

// labDir names the files failover-lab keeps in a lab dir, next to the
// simulator's own (lab.yaml, state/, tls/, share/, copy/, faults.yaml,
// statements.log; see internal/lab).
type labDir struct{ path string }

func newLabDir(path string) (labDir, error) {
	if path == "" {
		return labDir{}, usageError{errors.New("no lab dir: give --dir or set FAILOVER_LAB_DIR")}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return labDir{}, fmt.Errorf("resolve lab dir %s: %w", path, err)
	}
	return labDir{path: abs}, nil
}

func (d labDir) file(name string) string { return filepath.Join(d.path, name) }

// The files of a lab dir that this command writes.
func (d labDir) configFile() string  { return d.file("lab.yaml") }
func (d labDir) pidFile() string     { return d.file("lab.pid") }
func (d labDir) runFile() string     { return d.file("lab.run.json") }
func (d labDir) stopFile() string    { return d.file("lab.stop") }
func (d labDir) logFile() string     { return d.file("lab.log") }
func (d labDir) envFile() string     { return d.file("lab.env") }
func (d labDir) targetsFile() string { return d.file("targets.yaml") }
func (d labDir) caFile() string      { return filepath.Join(d.path, "tls", "ca.pem") }

// initialised reports whether lab.Init already ran in the dir.
func (d labDir) initialised() bool {
	_, err := os.Stat(d.configFile())
	return err == nil
}

// runInfo is what a serving lab publishes in lab.run.json once every
// instance accepts connections; up waits for it, status and down read it.
type runInfo struct {
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	// Addrs maps instance names to "127.0.0.1:port".
	Addrs map[string]string `json:"addrs"`
}

func (d labDir) writeRun(r runInfo) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode run info: %w", err)
	}
	return labfile.WriteBytes(d.runFile(), append(b, '\n'))
}

// readRun returns the run info, or ok false when there is none.
func (d labDir) readRun() (r runInfo, ok bool, err error) {
	b, err := os.ReadFile(d.runFile())
	if errors.Is(err, fs.ErrNotExist) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read run info: %w", err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, false, fmt.Errorf("decode %s: %w", d.runFile(), err)
	}
	return r, true, nil
}

func (d labDir) writePID(pid int) error {
	return labfile.WriteBytes(d.pidFile(), []byte(strconv.Itoa(pid)+"\n"))
}

// readPID returns the pid in lab.pid, 0 when there is no pid file.
func (d labDir) readPID() (int, error) {
	b, err := os.ReadFile(d.pidFile())
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("read pid file %s: %q is not a process id", d.pidFile(), strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// removeIfOwned removes the pid and run files when they name pid, so a
// lab that exits never deletes a newer lab's files.
func (d labDir) removeIfOwned(pid int) {
	if p, err := d.readPID(); err == nil && p == pid {
		os.Remove(d.pidFile())
	}
	if r, ok, _ := d.readRun(); ok && r.PID == pid {
		os.Remove(d.runFile())
	}
}

// removeRunFiles removes the pid, run and stop files after the lab is gone.
func (d labDir) removeRunFiles() error {
	var errs []error
	for _, f := range []string{d.pidFile(), d.runFile(), d.stopFile()} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Package proctest helps the tests of code that starts programs
// (internal/proc, actions/exec) show that a whole process tree dies: the
// test binary, re-executed as the program, starts a grandchild that
// appends to a heartbeat file every 10ms; once the tree is killed the
// file stops growing.
package proctest

import (
	"os"
	osexec "os/exec"
	"testing"
	"time"
)

// Life bounds every helper that waits, so that a failing tree-kill test
// does not leave processes running for long.
const Life = time.Minute

// StartHeartbeat starts the test binary again as the heartbeat
// grandchild (mode is the environment assignment that makes the binary's
// TestMain call Heartbeat) appending to file; it inherits our stdout and
// stderr, as a real grandchild would.
func StartHeartbeat(mode, file string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := osexec.Command(self, file)
	cmd.Env = append(os.Environ(), mode)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Start()
}

// Heartbeat is the grandchild: it appends a byte to file every 10ms for
// Life and returns its exit code.
func Heartbeat(file string) int {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 1
	}
	for end := time.Now().Add(Life); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if _, err := f.Write([]byte{'.'}); err != nil {
			return 1
		}
	}
	return 0
}

// WaitForBeats waits until the heartbeat file has n bytes (or a minute).
func WaitForBeats(file string, n int64) {
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(file); err == nil && fi.Size() >= n {
			return
		}
	}
}

// AssertStopped fails t unless the heartbeat file stays the same size for
// half a second: a live grandchild appends every 10ms.
func AssertStopped(t *testing.T, file string) {
	t.Helper()
	size := func() int64 {
		fi, err := os.Stat(file)
		if err != nil {
			return -1
		}
		return fi.Size()
	}
	before := size()
	time.Sleep(500 * time.Millisecond)
	if after := size(); after != before {
		t.Errorf("grandchild still running: heartbeat grew from %d to %d bytes", before, after)
	}
}

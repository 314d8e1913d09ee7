//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// signalWait bounds the wait for a signalled command to exit: a command
// that does not exit at the first signal stays blocked (its output is a
// pipe nobody reads) and fails the test after it.
const signalWait = 30 * time.Second

// TestSignalEndsReadOnlyCommands runs validate, plan and graph in a
// helper process whose stdout is a pipe the test stops reading: once the
// first byte arrives the command has its signal handling in place and
// soon blocks on the full pipe, where only a signal can end it. SIGINT
// must end it with 130, SIGTERM with 143, at the first signal.
func TestSignalEndsReadOnlyCommands(t *testing.T) {
	dir := t.TempDir()
	valid, invalid := filepath.Join(dir, "valid.yaml"), filepath.Join(dir, "invalid.yaml")
	writeSteps(t, valid, "exec.run", 3000)       // plan and graph print far more than a pipe holds
	writeSteps(t, invalid, "exec.nothing", 3000) // as does validate, one error per step
	tests := []struct {
		name string
		args []string
		sig  syscall.Signal
		want int
	}{
		{"validate, SIGINT", []string{"validate", invalid}, syscall.SIGINT, 130},
		{"validate, SIGTERM", []string{"validate", invalid}, syscall.SIGTERM, 143},
		{"plan, SIGINT", []string{"plan", valid}, syscall.SIGINT, 130},
		{"plan, SIGTERM", []string{"plan", valid}, syscall.SIGTERM, 143},
		{"graph, SIGINT", []string{"graph", valid}, syscall.SIGINT, 130},
		{"graph, SIGTERM", []string{"graph", valid}, syscall.SIGTERM, 143},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitOnSignal(t, tt.args, tt.sig); got != tt.want {
				t.Fatalf("exit code %d, want %d", got, tt.want)
			}
		})
	}
}

// writeSteps writes a plan of n steps of the given action.
func writeSteps(t *testing.T, path, action string, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nname: signals\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: step-%d\n    action: %s\n    with: { program: echo, args: [%d] }\n", i, action, i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// exitOnSignal runs the CLI with args, sends sig once it has begun to
// write, and returns its exit code.
func exitOnSignal(t *testing.T, args []string, sig syscall.Signal) int {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1")
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	if _, err := r.Read(make([]byte, 1)); err != nil {
		t.Fatalf("no output from %v: %v", args, err)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(signalWait):
		cmd.Process.Kill()
		t.Fatalf("%v still running %s after %v", args, signalWait, sig)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%v: %v, want an exit code", args, err)
	}
	return ee.ExitCode()
}

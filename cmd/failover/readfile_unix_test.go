//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFilesRefused names a named pipe as a plan, as a base plan and
// as a --vars-file: each is refused at once (exit 1 for an invalid plan,
// 2 for a bad flag), with what it is, instead of waiting for a writer.
func TestSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	good := writeFile(t, dir, "good.yaml", goodPlan)
	extends := writeFile(t, dir, "extends.yaml", "version: 1\nname: x\nextends: fifo\nsteps: []\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"validate a pipe", []string{"validate", fifo}, exitFailed, fifo + " is a named pipe, not a regular file"},
		{"validate, extends a pipe", []string{"validate", extends}, exitFailed, "read base plan: " + fifo + " is a named pipe"},
		{"validate, --vars-file a pipe", []string{"validate", "--vars-file", fifo, good}, exitUsage, "read --vars-file: " + fifo + " is a named pipe"},
		{"plan, --vars-file a pipe", []string{"plan", "--vars-file", fifo, good}, exitUsage, "read --vars-file: " + fifo + " is a named pipe"},
		{"graph a pipe", []string{"graph", fifo}, exitUsage, fifo + " is a named pipe"},
		{"plan, --vars-file /dev/zero", []string{"plan", "--vars-file", "/dev/zero", good}, exitUsage, "/dev/zero is a character device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				code           int
				stdout, stderr string
			}
			done := make(chan result, 1)
			go func() {
				code, stdout, stderr := cli(t, tt.args...)
				done <- result{code, stdout, stderr}
			}()
			select {
			case r := <-done:
				if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
					t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, tt.want, r.stdout, r.stderr)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%v still running after 30 s", tt.args)
			}
		})
	}
}

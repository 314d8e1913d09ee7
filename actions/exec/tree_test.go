package exec

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The helper program starts a grandchild that appends to a heartbeat
// file every 10ms. After run returns, the file must stop growing: the
// grandchild died with the program.

func TestRunKillsTheProcessTreeOnCancel(t *testing.T) {
	beat := filepath.Join(t.TempDir(), "beat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitForBeats(beat, 5)
		cancel()
	}()
	_, err := run(ctx, testEnv(&bytes.Buffer{}), helperParams(t, "tree", beat))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertStopped(t, beat)
}

func TestRunKillsWhatTheProgramLeftRunning(t *testing.T) {
	beat := filepath.Join(t.TempDir(), "beat")
	out, err := run(context.Background(), testEnv(&bytes.Buffer{}), helperParams(t, "tree", beat, "exit"))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if out["exit_code"] != int64(0) {
		t.Errorf("exit_code = %v, want 0", out["exit_code"])
	}
	assertStopped(t, beat)
}

// waitForBeats waits until the heartbeat file has n bytes (or a minute).
func waitForBeats(file string, n int64) {
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(file); err == nil && fi.Size() >= n {
			return
		}
	}
}

// assertStopped fails unless the heartbeat file stays the same size for
// half a second: a live grandchild appends every 10ms.
func assertStopped(t *testing.T, file string) {
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

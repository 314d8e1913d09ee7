package exec

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/internal/proctest"
)

// The helper program starts a grandchild that appends to a heartbeat
// file every 10ms. After run returns, the file must stop growing: the
// grandchild died with the program.

func TestRunKillsTheProcessTreeOnCancel(t *testing.T) {
	beat := filepath.Join(t.TempDir(), "beat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		proctest.WaitForBeats(beat, 5)
		cancel()
	}()
	_, err := run(ctx, testEnv(&bytes.Buffer{}), helperParams(t, "tree", beat))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	proctest.AssertStopped(t, beat)
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
	proctest.AssertStopped(t, beat)
}

package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proctest"
)

// helperEnv selects what the test binary does when a test re-executes it
// (the standard re-exec pattern: no shell scripts, the same on every OS).
const helperEnv = "FAILOVER_PROC_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(helperMain(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func helperMain(mode string, args []string) int {
	switch mode {
	case "cat": // stdin to stdout, then exit args[0]
		io.Copy(os.Stdout, os.Stdin)
		code, _ := strconv.Atoi(args[0])
		return code
	case "print": // args[0] to stdout as it is, args[1] to stderr
		fmt.Print(args[0])
		fmt.Fprint(os.Stderr, args[1])
		return 0
	case "tree": // a heartbeat grandchild, then wait
		if err := proctest.StartHeartbeat(helperEnv+"=heartbeat", args[0]); err != nil {
			return 1
		}
		time.Sleep(proctest.Life)
		return 0
	case "heartbeat":
		return proctest.Heartbeat(args[0])
	}
	return 2
}

// helper returns a Command that runs the test binary in a helper mode.
func helper(t *testing.T, log io.Writer, mode string, args ...string) *Command {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Command{Program: self, Args: args, Env: append(os.Environ(), helperEnv+"="+mode),
		Log: zerolog.New(log), MaxOutput: 1000, MaxCapture: 1000,
		Redact: strings.NewReplacer("hunter2", "***").Replace}
}

func TestRunStdinExitCodeAndCapture(t *testing.T) {
	var log bytes.Buffer
	c := helper(t, &log, "cat", "3")
	c.Stdin = strings.NewReader("noise\n<<<R>>>{\"pw\":\"hunter2\"}\nlast hunter2\n")
	c.Capture = "<<<R>>>"
	res, err := Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 {
		t.Errorf("exit code = %d, want 3", res.ExitCode)
	}
	if len(res.Captured) != 1 || res.Captured[0] != `<<<R>>>{"pw":"hunter2"}` {
		t.Errorf("captured %q", res.Captured)
	}
	if res.Stdout != "noise\nlast ***" {
		t.Errorf("stdout = %q", res.Stdout)
	}
	if strings.Contains(log.String(), "hunter2") || strings.Contains(log.String(), "<<<R>>>") {
		t.Errorf("log shows the secret or the captured line:\n%s", log.String())
	}
}

func TestRunLastStderrLine(t *testing.T) {
	res, err := Run(context.Background(), helper(t, io.Discard, "print", "out", "first\nsecond: hunter2\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.LastStderr != "second: ***" {
		t.Errorf("last stderr line = %q", res.LastStderr)
	}
}

func TestRunProgramNotFound(t *testing.T) {
	_, err := Run(context.Background(), &Command{Program: "failover-no-such-program", MaxOutput: 10})
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "failover-no-such-program") {
		t.Errorf("err = %v (%s), want a permanent error naming the program", err, actions.ClassOf(err))
	}
}

func TestRunTimeoutKillsTheTree(t *testing.T) {
	beat := filepath.Join(t.TempDir(), "beat")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		proctest.WaitForBeats(beat, 5)
		cancel()
	}()
	_, err := Run(ctx, helper(t, io.Discard, "tree", beat))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	proctest.AssertStopped(t, beat)
}

func TestWaitResult(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{name: "exit 0", ctx: context.Background()},
		{name: "exit 0, then cancelled: still a success", ctx: cancelled},
		{name: "output held open after exit 0", ctx: context.Background(), err: osexec.ErrWaitDelay},
		{name: "killed by cancellation", ctx: cancelled, err: errors.New("signal: killed"), want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := waitResult(tt.ctx, "prog", tt.err, &Result{})
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("waitResult = %v, want %v", err, tt.want)
			}
		})
	}
}

// Package proc runs a program as a process tree for the actions that
// start programs (exec.run, exec.check, ps.invoke, ps.check).
//
// The program starts in a group of its own (a process group on Unix, a job
// object on Windows): when the context ends, the whole tree is killed, and
// whatever the program leaves running when it exits is killed too. Its
// stdout and stderr go to the log line by line with secrets masked, and
// the end of each is kept for the step's outputs.
//
// Masking works on text, not on writes: a secret that arrives in two
// chunks, or one that spans several lines, is masked whole. To make that
// possible a line is logged only once HoldBytes of output followed it,
// once the stream has been quiet for IdleFlush, or at the end; so a
// multi-line secret longer than HoldBytes, or one whose parts the program
// writes more than IdleFlush apart, could be logged in part.
package proc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	osexec "os/exec"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
)

// waitDelay bounds how long Wait waits for the output pipes to close
// after the program exited or was killed: a process that escaped the
// tree kill (or was started detached) must not hang the step.
const waitDelay = 2 * time.Second

// Command is one program to run.
type Command struct {
	// Program is a name looked up in PATH, or a path.
	Program string
	Args    []string
	// Dir is the working directory ("": the current one).
	Dir string
	// Env is the whole environment; nil inherits failover's.
	Env []string
	// Stdin is the program's standard input; nil is empty.
	Stdin io.Reader
	// Log receives every output line, with a "stream" field.
	Log zerolog.Logger
	// Redact masks secrets; nil masks nothing.
	Redact func(string) string
	// MaxOutput is how many bytes of the end of each stream Result keeps.
	MaxOutput int
	// Capture, if set, marks stdout lines the caller wants whole: a line
	// that contains it is neither logged nor kept in the tail, but
	// returned in Result.Captured, unmasked, up to MaxCapture bytes.
	Capture    string
	MaxCapture int
	// Started, if set, is told the tree right after it started (to
	// journal it). An error kills the tree and fails the run.
	Started func(actions.ProcessInfo) error
}

// Result is what one run of a program produced.
type Result struct {
	ExitCode int
	// Stdout and Stderr are the last MaxOutput bytes of each stream,
	// secrets masked, trailing newlines removed.
	Stdout, Stderr string
	// LastStderr is the last non-blank line of stderr, masked and
	// shortened for an error message.
	LastStderr string
	// Captured are the stdout lines that contained Command.Capture, in
	// order, without their line ends.
	Captured []string
	// CaptureOverflow says a captured line was longer than MaxCapture
	// and was dropped.
	CaptureOverflow bool
}

// Run runs the program to its end. A non-zero exit is a result, not an
// error; errors are a program that cannot start (marked permanent when
// it cannot be found or executed) and a cancelled or timed-out context
// (the process tree is killed then).
func Run(ctx context.Context, c *Command) (*Result, error) {
	redact := c.Redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	cmd := osexec.CommandContext(ctx, c.Program, c.Args...)
	if cmd.Err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("find program %s: %w", c.Program, cmd.Err))
	}
	cmd.Dir, cmd.Env, cmd.Stdin = c.Dir, c.Env, c.Stdin
	cmd.WaitDelay = waitDelay
	var logMu sync.Mutex
	stdout := newStream("stdout", &logMu, c.Log, redact, c.MaxOutput)
	stdout.capture, stdout.maxCapture = c.Capture, c.MaxCapture
	stderr := newStream("stderr", &logMu, c.Log, redact, c.MaxOutput)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	tree, err := newTree(cmd)
	if err != nil {
		return nil, fmt.Errorf("prepare process tree for %s: %w", c.Program, err)
	}
	defer tree.release()
	if err := tree.start(); err != nil {
		return nil, startError(c.Program, err)
	}
	logMu.Lock() // the streams may already be logging
	c.Log.Debug().Int("pid", cmd.Process.Pid).Str("program", c.Program).Msg("started")
	logMu.Unlock()
	if c.Started != nil {
		info := actions.ProcessInfo{PID: cmd.Process.Pid, Group: tree.group(), Command: commandLine(c.Program, c.Args),
			Start: StartTime(cmd.Process.Pid)}
		if err := c.Started(info); err != nil {
			_ = tree.kill()
			_ = cmd.Wait()
			return nil, fmt.Errorf("record process %d of %s: %w", cmd.Process.Pid, c.Program, err)
		}
	}
	waitErr := cmd.Wait()
	stdout.flush()
	stderr.flush()
	res := &Result{Stdout: stdout.text(), Stderr: stderr.text(), LastStderr: stderr.lastLine(),
		Captured: stdout.captured, CaptureOverflow: stdout.overflow}
	return res, waitResult(ctx, c.Program, waitErr, res)
}

// waitResult interprets cmd.Wait's error and fills res.ExitCode. A
// program that exited 0 succeeded even if the context ended just after.
func waitResult(ctx context.Context, program string, err error, res *Result) error {
	var exitErr *osexec.ExitError
	switch {
	case err == nil, errors.Is(err, osexec.ErrWaitDelay):
		// ErrWaitDelay: the program exited 0 but something it started
		// held its output open; the tree release kills it.
		res.ExitCode = 0
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("run %s: killed with its child processes: %w", program, ctx.Err())
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
		return nil
	}
	return fmt.Errorf("wait for %s: %w", program, err)
}

// startError classifies a failure to start: a missing program or
// directory, or one we may not execute, will not fix itself.
func startError(program string, err error) error {
	err = fmt.Errorf("start %s: %w", program, err)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, osexec.ErrNotFound) {
		return actions.MarkPermanent(err)
	}
	return err
}

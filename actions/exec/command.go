package exec

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	osexec "os/exec"
	"sort"
	"sync"
	"time"

	"github.com/failover-dev/failover/actions"
)

// waitDelay bounds how long Wait waits for the output pipes to close
// after the program exited or was killed: a process that escaped the
// tree kill (or was started detached) must not hang the step.
const waitDelay = 2 * time.Second

// result is what one run of a program produced.
type result struct {
	exitCode   int
	stdout     string
	stderr     string
	lastStderr string
}

// runCommand runs the program to its end. A non-zero exit is a result,
// not an error; errors are a program that cannot start and a cancelled
// or timed-out context (the process tree is killed then).
func runCommand(ctx context.Context, env *actions.Env, p *Params) (*result, error) {
	redact := env.Redact
	if redact == nil {
		redact = func(s string) string { return s }
	}
	cmd := osexec.CommandContext(ctx, p.Program, p.Args...)
	if cmd.Err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("find program %s: %w", p.Program, cmd.Err))
	}
	if err := checkDir(p.Dir); err != nil {
		return nil, actions.MarkPermanent(err)
	}
	cmd.Dir = p.Dir
	cmd.Env = mergeEnv(os.Environ(), p.Env)
	cmd.WaitDelay = waitDelay
	var logMu sync.Mutex
	stdout := newStream("stdout", &logMu, env.Log, redact, p.MaxOutput)
	stderr := newStream("stderr", &logMu, env.Log, redact, p.MaxOutput)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	tree, err := newTree(cmd)
	if err != nil {
		return nil, fmt.Errorf("prepare process tree for %s: %w", p.Program, err)
	}
	defer tree.release()
	if err := tree.start(); err != nil {
		return nil, startError(p.Program, err)
	}
	logMu.Lock() // the streams may already be logging
	env.Log.Debug().Int("pid", cmd.Process.Pid).Str("program", p.Program).Msg("started")
	logMu.Unlock()
	waitErr := cmd.Wait()
	stdout.flush()
	stderr.flush()
	res := &result{stdout: stdout.text(), stderr: stderr.text(), lastStderr: stderr.lastLine()}
	return res, waitResult(ctx, p.Program, waitErr, res)
}

// waitResult interprets cmd.Wait's error and fills res.exitCode. A
// program that exited 0 succeeded even if the context ended just after.
func waitResult(ctx context.Context, program string, err error, res *result) error {
	var exitErr *osexec.ExitError
	switch {
	case err == nil, errors.Is(err, osexec.ErrWaitDelay):
		// ErrWaitDelay: the program exited 0 but something it started
		// held its output open; the tree release kills it.
		res.exitCode = 0
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("run %s: killed with its child processes: %w", program, ctx.Err())
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
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

// checkDir fails unless dir is empty or an existing directory. The
// start error would say less, and differently on each OS.
func checkDir(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("use working directory: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("use working directory %s: not a directory", dir)
	}
	return nil
}

// mergeEnv returns base with the overrides applied, or nil (inherit
// the environment unchanged) when there are none. Keys are applied in
// sorted order so the result is deterministic.
func mergeEnv(base []string, overrides map[string]string) []string {
	if len(overrides) == 0 {
		return nil
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := append([]string(nil), base...)
	for _, k := range keys {
		out = append(out, k+"="+overrides[k])
	}
	return out
}

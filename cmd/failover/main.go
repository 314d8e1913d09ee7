// Command failover runs disaster-recovery runbooks written as YAML plans.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/failover-dev/failover/engine"
)

// The exit codes of every command: the engine's one table (DESIGN.md
// "CLI"), named for the commands.
const (
	exitOK          = engine.ExitOK          // done; for validate: valid
	exitFailed      = engine.ExitFailed      // a step failed; for validate: invalid
	exitUsage       = engine.ExitCannotRun   // bad usage, or a plan that cannot run before anything ran
	exitWaiting     = engine.ExitWaiting     // waiting for the operator (approval or in-doubt step)
	exitInterrupted = engine.ExitInterrupted // interrupted by Ctrl-C (apply, resume: or SIGTERM)
	exitTerminated  = engine.ExitTerminated  // validate, plan, graph, …: ended by SIGTERM (128 + 15)
)

// exitError carries the exit code an error must end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode attaches an exit code to err; nil stays nil.
func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// silentError ends the process with a code without printing anything more:
// the command has already said what went wrong (diagnostics, a summary).
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var ee *exitError
	var se *silentError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se):
		return se.code
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	// Anything else came from cobra's argument and flag parsing.
	return exitUsage
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI with args and returns the exit code. For apply
// and resume the first SIGINT or SIGTERM cancels the context, so running
// steps are cancelled and the journal records it, and a second one exits
// at once; any other command exits at the first (watchSignals).
func run(args []string) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := newApp(os.Stdin, os.Stdout, os.Stderr)
	root := newRootCmd(a)
	root.SetArgs(args)
	defer watchSignals(root, args, cancel, os.Stderr)()
	err := root.ExecuteContext(ctx)
	a.closeState()
	if err != nil {
		// A reader that went away (| head) chose to stop reading: the
		// broken pipe is not news to anyone.
		var se *silentError
		if !errors.As(err, &se) && !errors.Is(err, syscall.EPIPE) {
			fmt.Fprintf(os.Stderr, "failover: %s\n", err)
		}
	}
	return exitCode(err)
}

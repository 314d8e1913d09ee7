package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/plans"
)

// The exit codes of DESIGN.md "CLI", as ExitCode returns them.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitCannotRun   = 2
	ExitWaiting     = 3
	ExitInterrupted = 130
	// ExitTerminated ends a command that is not a run (validate, plan,
	// graph, …) at the first SIGTERM: 128 + 15.
	ExitTerminated = 143
)

// StepError is a step that failed: its last attempt's error.
type StepError struct {
	Step string
	// Target is the step's target ("" : none).
	Target string
	Pos    plans.Pos
	// Attempts is how many attempts ran.
	Attempts int
	Err      error
}

// Error names the step, its target and position, its attempts and its
// last error.
func (e *StepError) Error() string {
	var where []string
	if e.Target != "" {
		where = append(where, "target "+e.Target)
	}
	if e.Pos.File != "" {
		where = append(where, posString(e.Pos))
	}
	at := ""
	if len(where) > 0 {
		at = " (" + strings.Join(where, ", ") + ")"
	}
	if e.Attempts == 0 {
		return fmt.Sprintf("step %s failed before its action ran%s: %v", e.Step, at, e.Err)
	}
	return fmt.Sprintf("step %s failed after %d attempt(s)%s: %v", e.Step, e.Attempts, at, e.Err)
}

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }

// CannotRunError says the run could not start, before any step ran: a
// missing secret, a failed preflight, a held lock, an unfinished run, a
// changed plan. It maps to exit 2.
type CannotRunError struct{ Err error }

// Error returns the reason.
func (e *CannotRunError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *CannotRunError) Unwrap() error { return e.Err }

func cannotRun(err error) error { return &CannotRunError{Err: err} }

// CheckFailure is one failing check of a preflight.
type CheckFailure struct {
	Check  string
	Pos    plans.Pos
	Detail string
}

// PreflightError lists every failing preflight check.
type PreflightError struct{ Failures []CheckFailure }

// Error lists every failing check with its position.
func (e *PreflightError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "preflight failed: %d check(s) did not pass, nothing ran", len(e.Failures))
	for _, f := range e.Failures {
		fmt.Fprintf(&b, "\n  %s: %s: %s", posString(f.Pos), f.Check, f.Detail)
	}
	return b.String()
}

// WaitingError says the run stopped to wait for the operator: an approval
// or in-doubt steps. Message tells exactly what to do. It maps to exit 3.
type WaitingError struct {
	// Step is the first step waiting.
	Step string
	// Reason is "approval" or "in-doubt".
	Reason  string
	Message string
}

// Error returns the message for the operator.
func (e *WaitingError) Error() string { return e.Message }

// InterruptedError says the run was cancelled (Ctrl-C, SIGTERM); the
// journal records it. It unwraps to context.Canceled and maps to exit 130.
type InterruptedError struct {
	RunID string
	// Plan names the plan as the operator gives it to resume.
	Plan string
	// NothingRan: interrupted before the run's journal existed (during
	// preflight), so there is nothing to resume.
	NothingRan bool
}

// Error says how to continue.
func (e *InterruptedError) Error() string {
	if e.NothingRan {
		return fmt.Sprintf("run %s interrupted before any step ran; nothing to resume", e.RunID)
	}
	return fmt.Sprintf("run %s interrupted; continue it with `failover resume %s`", e.RunID, e.Plan)
}

// Unwrap returns context.Canceled.
func (e *InterruptedError) Unwrap() error { return context.Canceled }

// ExitCode maps an error of Run, Resume or their helpers to the exit code
// of DESIGN.md: 0 done, 1 a step failed, 2 cannot run, 3 waiting for the
// operator, 130 interrupted.
func ExitCode(err error) int {
	var ie *InterruptedError
	var we *WaitingError
	var ce *CannotRunError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ie):
		return ExitInterrupted
	case errors.As(err, &we):
		return ExitWaiting
	case errors.As(err, &ce):
		return ExitCannotRun
	}
	return ExitFailed
}

package engine

import (
	"errors"
	"fmt"
	"strings"
)

// verifyError is a verify that failed after the action completed.
type verifyError struct{ err error }

func (e *verifyError) Error() string { return e.err.Error() }
func (e *verifyError) Unwrap() error { return e.err }

// afterEffect reports whether err is a failed verify of an action that
// completed, for a step that must not run twice.
func afterEffect(st *stepState, err error) bool {
	var ve *verifyError
	return errors.As(err, &ve) && !idempotent(st)
}

func idempotent(st *stepState) bool { return st.typ.Idempotent || st.step.Idempotent }

// verifyFailedText tells the operator that a step's action completed but
// its verify failed, what to check and the two ways on.
func (r *run) verifyFailedText(id string, rec *StepRecord) string {
	s := r.plan.Step(id)
	var b strings.Builder
	fmt.Fprintf(&b, "step %s (%s) failed its verify after its action completed (attempt %d): %s\n"+
		"  Its action may have taken effect, and it is not idempotent, so resume does not run it again by itself.\n",
		id, s.Action, rec.Attempts, rec.Error)
	r.waysOn(&b, s.ID)
	return b.String()
}

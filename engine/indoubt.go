package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
)

// settleInDoubt decides every in-doubt step (started, no outcome): re-run
// it if idempotent; skip it if its skip_if says done; otherwise stop and
// tell the operator what to check. It returns the states to schedule from.
func (r *run) settleInDoubt(ctx context.Context, rs *RunState) (map[string]State, error) {
	prior := map[string]State{}
	var asks, ids []string
	for _, s := range r.plan.Steps {
		rec := rs.Steps[s.ID]
		if rec == nil {
			continue
		}
		st := r.steps[s.ID]
		st.attempts = rec.Attempts
		st.result = StepResult{ID: s.ID, Action: s.Action, Attempts: rec.Attempts, Error: rec.Error, Note: rec.Note,
			Outputs: rec.Outputs}
		if !rec.End.IsZero() && !rec.First.IsZero() {
			st.result.Duration = rec.End.Sub(rec.First)
		}
		prior[s.ID] = resumeState(rec.State)
		// An in-doubt step outside --only/--from is decided too when a
		// step of this run needs it: that step must not build on a guess.
		verifyFailed := rec.State == StateFailed && rec.AfterEffect
		if (rec.State != StateInDoubt && !verifyFailed) || (!st.selected && !r.feedsSelected(s.ID, map[string]bool{})) {
			continue
		}
		text, note := r.inDoubtText, "in doubt; skip_if says done"
		if verifyFailed {
			text, note = r.verifyFailedText, "verify failed after its action; skip_if says done"
		}
		if idempotent(st) {
			r.log.Info().Str("step", s.ID).Msg("was interrupted; idempotent, so it runs again")
			prior[s.ID] = StatePending
			continue
		}
		switch probed, err := r.probeInDoubt(ctx, st); {
		case err != nil && ctx.Err() != nil:
			return nil, &InterruptedError{RunID: r.id, Plan: r.planArg()}
		case probed == actions.ProbeDone:
			prior[s.ID] = StateSatisfied
			continue
		case probed == actions.ProbeNotDone:
			prior[s.ID] = StatePending
			continue
		case err != nil:
			r.log.Warn().Str("step", s.ID).Str("error", r.red.Redact(err.Error())).Msg("in doubt: its probe failed")
		}
		switch done, err := r.inDoubtDone(ctx, st); {
		case err != nil && ctx.Err() != nil:
			return nil, &InterruptedError{RunID: r.id, Plan: r.planArg()}
		case err != nil:
			// skip_if cannot tell: that is no answer, so the operator
			// decides, told why the check could not.
			msg := r.red.Redact(err.Error())
			r.log.Warn().Str("step", s.ID).Str("error", msg).Msg("in doubt: skip_if could not be evaluated")
			asks = append(asks, text(s.ID, rec)+"\n  (its skip_if could not be evaluated: "+msg+")")
			ids = append(ids, s.ID)
		case done:
			if err := r.appendRec(journal.Record{Type: RecStepSatisfied, Step: s.ID, Note: note}); err != nil {
				return nil, err
			}
			prior[s.ID] = StateSatisfied
		default:
			asks = append(asks, text(s.ID, rec))
			ids = append(ids, s.ID)
		}
	}
	if len(asks) == 0 {
		return prior, nil
	}
	if _, err := r.jw.AppendSync(journal.Record{Type: RecRunFinished, End: &journal.RunEnd{State: RunWaiting}}); err != nil {
		return nil, fmt.Errorf("journal end of run: %w", err)
	}
	return nil, &WaitingError{Step: ids[0], Reason: "in-doubt", Message: strings.Join(asks, "\n\n")}
}

// inDoubtDone evaluates a non-idempotent in-doubt step's skip_if.
func (r *run) inDoubtDone(ctx context.Context, st *stepState) (bool, error) {
	if len(st.step.SkipIf) == 0 {
		return false, nil
	}
	ok, _, err := r.allPass(ctx, st.step.SkipIf, st.step.ID)
	return ok, err
}

// resumeState is where a journaled state starts in a resumed schedule:
// failed, skipped and waiting steps are tried again.
func resumeState(s State) State {
	switch s {
	case StateSucceeded, StateSatisfied, StateInDoubt:
		return s
	}
	return StatePending
}

// inDoubtText tells the operator exactly what to check and the two ways on.
func (r *run) inDoubtText(id string, rec *StepRecord) string {
	s := r.plan.Step(id)
	var b strings.Builder
	if rec.First.IsZero() {
		// Its start records are gone (a forced journal repair): the
		// note says why it is in doubt.
		fmt.Fprintf(&b, "step %s (%s) is in doubt: %s.\n", id, s.Action, rec.Note)
	} else {
		fmt.Fprintf(&b, "step %s (%s) is in doubt: attempt %d started at %s, but the run stopped before its outcome "+
			"was recorded, so it may or may not have taken effect.\n", id, s.Action, rec.Attempts, rec.First.Format("2006-01-02 15:04:05Z07:00"))
	}
	r.waysOn(&b, id)
	return b.String()
}

// waysOn writes what the step does, where and with what, and the
// operator's two ways on.
func (r *run) waysOn(b *strings.Builder, id string) {
	s := r.plan.Step(id)
	if s.Description != "" {
		fmt.Fprintf(b, "  It does: %s\n", s.Description)
	}
	if s.Target != "" {
		fmt.Fprintf(b, "  On target: %s\n", s.Target)
	}
	fmt.Fprintf(b, "  With: %s\n", displayJSON(s.With.Display()))
	fmt.Fprintf(b, "  Check whether that happened, then either\n")
	fmt.Fprintf(b, "  - it did not happen, run it again:\n      failover resume %s --retry %s\n", r.planArg(), id)
	fmt.Fprintf(b, "  - it happened, record it as done:\n      failover resume %s --mark-done %s --note \"what you checked\"", r.planArg(), id)
}

// displayJSON renders parameters as the plan wrote them: one line of JSON
// without HTML escaping, so that `>` and `&` in a command read as typed.
func displayJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// feedsSelected reports whether a selected step depends on id, directly or
// through other steps.
func (r *run) feedsSelected(id string, seen map[string]bool) bool {
	for _, d := range r.dependents[id] {
		if seen[d] {
			continue
		}
		seen[d] = true
		if r.steps[d].selected || r.feedsSelected(d, seen) {
			return true
		}
	}
	return false
}

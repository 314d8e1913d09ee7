package engine

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
)

// probe asks the step's action whether its effect already holds. can is
// false when the type has no Prober.
func (r *run) probe(ctx context.Context, st *stepState) (p actions.Probe, can bool, err error) {
	s := st.step
	if !st.typ.Can(actions.AbilityProbe) {
		return actions.Probe{}, false, nil
	}
	cl, err := r.c.prepare(ctx, actions.KindAction, s.Action, s.With, s.Target, s.ID, r.res)
	if err != nil {
		return actions.Probe{}, true, err
	}
	cl.env.Journal = &stepJournal{r: r, st: st, readOnly: true}
	p, err = cl.typ.Probe(ctx, cl.env, cl.params)
	p.Detail = r.red.Redact(p.Detail)
	p.Outputs = r.red.outputs(p.Outputs)
	return p, true, err
}

// probeDone probes the step before an attempt. A probe that finds the
// effect there settles the step as satisfied, with the probe's outputs
// for its dependents, and done is true. A probe that fails is logged: the
// attempt goes ahead, and its own error decides.
func (r *run) probeDone(ctx context.Context, o *outcome) bool {
	p, can, err := r.probe(ctx, o.st)
	switch {
	case !can:
		return false
	case err != nil:
		r.log.Warn().Str("step", o.st.step.ID).Str("error", r.red.Redact(err.Error())).
			Msg("could not probe whether the step's effect already holds; running it")
		return false
	case p.State != actions.ProbeDone:
		return false
	}
	*o = r.satisfied(*o, "already done: "+p.Detail, p.Outputs)
	return true
}

// satisfied settles a step whose effect already holds, journaling the
// outputs a probe found so that dependents and a resumed run see them.
func (r *run) satisfied(o outcome, note string, out map[string]any) outcome {
	out, cut := fitOutputs(out, maxOutputsSize)
	if cut {
		r.log.Warn().Str("step", o.st.step.ID).Msg("outputs too large for the journal: the longest cut to their end")
	}
	if out != nil {
		r.res.outputs.set(o.st.step.ID, out)
		o.result.Outputs = out
	}
	return r.settleRec(o, StateSatisfied, note, journal.Record{Type: RecStepSatisfied, Step: o.st.step.ID,
		Attempt: o.result.Attempts, Note: note, Outputs: out})
}

// probeInDoubt decides an in-doubt step by its action's probe: done
// (satisfied), not done (safe to run again), or no answer (skip_if or the
// operator decide).
func (r *run) probeInDoubt(ctx context.Context, st *stepState) (actions.ProbeState, error) {
	p, can, err := r.probe(ctx, st)
	switch {
	case !can:
		return actions.ProbeUnknown, nil
	case err != nil:
		return actions.ProbeUnknown, fmt.Errorf("probe %s: %w", st.step.Action, err)
	case p.State == actions.ProbeDone:
		o := outcome{st: st, result: StepResult{ID: st.step.ID, Action: st.step.Action, Attempts: st.attempts}}
		o = r.satisfied(o, "in doubt; its probe found it done: "+p.Detail, p.Outputs)
		if o.fatal != nil {
			return actions.ProbeUnknown, o.fatal
		}
		st.result = o.result
		return actions.ProbeDone, nil
	case p.State == actions.ProbeNotDone:
		r.log.Warn().Str("step", st.step.ID).Str("detail", p.Detail).Msg("in doubt: its probe found its effect absent; running it again")
		return actions.ProbeNotDone, nil
	}
	r.log.Warn().Str("step", st.step.ID).Str("detail", p.Detail).Msg("in doubt: its probe cannot tell")
	return actions.ProbeUnknown, nil
}

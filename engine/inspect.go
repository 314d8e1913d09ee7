package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// The verdicts of a step in a check report.
const (
	VerdictDone      = "done"         // succeeded or satisfied in the unfinished run
	VerdictHolds     = "holds"        // its effect already holds (skip_if or probe): a run would not act
	VerdictSkipped   = "skipped"      // its when is false: a run would skip it
	VerdictNoChange  = "no change"    // its inspection says a run would change nothing
	VerdictChange    = "would change" // its inspection says what a run would change
	VerdictWouldRun  = "would run"    // no inspection: a run would run it (the preview says what)
	VerdictUnknown   = "unknown"      // it depends on what an earlier step does
	VerdictBlocked   = "blocked"      // a require check fails now
	VerdictCheckFail = "error"        // a check, probe or inspection could not be evaluated
)

// CheckReport is a read-only look at a plan against live state: what
// `failover plan --check` shows.
type CheckReport struct {
	Plan string `json:"plan"`
	// Run is the plan's unfinished run whose journal said which steps
	// are done and gave their outputs ("" if none).
	Run       string      `json:"run,omitempty"`
	Preflight []CheckSeen `json:"preflight"`
	Steps     []StepCheck `json:"steps"`
}

// CheckSeen is one check evaluated once.
type CheckSeen struct {
	Check   string         `json:"check"`
	Target  string         `json:"target,omitempty"`
	Pos     plans.Pos      `json:"pos"`
	OK      bool           `json:"ok"`
	Detail  string         `json:"detail,omitempty"`
	Outputs map[string]any `json:"outputs,omitempty"`
	Error   string         `json:"error,omitempty"`
}

// StepCheck is what one step would do now.
type StepCheck struct {
	ID      string `json:"step"`
	Action  string `json:"action"`
	Target  string `json:"target,omitempty"`
	Verdict string `json:"verdict"`
	// Reason says why, in one line.
	Reason     string              `json:"reason,omitempty"`
	When       []CheckSeen         `json:"when,omitempty"`
	SkipIf     []CheckSeen         `json:"skip_if,omitempty"`
	Require    []CheckSeen         `json:"require,omitempty"`
	Probe      *actions.Probe      `json:"probe,omitempty"`
	Inspection *actions.Inspection `json:"inspection,omitempty"`
	Preview    string              `json:"preview,omitempty"`
}

// Inspect looks at a plan against live state and changes nothing: it
// resolves secrets, opens the targets and, for each step in order,
// evaluates its when, skip_if and require checks once, its action's probe
// and read-only inspection. It never calls an action's run, takes no
// lock and writes no journal. Outputs of steps an unfinished run already
// did come from its journal; later steps see the outputs a probe or an
// inspection expects.
func Inspect(ctx context.Context, cfg Config) (*CheckReport, error) {
	cfg = cfg.withDefaults()
	if err := checkConfig(cfg); err != nil {
		return nil, cannotRun(err)
	}
	runID := "check"
	res, err := newResolver(cfg, runID)
	if err != nil {
		return nil, cannotRun(fmt.Errorf("cannot resolve the plan's secrets and environment variables: %w", err))
	}
	red := newRedactor(res.secrets)
	c := &caller{reg: cfg.Registry, plan: cfg.Plan, mode: actions.ModeCheck, red: red,
		log: cfg.Log.With().Str("mode", "check").Logger(), runID: runID, version: cfg.Version, now: cfg.Clock.Now}
	c.targets = newTargetSet(c, res, true)
	defer c.targets.close(c.log)
	rep := &CheckReport{Plan: cfg.Plan.Name, Preflight: []CheckSeen{}}
	done := map[string]bool{}
	if rs, id := unfinishedState(cfg); rs != nil {
		rep.Run = id
		for sid, st := range rs.Steps {
			if st.State == StateSucceeded || st.State == StateSatisfied {
				done[sid] = true
				res.outputs.set(sid, st.Outputs)
			}
		}
	}
	for _, chk := range cfg.Plan.Preflight {
		rep.Preflight = append(rep.Preflight, c.seeCheck(ctx, chk, "", res))
	}
	for _, s := range executionOrder(cfg.Plan) {
		if done[s.ID] {
			rep.Steps = append(rep.Steps, StepCheck{ID: s.ID, Action: s.Action, Target: s.Target, Verdict: VerdictDone,
				Reason: "done in run " + rep.Run})
			continue
		}
		rep.Steps = append(rep.Steps, c.inspectStep(ctx, s, res))
	}
	if ctx.Err() != nil {
		return rep, &InterruptedError{RunID: runID, NothingRan: true}
	}
	return rep, nil
}

// unfinishedState folds the plan's latest run when it is not finished.
func unfinishedState(cfg Config) (*RunState, string) {
	last, unfinished, err := latestUnfinished(cfg)
	if err != nil || !unfinished || last.Err != nil {
		return nil, ""
	}
	rep, err := cfg.State.Read(last.Path)
	if err != nil {
		return nil, ""
	}
	return Fold(rep), last.RunID
}

// seeCheck evaluates one check once for the report.
func (c *caller) seeCheck(ctx context.Context, chk *plans.Check, stepID string, res plans.Resolver) CheckSeen {
	seen := CheckSeen{Check: chk.Type, Target: chk.Target, Pos: chk.Pos}
	out, err := c.check(ctx, chk, stepID, res)
	if err != nil {
		seen.Error = c.red.Redact(err.Error())
		return seen
	}
	seen.OK, seen.Detail, seen.Outputs = out.OK, out.Detail, out.Outputs
	return seen
}

// inspectStep decides one step's verdict: when, skip_if, probe, require,
// then the action's inspection or its preview.
func (c *caller) inspectStep(ctx context.Context, s *plans.Step, res *resolver) StepCheck {
	sc := StepCheck{ID: s.ID, Action: s.Action, Target: s.Target}
	if missing := missingOutputs(s, res); len(missing) > 0 {
		sc.Verdict = VerdictUnknown
		sc.Reason = "it needs the outputs of " + strings.Join(missing, ", ") + ", known only once that has run"
		return sc
	}
	if c.seeAll(ctx, &sc.When, s.When, s.ID, res) {
		if failed := firstFailed(sc.When); failed != nil {
			sc.Verdict, sc.Reason = verdictOf(*failed, VerdictSkipped, "when is false: "+failed.Detail)
			return sc
		}
	}
	if len(s.SkipIf) > 0 && c.seeAll(ctx, &sc.SkipIf, s.SkipIf, s.ID, res) && firstFailed(sc.SkipIf) == nil {
		sc.Verdict, sc.Reason = VerdictHolds, "skip_if: already done"
		return sc
	}
	if c.probeStep(ctx, &sc, s, res) {
		return sc
	}
	c.seeAll(ctx, &sc.Require, s.Require, s.ID, res)
	c.inspectAction(ctx, &sc, s, res)
	if failed := firstFailed(sc.Require); failed != nil && sc.Verdict != VerdictCheckFail {
		sc.Verdict, sc.Reason = verdictOf(*failed, VerdictBlocked, "require not met now: "+failed.Detail)
	}
	return sc
}

// seeAll evaluates checks in order until one fails; it reports whether
// any was evaluated.
func (c *caller) seeAll(ctx context.Context, into *[]CheckSeen, cs []*plans.Check, stepID string, res plans.Resolver) bool {
	for _, chk := range cs {
		seen := c.seeCheck(ctx, chk, stepID, res)
		*into = append(*into, seen)
		if !seen.OK {
			break
		}
	}
	return len(cs) > 0
}

func firstFailed(seen []CheckSeen) *CheckSeen {
	for i := range seen {
		if !seen[i].OK {
			return &seen[i]
		}
	}
	return nil
}

// verdictOf is the verdict of a failed check: an error if it could not
// be evaluated.
func verdictOf(seen CheckSeen, verdict, reason string) (string, string) {
	if seen.Error != "" {
		return VerdictCheckFail, seen.Check + ": " + seen.Error
	}
	return verdict, reason
}

// probeStep asks the action's probe; it reports whether the verdict is
// decided (the effect holds, or the probe failed).
func (c *caller) probeStep(ctx context.Context, sc *StepCheck, s *plans.Step, res *resolver) bool {
	typ := c.reg.Type(s.Action)
	if typ == nil || !typ.Can(actions.AbilityProbe) {
		return false
	}
	cl, err := c.prepare(ctx, actions.KindAction, s.Action, s.With, s.Target, s.ID, res)
	if err != nil {
		sc.Verdict, sc.Reason = VerdictCheckFail, c.red.Redact(err.Error())
		return true
	}
	p, err := cl.typ.Probe(ctx, cl.env, cl.params)
	if err != nil {
		sc.Verdict, sc.Reason = VerdictCheckFail, "probe: "+c.red.Redact(err.Error())
		return true
	}
	p.Detail, p.Outputs = c.red.Redact(p.Detail), c.red.outputs(p.Outputs)
	sc.Probe = &p
	if p.State != actions.ProbeDone {
		return false
	}
	sc.Verdict, sc.Reason = VerdictHolds, "already done: "+p.Detail
	if p.Outputs != nil {
		res.outputs.set(s.ID, p.Outputs)
	}
	return true
}

// inspectAction asks the action's inspection, or shows its preview.
func (c *caller) inspectAction(ctx context.Context, sc *StepCheck, s *plans.Step, res *resolver) {
	cl, err := c.prepare(ctx, actions.KindAction, s.Action, s.With, s.Target, s.ID, res)
	if err != nil {
		sc.Verdict, sc.Reason = VerdictCheckFail, c.red.Redact(err.Error())
		return
	}
	if !cl.typ.Can(actions.AbilityInspect) {
		sc.Verdict, sc.Reason = VerdictWouldRun, "its action has no read-only inspection"
		if cl.typ.Can(actions.AbilityPreview) {
			if text, err := cl.typ.Preview(cl.env, cl.params); err == nil {
				sc.Preview = c.red.Redact(text)
			}
		}
		return
	}
	in, err := cl.typ.Inspect(ctx, cl.env, cl.params)
	if err != nil {
		sc.Verdict, sc.Reason = VerdictCheckFail, "inspect: "+c.red.Redact(err.Error())
		return
	}
	in.Summary = c.red.Redact(in.Summary)
	for i := range in.Details {
		in.Details[i] = c.red.Redact(in.Details[i])
	}
	in.Data, in.Outputs = c.red.outputs(in.Data), c.red.outputs(in.Outputs)
	sc.Inspection = &in
	sc.Reason = in.Summary
	switch in.Change {
	case actions.ChangeNone:
		sc.Verdict = VerdictNoChange
	case actions.ChangeSome:
		sc.Verdict = VerdictChange
	default:
		sc.Verdict = VerdictUnknown
	}
	if in.Outputs != nil {
		res.outputs.set(s.ID, in.Outputs)
	}
}

// missingOutputs lists the steps whose outputs s references and that have
// none yet (not done, and no probe or inspection told them).
func missingOutputs(s *plans.Step, res *resolver) []string {
	var out []string
	seen := map[string]bool{}
	for _, ref := range s.With.Refs() {
		if ref.Scope != "steps" || seen[ref.Path[0]] {
			continue
		}
		seen[ref.Path[0]] = true
		if _, ok := res.outputs.get(ref.Path[0]); !ok {
			out = append(out, ref.Path[0])
		}
	}
	return out
}

// executionOrder lists the steps level by level (a step after every step
// it needs, file order within a level): the plan's own levels when it has
// them, else computed here in linear time.
func executionOrder(p *plans.Plan) []*plans.Step {
	out := make([]*plans.Step, 0, len(p.Steps))
	if p.Graph != nil && len(p.Graph.Levels) > 0 {
		for _, ids := range p.Graph.Levels {
			for _, id := range ids {
				out = append(out, p.Step(id))
			}
		}
		return out
	}
	waiting := make(map[string]int, len(p.Steps))
	needers := map[string][]*plans.Step{}
	index := make(map[string]int, len(p.Steps))
	for i, s := range p.Steps {
		index[s.ID] = i
	}
	var level []*plans.Step
	for _, s := range p.Steps {
		waiting[s.ID] = len(s.Deps)
		for _, d := range s.Deps {
			needers[d] = append(needers[d], s)
		}
		if len(s.Deps) == 0 {
			level = append(level, s)
		}
	}
	for len(level) > 0 {
		out = append(out, level...)
		var next []*plans.Step
		for _, s := range level {
			for _, n := range needers[s.ID] {
				if waiting[n.ID]--; waiting[n.ID] == 0 {
					next = append(next, n)
				}
			}
		}
		// File order within a level, as the loader's levels have it.
		slices.SortFunc(next, func(a, b *plans.Step) int { return index[a.ID] - index[b.ID] })
		level = next
	}
	return out
}

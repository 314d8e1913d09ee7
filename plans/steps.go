package plans

import (
	"regexp"
	"sort"

	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
)

// stepKeys are the fields of a step.
var stepKeys = []string{"id", "action", "target", "with", "needs", "when", "skip_if",
	"require", "verify", "retry", "timeout", "continue_on_failure", "description", "idempotent"}

// stepIDRe is the syntax of a step id: a lower-case letter, then
// lower-case letters, digits, - and _; at most 64 characters. No dots, so
// that ${steps.ID.outputs.KEY} stays unambiguous.
var stepIDRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// decodeSteps reads the steps, in file order.
func (l *loader) decodeSteps(n *node, p *Plan) []*Step {
	items := l.listOf(n, "steps")
	if n != nil && n.kind == yaml.SequenceNode && len(items) == 0 {
		l.warnf(n.pos, "the plan has no steps")
	}
	seen := make(map[string]Pos, len(items))
	steps := make([]*Step, 0, len(items))
	for _, sn := range items {
		if s := l.decodeStep(sn, p, seen); s != nil {
			steps = append(steps, s)
		}
	}
	return steps
}

func (l *loader) decodeStep(n *node, p *Plan, seen map[string]Pos) *Step {
	if !l.checkKeys(n, "a step", stepKeys...) {
		return nil
	}
	s := &Step{Pos: n.pos}
	l.requireKeys(n, "a step", "id", "action")
	s.ID = l.stepID(n, seen)
	var t *actions.Type
	if an := n.get("action"); !an.isNull() {
		s.Action, _ = l.literal(an, "action")
		t = l.lookupType(an, s.Action, actions.KindAction)
	}
	what := "step " + quote(s.ID)
	if dn := n.get("description"); !dn.isNull() {
		s.Description, _ = l.stringField(dn, "description")
	}
	var deps []implicitDep
	ctx := &refCtx{field: what, runtime: true, steps: true, deps: &deps}
	s.Target = l.checkTarget(t, n, p.Targets)
	s.With = l.decodeWith(t, n, ctx)
	s.Needs = l.decodeNeeds(n)
	s.When = l.decodeChecks(n, checkList{name: "when", step: s.ID, deps: &deps}, p.Targets)
	s.SkipIf = l.decodeChecks(n, checkList{name: "skip_if", step: s.ID, deps: &deps}, p.Targets)
	s.Require = l.decodeChecks(n, checkList{name: "require", step: s.ID, deps: &deps}, p.Targets)
	s.Verify = l.decodeChecks(n, checkList{name: "verify", step: s.ID, deps: &deps}, p.Targets)
	retry, timeout := p.Defaults.Retry, p.Defaults.Timeout
	if t != nil && t.WaitsForOperator {
		// The plan's defaults are meant for actions: a person reading a
		// prompt is bounded by the run's deadline only, unless the step
		// says otherwise.
		retry, timeout = engineRetry, 0
	}
	s.Retry = l.decodeRetry(n.get("retry"), retry, "retry")
	s.Timeout = timeout
	if tn := n.get("timeout"); !tn.isNull() {
		s.Timeout, _ = l.durationField(tn, "timeout")
	}
	if cn := n.get("continue_on_failure"); !cn.isNull() {
		s.ContinueOnFailure, _ = l.boolField(cn, "continue_on_failure")
	}
	if in := n.get("idempotent"); !in.isNull() {
		s.Idempotent, _ = l.boolField(in, "idempotent")
	}
	s.Idempotent = s.Idempotent || (t != nil && t.Idempotent)
	s.Deps = stepDeps(s, deps)
	l.implied[s] = deps
	return s
}

// stepID checks a step's id: syntax and uniqueness.
func (l *loader) stepID(n *node, seen map[string]Pos) string {
	in := n.get("id")
	if in.isNull() {
		return ""
	}
	id, ok := l.literal(in, "id")
	if !ok {
		return ""
	}
	if !stepIDRe.MatchString(id) {
		l.errorf(in.pos, "bad step id %q: start with a lower-case letter, then use lower-case letters, digits, - and _ (at most 64)", id)
	}
	if first, dup := seen[id]; dup {
		l.errorf(in.pos, "duplicate step id %q (first at %s:%d:%d)", id, first.File, first.Line, first.Col)
		return id
	}
	seen[id] = in.pos
	return id
}

// decodeNeeds reads the explicit dependencies as written.
func (l *loader) decodeNeeds(n *node) []Need {
	var needs []Need
	for _, e := range l.listOf(n.get("needs"), "needs") {
		if id, ok := l.literal(e, "a needs entry"); ok {
			needs = append(needs, Need{ID: id, Pos: e.pos})
		}
	}
	return needs
}

func (l *loader) decodeChecks(n *node, cl checkList, targets map[string]*Target) []*Check {
	var out []*Check
	for _, e := range l.listOf(n.get(cl.name), cl.name) {
		if c := l.decodeCheck(e, cl, targets); c != nil {
			out = append(out, c)
		}
	}
	return out
}

// stepDeps is the sorted union of explicit and implied dependencies.
func stepDeps(s *Step, implied []implicitDep) []string {
	set := map[string]bool{}
	for _, nd := range s.Needs {
		set[nd.ID] = true
	}
	for _, d := range implied {
		set[d.id] = true
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

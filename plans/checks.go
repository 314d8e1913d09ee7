package plans

import (
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
)

// defaultInterval is how often a require check with a wait is polled
// when the plan does not say.
const defaultInterval = 5 * time.Second

// checkList says where a list of checks lives and what it allows.
type checkList struct {
	name string // "preflight", "when", "skip_if", "require", "verify"
	step string // the step the list belongs to, "" for preflight
	deps *[]implicitDep
}

func (cl checkList) ctx() *refCtx {
	c := &refCtx{field: cl.name, runtime: true, steps: cl.step != "", deps: cl.deps,
		noSteps: "preflight checks run before any step"}
	if cl.name == "verify" {
		c.self = cl.step // verify runs after the step: its own outputs exist
	}
	return c
}

// decodeCheck reads one check entry.
func (l *loader) decodeCheck(n *node, cl checkList, targets map[string]*Target) *Check {
	keys := []string{"check", "target", "with", "wait", "interval"}
	what := "a " + cl.name + " check"
	if !l.checkKeys(n, what, keys...) {
		return nil
	}
	if cl.name != "require" {
		for _, k := range []string{"wait", "interval"} {
			if kn := n.keyNode(k); kn != nil {
				l.errorf(kn.pos, "%s is allowed only in require checks, which can poll until they pass", k)
			}
		}
	}
	c := &Check{Pos: n.pos}
	l.requireKeys(n, what, "check")
	var t *actions.Type
	if tn := n.get("check"); !tn.isNull() {
		c.Type, _ = l.literal(tn, "check")
		t = l.lookupType(tn, c.Type, actions.KindCheck)
	}
	c.Target = l.checkTarget(t, n, targets)
	c.With = l.decodeWith(t, n, cl.ctx())
	if cl.name == "require" {
		l.decodeWait(n, c)
	}
	return c
}

// decodeWait reads a require check's wait and interval.
func (l *loader) decodeWait(n *node, c *Check) {
	if w := n.get("wait"); !w.isNull() {
		c.Wait, _ = l.durationField(w, "wait")
	}
	iv := n.get("interval")
	switch {
	case !iv.isNull() && n.get("wait").isNull():
		l.errorf(iv.pos, "interval needs a wait: it is how often the check is polled while waiting")
	case !iv.isNull():
		if d, ok := l.durationField(iv, "interval"); ok && d == 0 {
			l.errorf(iv.pos, "interval must be more than 0s")
		} else {
			c.Interval = d
		}
	case c.Wait > 0:
		c.Interval = defaultInterval
	}
}

// lookupType finds a registered type of the wanted kind.
func (l *loader) lookupType(n *node, name string, kind actions.Kind) *actions.Type {
	if name == "" {
		return nil
	}
	t := l.reg.Type(name)
	switch {
	case t == nil:
		l.errorf(n.pos, "unknown %s type %q%s", kind, name, didYouMean(name, l.reg.Names(kind)))
		return nil
	case t.Kind != kind && kind == actions.KindCheck:
		l.errorf(n.pos, "%s is an action, not a check; use it as a step's action", name)
		return nil
	case t.Kind != kind:
		l.errorf(n.pos, "%s is a check, not an action; use it under preflight, when, skip_if, require or verify", name)
		return nil
	}
	return t
}

// checkTarget reads the target of a step or check (n) and checks it
// against the type: present when required, existing, of an accepted type.
func (l *loader) checkTarget(t *actions.Type, n *node, targets map[string]*Target) string {
	tn := n.get("target")
	name := ""
	if !tn.isNull() {
		name, _ = l.stringField(tn, "target")
	}
	if t == nil {
		return name
	}
	switch {
	case name == "" && tn.isNull() && len(t.Targets) > 0 && !t.TargetOptional && !contains(l.misspelt[n], "target"):
		l.errorf(n.pos, "%s needs a target of type %s", t.Name, strings.Join(t.Targets, " or "))
	case name == "":
	case len(t.Targets) == 0:
		l.errorf(tn.pos, "%s takes no target", t.Name)
	case targets[name] == nil:
		l.errorf(tn.pos, "unknown target %q%s", name, l.didYouMean(name, func() []string { return keysOf(targets) }))
	case targets[name].Type != "" && !contains(t.Targets, targets[name].Type):
		l.errorf(tn.pos, "target %q is of type %s; %s accepts %s", name, targets[name].Type, t.Name, strings.Join(t.Targets, " or "))
	}
	return name
}

// decodeWith builds and checks a step's or check's with. It is never nil.
func (l *loader) decodeWith(t *actions.Type, n *node, c *refCtx) *Value {
	wn := n.get("with")
	if wn.isNull() {
		with := &Value{Kind: KindMap, Map: map[string]*Value{}, KeyPos: map[string]Pos{}, Pos: n.pos}
		if t != nil {
			l.checkParams(paramSet{word: "parameter", owner: t.Name, specs: l.reg.ParamSpecs(t.Name)}, with, n.pos)
		}
		return with
	}
	pos := n.keyNode("with").pos
	if wn.kind != yaml.MappingNode {
		l.errorf(wn.pos, "with must be a mapping of parameters, got %s", wn.describe())
		return &Value{Kind: KindMap, Map: map[string]*Value{}, KeyPos: map[string]Pos{}, Pos: wn.pos}
	}
	with := l.value(wn, c)
	if t == nil {
		return with
	}
	ps := paramSet{word: "parameter", owner: t.Name, specs: l.reg.ParamSpecs(t.Name)}
	if l.checkParams(ps, with, pos) {
		l.validateType(t, with, pos)
	}
	return with
}

package plans

import (
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
)

// runtimeRef checks a reference known only at run time against what is
// declared and where it is used, and returns it as a Ref.
func (l *loader) runtimeRef(n *node, r rawPart, c *refCtx) *Ref {
	pos := offsetPos(n, r.off)
	if !c.runtime {
		l.errorf(pos, "%s is known only at run time; %s may use only ${vars.…} and ${plan.name}", r.text, c.field)
		return nil
	}
	ref := &Ref{Scope: r.ref[0], Path: append([]string(nil), r.ref[1:]...), Pos: pos}
	switch ref.Scope {
	case "secrets":
		if _, ok := l.secrets[ref.Path[0]]; !ok {
			l.errorf(pos, "undeclared secret %q%s", ref.Path[0], l.didYouMean(ref.Path[0], func() []string { return keysOf(l.secrets) }))
			return nil
		}
	case "steps":
		if !l.checkStepRef(ref, c) {
			return nil
		}
	}
	return ref
}

// checkStepRef checks ${steps.ID.outputs.KEY}: where it is used, that
// ID exists and that its action declares KEY; it records the dependency.
func (l *loader) checkStepRef(ref *Ref, c *refCtx) bool {
	id, key := ref.Path[0], ref.Path[2]
	if !c.steps {
		l.errorf(ref.Pos, "%s cannot be used in %s: %s", ref, c.field, c.noSteps)
		return false
	}
	sn, ok := l.stepNodes[id]
	if !ok {
		l.errorf(ref.Pos, "%s refers to unknown step %q%s", ref, id, l.didYouMean(id, func() []string { return keysOf(l.stepNodes) }))
		return false
	}
	if t := l.reg.Type(scalarValue(sn.get("action"))); t != nil && !t.OpenOutputs && !hasOutput(t, key) {
		l.errorf(ref.Pos, "%s: %s declares no output %q%s", ref, t.Name, key, outputHint(t, key))
		return false
	}
	if c.deps != nil && id != c.self {
		*c.deps = append(*c.deps, implicitDep{id: id, pos: ref.Pos})
	}
	return true
}

// checkSpliced checks the run-time references a var brings to where it
// is used, and records the dependencies they imply. It reports whether
// they may be used there (when not, it has said why).
func (l *loader) checkSpliced(v *Value, text string, pos Pos, c *refCtx) bool {
	for _, ref := range l.refsOf(v) {
		switch {
		case !c.runtime:
			l.errorf(pos, "%s holds %s, known only at run time; %s may use only ${vars.…} and ${plan.name}", text, ref, c.field)
			return false
		case ref.Scope == "steps" && !c.steps:
			l.errorf(pos, "%s holds %s, which cannot be used in %s: %s", text, ref, c.field, c.noSteps)
			return false
		case ref.Scope == "steps" && c.deps != nil && ref.Path[0] != c.self:
			*c.deps = append(*c.deps, implicitDep{id: ref.Path[0], pos: pos})
		}
	}
	return true
}

func hasOutput(t *actions.Type, key string) bool {
	for _, o := range t.Outputs {
		if o.Name == key {
			return true
		}
	}
	return false
}

func outputHint(t *actions.Type, key string) string {
	var names []string
	for _, o := range t.Outputs {
		names = append(names, o.Name)
	}
	if s := didYouMean(key, names); s != "" {
		return s
	}
	if len(names) == 0 {
		return " (it has no outputs)"
	}
	return " (outputs: " + strings.Join(names, ", ") + ")"
}

// scalarValue is a scalar node's text, or "" for anything else.
func scalarValue(n *node) string {
	if n == nil || n.kind != yaml.ScalarNode {
		return ""
	}
	return n.value
}

// keysOf lists a map's keys in no order.
func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

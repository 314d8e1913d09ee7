package plans

import (
	"fmt"

	"github.com/failover-dev/failover/actions"
)

// paramSet names what a mapping of params belongs to, for messages:
// `parameter "to" for fs.copy`, `field "server" for target type sqlserver`.
type paramSet struct {
	word  string // "parameter" or "field"
	owner string // "fs.copy", "target type sqlserver"
	specs []actions.ParamSpec
}

// checkParams checks a mapping of params against their specs: unknown
// keys, missing required ones, types, and secrets in fields not marked
// secret. It reports whether the params are sound and static, that is
// ready for the type's own Validate.
func (l *loader) checkParams(ps paramSet, v *Value, pos Pos) bool {
	ok, static := true, true
	suggested := map[string]bool{} // a misspelt key is not also missing
	for _, k := range v.Keys {
		e := v.Map[k]
		spec, known := findSpec(ps.specs, k)
		if !known {
			names := specNames(ps.specs)
			l.errorf(v.KeyPos[k], "unknown %s %q for %s%s", ps.word, k, ps.owner, keyHint(k, names))
			suggested[suggest(k, names)] = true
			ok = false
			continue
		}
		if l.holdsBad(e) { // reported; its sound references may still deserve a warning
			l.warnSecrets(ps, spec, e, l.allRefs(e))
			ok = false
			continue
		}
		refs := e.Refs()
		if err := l.checkShape(spec, e, len(refs) == 0); err != nil {
			l.errorf(e.Pos, "%s %q for %s: %v", ps.word, k, ps.owner, err)
			ok = false
		}
		l.warnSecrets(ps, spec, e, refs)
		static = static && len(refs) == 0
	}
	for _, s := range ps.specs {
		e, present := v.Map[s.Name]
		if !s.Required || (present && e.Kind != KindNull) {
			continue
		}
		ok = false
		if !l.bad[e] && !suggested[s.Name] && !l.merged[v] { // else said, or a merge key (<<) was to give it
			l.errorf(pos, "missing required %s %q for %s", ps.word, s.Name, ps.owner)
		}
	}
	return ok && static
}

// findSpec returns the spec of a named param (specs are few: a linear
// scan beats building a map for every step).
func findSpec(specs []actions.ParamSpec, name string) (actions.ParamSpec, bool) {
	for _, s := range specs {
		if s.Name == name {
			return s, true
		}
	}
	return actions.ParamSpec{}, false
}

func specNames(specs []actions.ParamSpec) []string {
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names
}

// holdsBad reports whether a value holds a reference already reported.
func (l *loader) holdsBad(v *Value) bool {
	if len(l.bad) == 0 {
		return false
	}
	found := false
	v.walk(func(x *Value) { found = found || l.bad[x] })
	return found
}

// keyHint suggests a near name, or lists the few names there are.
func keyHint(k string, names []string) string {
	if s := didYouMean(k, names); s != "" {
		return s
	}
	switch {
	case len(names) == 0:
		return " (it takes none)"
	case len(names) <= 8:
		return " (known: " + quoteList(names) + ")"
	}
	return ""
}

// warnSecrets warns about a secret in a field whose spec is not marked
// secret: the engine may show such a value in logs or the journal.
func (l *loader) warnSecrets(ps paramSet, spec actions.ParamSpec, e *Value, refs []*Ref) {
	if spec.Secret {
		return
	}
	seen := map[string]bool{}
	for _, r := range refs {
		if r.Scope == "secrets" && !seen[r.Path[0]] {
			seen[r.Path[0]] = true
			l.warnf(e.Pos, "secret %q is used in %s %q for %s, which is not marked secret: its value may be shown in output",
				r.Path[0], ps.word, spec.Name, ps.owner)
		}
	}
}

// checkShape checks a value against a spec as far as it is known before
// the run: fully when static, by shape when it holds references.
func (l *loader) checkShape(spec actions.ParamSpec, v *Value, static bool) error {
	if static {
		if fitsPlainly(spec, v) {
			return nil
		}
		x, err := v.Resolve(nil)
		if err != nil {
			return err
		}
		return spec.CheckValue(x)
	}
	switch v.Kind {
	case KindTemplate:
		if len(v.Parts) == 1 && v.Parts[0].Ref.Scope == "steps" {
			return nil // an output may be of any type
		}
		return acceptsString(spec)
	case KindList:
		return l.checkCollection(spec, v, actions.ParamStringList, actions.ParamAnyList, "a list")
	case KindMap:
		return l.checkCollection(spec, v, actions.ParamStringMap, actions.ParamAnyMap, "a mapping")
	}
	return nil
}

// fitsPlainly is a fast path for the common static values that fit their
// spec as written; anything else goes through ParamSpec.CheckValue.
func fitsPlainly(spec actions.ParamSpec, v *Value) bool {
	switch spec.Kind {
	case actions.ParamString:
		return v.Kind == KindString && (len(spec.Enum) == 0 || contains(spec.Enum, v.Str))
	case actions.ParamInt:
		return v.Kind == KindInt
	case actions.ParamBool:
		return v.Kind == KindBool
	case actions.ParamStringList:
		if v.Kind != KindList {
			return false
		}
		for _, e := range v.List {
			if e.Kind != KindString {
				return false
			}
		}
		return true
	}
	return false
}

// acceptsString reports whether a spec takes a string known only at run
// time (its content is checked then).
func acceptsString(spec actions.ParamSpec) error {
	switch spec.Kind {
	case actions.ParamString, actions.ParamDuration, actions.ParamInt, actions.ParamAny:
		return nil
	}
	return fmt.Errorf("want %s, got a string with run-time references", wantOf(spec.Kind))
}

func (l *loader) checkCollection(spec actions.ParamSpec, v *Value, ofString, ofAny actions.ParamKind, got string) error {
	switch spec.Kind {
	case ofAny, actions.ParamAny:
		return nil
	case ofString:
		for i, e := range append(append([]*Value(nil), v.List...), mapValues(v)...) {
			if e.Kind == KindList || e.Kind == KindMap {
				return fmt.Errorf("item %d: want a string, got %s", i+1, kindName(e.Kind))
			}
		}
		return nil
	}
	return fmt.Errorf("want %s, got %s", wantOf(spec.Kind), got)
}

func mapValues(v *Value) []*Value {
	out := make([]*Value, 0, len(v.Keys))
	for _, k := range v.Keys {
		out = append(out, v.Map[k])
	}
	return out
}

func wantOf(k actions.ParamKind) string {
	switch k {
	case actions.ParamFloat:
		return "a number"
	case actions.ParamBool:
		return "true or false"
	case actions.ParamStringList:
		return "a list of strings"
	case actions.ParamStringMap:
		return "a mapping of strings"
	case actions.ParamAnyList:
		return "a list"
	case actions.ParamAnyMap:
		return "a mapping"
	case actions.ParamInt:
		return "an integer"
	case actions.ParamDuration:
		return "a duration"
	}
	return "a string"
}

// validateType decodes static params like the engine will and runs the
// type's own Validate with the pointer Decode returns (as Run gets it),
// reporting at pos (the with key).
func (l *loader) validateType(t *actions.Type, with *Value, pos Pos) {
	if !t.Can(actions.AbilityValidate) {
		return // the types were checked param by param already
	}
	x, err := with.Resolve(nil)
	if err != nil {
		return
	}
	m, _ := x.(map[string]any)
	params, err := actions.Decode(t.Params, m)
	if err != nil {
		l.errorf(pos, "invalid parameters for %s: %v", t.Name, err)
		return
	}
	if err := t.Validate(params); err != nil {
		l.errorf(pos, "invalid parameters for %s: %v", t.Name, err)
	}
}

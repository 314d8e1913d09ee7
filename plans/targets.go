package plans

import (
	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
)

// decodeTargets reads the named targets: a type and the type's fields.
func (l *loader) decodeTargets(n *node, out map[string]*Target) {
	if n.isNull() {
		return
	}
	if n.kind != yaml.MappingNode {
		l.errorf(n.pos, "targets must be a mapping of names to targets, got %s", n.describe())
		return
	}
	n.pairs(func(k, v *node) {
		if !identRe.MatchString(k.value) {
			l.errorf(k.pos, "bad target name %q: use letters, digits, _ and -, starting with a letter or _", k.value)
		}
		if t := l.decodeTarget(k, v); t != nil {
			out[k.value] = t
		}
	})
}

func (l *loader) decodeTarget(k, v *node) *Target {
	what := "target " + quote(k.value)
	if v.kind != yaml.MappingNode {
		l.errorf(v.pos, "%s must be a mapping with a type and its fields, got %s", what, v.describe())
		return nil
	}
	t := &Target{Name: k.value, Fields: map[string]*Value{}, Pos: k.pos}
	tn := v.get("type")
	if tn.isNull() {
		l.missingTargetType(v, what)
	} else if typ, ok := l.literal(tn, what+" type"); ok {
		t.Type = typ
		if l.reg.TargetType(typ) == nil {
			l.errorf(tn.pos, "unknown target type %q%s", typ, didYouMean(typ, targetTypeNames(l)))
			t.Type = ""
		}
	}
	fields := &node{kind: yaml.MappingNode, pos: v.pos}
	v.pairs(func(fk, fv *node) {
		if fk.value != "type" {
			fields.content = append(fields.content, fk, fv)
		}
	})
	c := &refCtx{field: "a target's fields", runtime: true, noSteps: "targets are resolved when the run starts"}
	fv := l.value(fields, c)
	for _, name := range fv.Keys {
		t.Fields[name] = fv.Map[name]
	}
	if t.Type != "" {
		ps := paramSet{word: "field", owner: "target type " + t.Type, specs: l.reg.TargetSpecs(t.Type)}
		tt := l.reg.TargetType(t.Type)
		if l.checkParams(ps, fv, v.pos) {
			l.validateTarget(tt, what, fv, k.pos)
		} else {
			l.warnTarget(tt, what, staticFields(fv), k.pos)
		}
	}
	return t
}

// missingTargetType reports a target without a type: at a misspelt
// "type" key if there is one (its fields cannot be checked without the
// type), else at the target.
func (l *loader) missingTargetType(v *node, what string) {
	misspelt := false
	v.pairs(func(k, _ *node) {
		if !misspelt && suggest(k.value, []string{"type"}) != "" {
			l.errorf(k.pos, "unknown key %q in %s (did you mean \"type\"?)", k.value, what)
			misspelt = true
		}
	})
	if !misspelt && !v.merged {
		l.errorf(v.pos, "%s is missing required field \"type\"", what)
	}
}

// validateTarget decodes static fields like a run will and runs the
// target type's own Validate (cross-field rules), reporting at the
// target's name, then reports the type's warnings.
func (l *loader) validateTarget(tt *actions.TargetType, what string, fields *Value, pos Pos) {
	x, err := fields.Resolve(nil)
	if err != nil {
		return
	}
	m, _ := x.(map[string]any)
	params, err := actions.Decode(tt.Params, m)
	if err == nil {
		err = tt.Validate(params)
	}
	if err != nil {
		l.errorf(pos, "invalid %s: %v", what, err)
		return
	}
	l.warnTarget(tt, what, m, pos)
}

// warnTarget reports the target type's warnings about fields; for a
// target whose other fields (a password) are known only at run time,
// those known now.
func (l *loader) warnTarget(tt *actions.TargetType, what string, fields map[string]any, pos Pos) {
	params, err := actions.Decode(tt.Params, fields)
	if err != nil {
		return
	}
	for _, w := range tt.Warnings(params) {
		l.warnf(pos, "%s: %s", what, w)
	}
}

// staticFields returns the fields whose values hold no reference.
func staticFields(fields *Value) map[string]any {
	m := map[string]any{}
	for _, k := range fields.Keys {
		if e := fields.Map[k]; len(e.Refs()) == 0 {
			if x, err := e.Resolve(nil); err == nil {
				m[k] = x
			}
		}
	}
	return m
}

func targetTypeNames(l *loader) []string {
	var names []string
	for _, t := range l.reg.TargetTypes() {
		names = append(names, t.Name)
	}
	return names
}

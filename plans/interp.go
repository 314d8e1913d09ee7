package plans

import (
	"math"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// refCtx says which references a value may hold where it is built.
type refCtx struct {
	// field names the place for messages: `timeout`, `a target field`.
	field string
	// runtime allows ${secrets.X}, ${env.X} and ${run.id}.
	runtime bool
	// steps allows ${steps.ID.outputs.KEY}; deps collects them. When it
	// does not, noSteps says why.
	steps   bool
	noSteps string
	// self is the step whose own outputs may be referenced (in verify)
	// without depending on itself.
	self string
	deps *[]implicitDep
}

// implicitDep is a dependency implied by a ${steps.ID.outputs.KEY}.
type implicitDep struct {
	id  string
	pos Pos
}

// loadTime is the context of plan structure fields: only vars and
// ${plan.name}, which are known when the plan loads.
func loadTime(field string) *refCtx { return &refCtx{field: field} }

// value builds a Value from a node, interpolating every string scalar.
func (l *loader) value(n *node, c *refCtx) *Value {
	switch n.kind {
	case yaml.MappingNode:
		v := &Value{Kind: KindMap, Map: map[string]*Value{}, KeyPos: map[string]Pos{}, Pos: n.pos}
		if n.merged {
			l.merged[v] = true
		}
		n.pairs(func(k, e *node) {
			if hasRef(k.value) {
				l.errorf(k.pos, "mapping key %q holds a reference, but keys are taken literally: write the key out", k.value)
				return
			}
			v.Keys = append(v.Keys, k.value)
			v.Map[k.value] = l.value(e, c)
			v.KeyPos[k.value] = k.pos
		})
		return v
	case yaml.SequenceNode:
		v := &Value{Kind: KindList, List: make([]*Value, 0, len(n.content)), Pos: n.pos}
		for _, e := range n.content {
			v.List = append(v.List, l.value(e, c))
		}
		return v
	}
	return l.scalar(n, c)
}

// hasRef reports whether s holds a ${…} reference (a $${ is a literal).
func hasRef(s string) bool {
	return strings.Contains(strings.ReplaceAll(s, "$${", ""), "${")
}

// scalar types a scalar as YAML resolved it; strings are interpolated.
func (l *loader) scalar(n *node, c *refCtx) *Value {
	switch n.tag {
	case "!!null":
		return &Value{Kind: KindNull, Pos: n.pos}
	case "!!bool":
		return &Value{Kind: KindBool, Bool: strings.EqualFold(n.value, "true"), Pos: n.pos}
	case "!!int":
		if i, err := strconv.ParseInt(strings.ReplaceAll(n.value, "_", ""), 0, 64); err == nil {
			return &Value{Kind: KindInt, Int: i, Pos: n.pos}
		}
		l.errorf(n.pos, "integer %s is out of range", n.value)
		return &Value{Kind: KindNull, Pos: n.pos}
	case "!!float":
		return &Value{Kind: KindFloat, Float: parseFloat(n.value), Pos: n.pos}
	}
	return l.interpolate(n, c)
}

func parseFloat(s string) float64 {
	switch strings.ToLower(strings.TrimLeft(s, "+")) {
	case ".inf":
		return math.Inf(1)
	case "-.inf":
		return math.Inf(-1)
	case ".nan":
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f
}

// interpolate substitutes vars and ${plan.name} in a string scalar and
// keeps run-time references as template parts.
func (l *loader) interpolate(n *node, c *refCtx) *Value {
	raw, errs := scanTemplate(n.value)
	for _, e := range errs {
		l.errorf(offsetPos(n, e.off), "%s", composed(e.msg))
	}
	if len(errs) > 0 {
		return l.poisoned(n.pos)
	}
	switch {
	case len(raw) == 1 && raw[0].isRef:
		return l.wholeRef(n, raw[0], c)
	case len(raw) == 1 && len(raw[0].lit) > l.limits.ValueSize: // written out, no reference
		l.tooLong(n.pos, "")
		return l.poisoned(n.pos)
	case len(raw) == 1:
		return &Value{Kind: KindString, Str: raw[0].lit, Pos: n.pos}
	}
	return l.joinParts(n, raw, c)
}

// wholeRef is a value that is exactly one reference: a load-time one
// stands for the referenced value, whose size counts towards the total.
func (l *loader) wholeRef(n *node, r rawPart, c *refCtx) *Value {
	v := l.loadTimeRef(n, r, c)
	if v == nil {
		return l.poisoned(n.pos)
	}
	if l.bad[v] {
		return v
	}
	if r.ref[0] == "vars" && !l.chargeTotal(l.sizeOf(v), offsetPos(n, r.off)) {
		return l.poisoned(n.pos)
	}
	cp := *v
	cp.Pos = n.pos
	return &cp
}

// joinParts builds a string or a template from literals and references.
// The string is measured as it grows: past the value limit it is
// reported at the reference that made it so, before it is built.
func (l *loader) joinParts(n *node, raw []rawPart, c *refCtx) *Value {
	j := joiner{limit: l.limits.ValueSize}
	failed := false // a reference was reported: poison the result
	substituted := false
	for _, r := range raw {
		if !r.isRef {
			if !j.addLit(r.lit) {
				l.tooLong(n.pos, "")
				return l.poisoned(n.pos)
			}
			continue
		}
		if r.ref[0] != "vars" && r.ref[0] != "plan" {
			ref := l.runtimeRef(n, r, c)
			if ref != nil && !j.addRef(ref) {
				l.tooLong(offsetPos(n, r.off), r.text)
				return l.poisoned(n.pos)
			}
			failed = failed || ref == nil
			continue
		}
		v := l.loadTimeRef(n, r, c)
		ok := true
		switch {
		case v == nil || l.bad[v]:
			failed = true
		case v.Kind == KindList || v.Kind == KindMap:
			l.errorf(offsetPos(n, r.off), "%s is %s; it cannot be part of a longer string", r.text, kindName(v.Kind))
			failed = true
		default:
			ok, substituted = j.addValue(v), true
		}
		if !ok {
			l.tooLong(offsetPos(n, r.off), r.text)
			return l.poisoned(n.pos)
		}
	}
	parts := j.done()
	if failed {
		v := l.poisoned(n.pos)
		l.keepRefs(v, parts)
		return v
	}
	if substituted && !l.chargeTotal(int64(j.size), n.pos) {
		return l.poisoned(n.pos)
	}
	return templateValue(parts, n.pos)
}

// joiner builds the parts of a string from literals and references,
// literals joined in a builder (a string of many references is not
// copied once per reference), and keeps count of its size.
type joiner struct {
	parts []Part
	lit   strings.Builder
	size  int // bytes so far, references as written
	limit int
}

// grow counts n more bytes; false when they pass the limit.
func (j *joiner) grow(n int) bool {
	j.size += n
	return j.size <= j.limit
}

func (j *joiner) addLit(s string) bool {
	if !j.grow(len(s)) {
		return false
	}
	j.lit.WriteString(s)
	return true
}

func (j *joiner) addRef(r *Ref) bool {
	if !j.grow(refLen(r)) {
		return false
	}
	j.flush()
	j.parts = append(j.parts, Part{Ref: r})
	return true
}

// addValue adds a scalar's text, or a template's parts.
func (j *joiner) addValue(v *Value) bool {
	if v.Kind != KindTemplate {
		return j.addLit(formatScalar(v.Display()))
	}
	for _, p := range v.Parts {
		ok := true
		if p.Ref == nil {
			ok = j.addLit(p.Lit)
		} else {
			ok = j.addRef(p.Ref)
		}
		if !ok {
			return false
		}
	}
	return true
}

func (j *joiner) flush() {
	if j.lit.Len() > 0 {
		j.parts = append(j.parts, Part{Lit: j.lit.String()})
		j.lit.Reset()
	}
}

func (j *joiner) done() []Part {
	j.flush()
	return j.parts
}

// templateValue is a string when no run-time reference remains.
func templateValue(parts []Part, pos Pos) *Value {
	var b strings.Builder
	for _, p := range parts {
		if p.Ref != nil {
			return &Value{Kind: KindTemplate, Parts: parts, Pos: pos}
		}
		b.WriteString(p.Lit)
	}
	return &Value{Kind: KindString, Str: b.String(), Pos: pos}
}

func kindName(k ValueKind) string {
	switch k {
	case KindList:
		return "a list"
	case KindMap:
		return "a mapping"
	case KindTemplate:
		return "a string with run-time references"
	case KindNull:
		return "null"
	case KindInt:
		return "an integer"
	case KindFloat:
		return "a number"
	case KindBool:
		return "a boolean"
	}
	return "a string"
}

// loadTimeRef returns the value of a ${vars.…} or ${plan.name}
// reference; for any other reference it returns nil and reports nothing.
func (l *loader) loadTimeRef(n *node, r rawPart, c *refCtx) *Value {
	pos := offsetPos(n, r.off)
	switch r.ref[0] {
	case "plan":
		return &Value{Kind: KindString, Str: l.name, Pos: pos}
	case "vars":
		if l.overTotal {
			return l.poisoned(pos) // reported once; substituting more would cost without bound
		}
		v := l.vars.lookup(l, r.ref[1:], r.text, pos)
		if v != nil && !l.bad[v] && !l.checkSpliced(v, r.text, pos, c) {
			return l.poisoned(pos) // reported: the field is not also wrong
		}
		return v
	}
	if ref := l.runtimeRef(n, r, c); ref != nil {
		return &Value{Kind: KindTemplate, Parts: []Part{{Ref: ref}}, Pos: n.pos}
	}
	return nil
}

// poisoned returns a placeholder for a value whose reference was already
// reported, so that later checks do not report it again.
func (l *loader) poisoned(pos Pos) *Value {
	v := &Value{Kind: KindNull, Pos: pos}
	l.bad[v] = true
	return v
}

// keepRefs remembers the sound references of a poisoned string, so that
// the warnings they deserve (a secret in a field not marked secret) are
// still given beside the error that poisoned it.
func (l *loader) keepRefs(v *Value, parts []Part) {
	for _, p := range parts {
		if p.Ref != nil {
			l.kept[v] = append(l.kept[v], p.Ref)
		}
	}
}

// allRefs is v's references, those of its poisoned parts included.
func (l *loader) allRefs(v *Value) []*Ref {
	if len(l.kept) == 0 {
		return v.Refs()
	}
	var out []*Ref
	v.walk(func(x *Value) {
		out = append(out, l.kept[x]...)
		for _, p := range x.Parts {
			if p.Ref != nil {
				out = append(out, p.Ref)
			}
		}
	})
	return out
}

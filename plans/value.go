package plans

import (
	"fmt"
	"sort"
	"strings"
)

// ValueKind is the kind of a Value.
type ValueKind int

// The kinds of value.
const (
	KindNull ValueKind = iota
	KindString
	KindInt
	KindFloat
	KindBool
	KindList
	KindMap
	// KindTemplate is a string with ${…} references known only at run time.
	KindTemplate
)

// Value is a parameter value as written in a plan, with its position.
// Scalars are typed as YAML typed them; strings holding run-time
// references are templates.
type Value struct {
	Kind  ValueKind
	Str   string
	Int   int64
	Float float64
	Bool  bool
	List  []*Value
	// Map holds a mapping's entries; Keys keeps their order as written.
	Map  map[string]*Value
	Keys []string
	// KeyPos holds the position of each mapping key.
	KeyPos map[string]Pos
	// Parts of a template, in order.
	Parts []Part
	Pos   Pos
}

// Part is a literal piece or a reference of a template.
type Part struct {
	Lit string
	Ref *Ref
}

// Ref is one ${…} reference.
type Ref struct {
	// Scope is "secrets", "env", "run" or "steps" once loaded ("vars"
	// and "plan" are substituted by the loader).
	Scope string
	// Path is the rest: [NAME] for secrets and env, [id] for run,
	// [ID, "outputs", KEY] for steps.
	Path []string
	Pos  Pos
}

// String renders the reference as written: ${steps.a.outputs.b}.
func (r *Ref) String() string {
	return "${" + r.Scope + "." + strings.Join(r.Path, ".") + "}"
}

// Resolver supplies values of run-time references.
type Resolver interface {
	// Lookup returns the value of a reference, or an error naming what is
	// missing (an unset environment variable, an output not produced).
	Lookup(r *Ref) (any, error)
}

// Resolve turns the value into plain Go values (string, int64, float64,
// bool, nil, []any, map[string]any). A template that is exactly one
// reference keeps the referenced value's type; otherwise references are
// formatted into the string.
func (v *Value) Resolve(r Resolver) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.Kind {
	case KindNull:
		return nil, nil
	case KindString:
		return v.Str, nil
	case KindInt:
		return v.Int, nil
	case KindFloat:
		return v.Float, nil
	case KindBool:
		return v.Bool, nil
	case KindList:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			x, err := e.Resolve(r)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case KindMap:
		out := make(map[string]any, len(v.Map))
		for k, e := range v.Map {
			x, err := e.Resolve(r)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case KindTemplate:
		return v.resolveTemplate(r)
	}
	return nil, fmt.Errorf("unknown value kind %d", v.Kind)
}

func (v *Value) resolveTemplate(r Resolver) (any, error) {
	if len(v.Parts) == 1 && v.Parts[0].Ref != nil {
		return r.Lookup(v.Parts[0].Ref)
	}
	var b strings.Builder
	for _, p := range v.Parts {
		if p.Ref == nil {
			b.WriteString(p.Lit)
			continue
		}
		x, err := r.Lookup(p.Ref)
		if err != nil {
			return nil, err
		}
		b.WriteString(formatScalar(x))
	}
	return b.String(), nil
}

// formatScalar formats a referenced value inside a longer string.
func formatScalar(x any) string {
	switch y := x.(type) {
	case nil:
		return ""
	case string:
		return y
	}
	return fmt.Sprint(x)
}

// Refs returns every reference inside the value, in order.
func (v *Value) Refs() []*Ref {
	var out []*Ref
	v.walk(func(x *Value) {
		for _, p := range x.Parts {
			if p.Ref != nil {
				out = append(out, p.Ref)
			}
		}
	})
	return out
}

// IsStatic reports whether the value holds no run-time reference.
func (v *Value) IsStatic() bool { return len(v.Refs()) == 0 }

func (v *Value) walk(fn func(*Value)) {
	if v == nil {
		return
	}
	fn(v)
	for _, e := range v.List {
		e.walk(fn)
	}
	for _, k := range v.sortedKeys() {
		v.Map[k].walk(fn)
	}
}

func (v *Value) sortedKeys() []string {
	if len(v.Keys) == len(v.Map) {
		return v.Keys
	}
	keys := make([]string, 0, len(v.Map))
	for k := range v.Map {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Display renders the value for people (`failover plan`): references stay
// as written, except secrets, which show as (secret).
func (v *Value) Display() any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case KindList:
		out := make([]any, len(v.List))
		for i, e := range v.List {
			out[i] = e.Display()
		}
		return out
	case KindMap:
		out := make(map[string]any, len(v.Map))
		for k, e := range v.Map {
			out[k] = e.Display()
		}
		return out
	case KindTemplate:
		var b strings.Builder
		for _, p := range v.Parts {
			switch {
			case p.Ref == nil:
				b.WriteString(strings.ReplaceAll(p.Lit, "${", "$${"))
			case p.Ref.Scope == "secrets":
				b.WriteString("(secret)")
			default:
				b.WriteString(p.Ref.String())
			}
		}
		return b.String()
	}
	x, _ := v.Resolve(nil)
	return x
}

package lyncshell

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// object is a PowerShell object: a type name and ordered properties.
type object struct {
	typeName string
	keys     []string
	vals     map[string]any
}

func newObject(typeName string, kv ...any) *object {
	o := &object{typeName: typeName, vals: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		o.set(kv[i].(string), kv[i+1])
	}
	return o
}

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// get finds a property, case-insensitively as PowerShell does.
func (o *object) get(name string) (any, bool) {
	for _, k := range o.keys {
		if strings.EqualFold(k, name) {
			return o.vals[k], true
		}
	}
	return nil, false
}

// MarshalJSON writes the properties in order.
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// hashtable is @{…}: an ordered object without a type name.
func newHashtable() *object { return newObject("System.Collections.Hashtable") }

// memberOf reads .name of v; on a list, of each item (member
// enumeration). A missing property is $null, as in PowerShell.
func memberOf(v any, name string) any {
	switch x := v.(type) {
	case *object:
		val, _ := x.get(name)
		return val
	case []any:
		if strings.EqualFold(name, "Count") || strings.EqualFold(name, "Length") {
			return int64(len(x))
		}
		var out []any
		for _, e := range x {
			if m := memberOf(e, name); m != nil {
				out = append(out, m)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		if out == nil {
			return nil
		}
		return out
	case string:
		if strings.EqualFold(name, "Length") {
			return int64(len([]rune(x)))
		}
	}
	return nil
}

// enumerate is how a value goes down a pipeline: a list item by item.
func enumerate(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// toText renders a value where text is wanted.
func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = toText(e)
		}
		return strings.Join(parts, " ")
	case *object:
		return x.typeName
	}
	return fmt.Sprint(v)
}

// toJSON is ConvertTo-Json: compact, or indented as PowerShell 5.1 does
// (approximately: four spaces).
func toJSON(v any, compress bool) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if compress {
		return string(b), nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "    "); err != nil {
		return "", err
	}
	return out.String(), nil
}

// formatList renders output as PowerShell's default formatting would,
// roughly: text as it is, objects as "Name : Value" lists.
func formatList(vals []any) string {
	var b strings.Builder
	for _, v := range vals {
		o, ok := v.(*object)
		if !ok {
			b.WriteString(toText(v) + "\n")
			continue
		}
		width := 0
		for _, k := range o.keys {
			width = max(width, len(k))
		}
		b.WriteString("\n")
		for _, k := range o.keys {
			val := o.vals[k]
			s := toText(val)
			if l, isList := val.([]any); isList {
				parts := make([]string, len(l))
				for i, e := range l {
					parts[i] = toText(e)
				}
				s = "{" + strings.Join(parts, ", ") + "}"
			}
			fmt.Fprintf(&b, "%-*s : %s\n", width, k, s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

package lab

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkKeys reports every mapping key under n that the struct type t has
// no yaml field for, as "file:line:col: unknown key …", so that a typo in
// a lab config names its place and the keys that would fit. yaml.v3's own
// KnownFields error has no column and names Go types instead.
func checkKeys(file string, n *yaml.Node, t reflect.Type, where string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return checkKeys(file, n.Content[0], t, where)
	}
	switch {
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		var errs []error
		for i, item := range n.Content {
			errs = append(errs, checkKeys(file, item, t.Elem(), fmt.Sprintf("%s[%d]", where, i+1))...)
		}
		return errs
	case t.Kind() != reflect.Struct || n.Kind != yaml.MappingNode:
		return nil
	}
	fields := yamlFields(t)
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ft, ok := fields[k.Value]
		if !ok {
			errs = append(errs, fmt.Errorf("%s:%d:%d: unknown key %q in %s (known: %s)",
				file, k.Line, k.Column, k.Value, where, strings.Join(sortedKeys(fields), ", ")))
			continue
		}
		errs = append(errs, checkKeys(file, v, ft, joinWhere(where, k.Value))...)
	}
	return errs
}

// yamlFields maps the yaml names of a struct's fields to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]reflect.Type) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func joinWhere(where, key string) string {
	if where == "the config" {
		return key
	}
	return where + "." + key
}

// yamlTypeLine matches one line of a yaml.TypeError: "line 3: cannot
// unmarshal !!str `abc` into int".
var yamlTypeLine = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) `(.*)` into (.+)$")

// yamlSyntaxLine matches a yaml.v3 syntax error: "line 1: did not find …".
var yamlSyntaxLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// describeYAMLError rewrites yaml.v3's errors for people: the file and
// line first, the value and the kind of value wanted, no Go type names.
func describeYAMLError(file string, err error) error {
	te, ok := err.(*yaml.TypeError)
	if !ok {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlSyntaxLine.FindStringSubmatch(msg); m != nil {
			return fmt.Errorf("%s:%s: %s", file, m[1], m[2])
		}
		return fmt.Errorf("%s: %s", file, msg)
	}
	lines := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := yamlTypeLine.FindStringSubmatch(e)
		if m == nil {
			lines = append(lines, file+": "+e)
			continue
		}
		lines = append(lines, fmt.Sprintf("%s:%s: %q is not %s", file, m[1], m[3], wantedKind(m[4])))
	}
	return fmt.Errorf("%s", strings.Join(lines, "\n"))
}

// wantedKind names a Go type as the kind of YAML value it takes.
func wantedKind(goType string) string {
	switch {
	case goType == "time.Duration":
		return "a duration (e.g. 15m, 50ms)"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "int") || strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	case goType == "string" || strings.HasSuffix(goType, "Kind"):
		return "a string"
	}
	return "a mapping"
}

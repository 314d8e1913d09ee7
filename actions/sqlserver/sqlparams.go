package sqlserver

import (
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// paramNameRe is a T-SQL parameter name without its @.
var paramNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)

// namedParams are a step's params: name (without @) → value, checked.
type namedParams map[string]any

// checkParams checks the names and values of a params map: names are
// T-SQL identifiers (a leading @ is allowed), values plain scalars. It
// returns them keyed without @.
func checkParams(in map[string]any) (namedParams, error) {
	out := namedParams{}
	for _, k := range sortedKeys(in) {
		name := strings.TrimPrefix(k, "@")
		if !paramNameRe.MatchString(name) {
			return nil, fmt.Errorf("params: %q is not a parameter name (letters, digits and _, not starting with a digit)", k)
		}
		if _, dup := out[strings.ToLower(name)]; dup {
			return nil, fmt.Errorf("params: @%s is given twice (names are case-insensitive)", name)
		}
		switch v := in[k].(type) {
		case nil, string, bool, int64, int, float64:
			out[strings.ToLower(name)] = v
		default:
			return nil, fmt.Errorf("params: @%s: want a string, number, boolean or null, got %T", name, v)
		}
	}
	return out, nil
}

// args returns the parameters text uses (@name, case-insensitive, not
// inside a longer name) as sql.Named values, sorted by name. Only those:
// a batch that declares a variable of the same name as an unused
// parameter would fail (134).
func (np namedParams) args(text string) []any {
	var out []any
	for _, name := range sortedKeys(np) {
		if usesParam(text, name) {
			out = append(out, sql.Named(name, np[name]))
		}
	}
	return out
}

// usesParam reports whether text mentions @name as a whole word.
func usesParam(text, name string) bool {
	lower := strings.ToLower(text)
	at := "@" + name
	for i := 0; ; {
		j := strings.Index(lower[i:], at)
		if j < 0 {
			return false
		}
		end := i + j + len(at)
		before := i + j
		if (end == len(lower) || !identChar(lower[end])) && (before == 0 || lower[before-1] != '@') {
			return true
		}
		i = end
	}
}

func identChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 0x80
}

// render shows the parameters text uses as T-SQL literals, for previews:
// "@db = N'mgc', @n = 5". Values are shown as the plan gave them
// (secrets are (secret) in a preview).
func (np namedParams) render(text string) string {
	var parts []string
	for _, name := range sortedKeys(np) {
		if usesParam(text, name) {
			parts = append(parts, "@"+name+" = "+Literal(np[name]))
		}
	}
	return strings.Join(parts, ", ")
}

// Literal renders a plain value as a T-SQL literal, for previews: a
// string as N'…' with every ' doubled.
func Literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "N'" + strings.ReplaceAll(x, "'", "''") + "'"
	case bool:
		if x {
			return "1"
		}
		return "0"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

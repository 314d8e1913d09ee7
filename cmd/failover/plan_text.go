package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/failover-dev/failover/plans"
)

// compact renders a param value on one line as a plan would write it:
// a string of one line as it is, lists and mappings in YAML's flow style with their
// strings quoted only where YAML needs it. Single quotes keep a Windows
// path's backslashes as written ('\\dc1-sql01\logship'), and nothing is
// HTML-escaped (a query's "a < b" stays so).
func compact(v any) string {
	if s, ok := v.(string); ok && plans.Printable(s) == s {
		return s
	}
	return flow(v) // a string of several lines, or holding a control character, is quoted with escapes (\n, \x1b)
}

func flow(v any) string {
	switch x := v.(type) {
	case string:
		return flowString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flow(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []string:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = flowString(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = flowString(k) + ": " + flow(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case nil:
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// plainSafe matches the strings YAML reads back, unquoted inside [ ] and
// { }, as the same string; yamlTyped, those it would read as something
// else (a number, a boolean, null).
var (
	plainSafe = regexp.MustCompile(`^([^-?:,\[\]{}#&*!|>'"%@` + "`" + `\s]|-\S)[^,\[\]{}#'"]*$`)
	yamlTyped = regexp.MustCompile(`^(?i:[-+]?[0-9][0-9_.:eEoxXa-fA-F+-]*|[-+]?\.?inf|\.nan|true|false|yes|no|on|off|y|n|null|~)$`)
)

// flowString writes a string inside a flow list or mapping: plain when
// YAML would read it back unchanged, else in single quotes, or in double
// quotes with escapes when it holds a line break or a control character.
func flowString(s string) string {
	switch {
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return strconv.Quote(s)
	case plainSafe.MatchString(s) && !yamlTyped.MatchString(s) && !strings.Contains(s, ": ") &&
		!strings.HasSuffix(s, ":") && !strings.HasSuffix(s, " "):
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// writeField writes "key: value" at indent; a string of several lines
// (a script, a query) as a block, each line under the key, so that it
// does not break the layout.
func writeField(w io.Writer, indent, key string, v any) {
	s, ok := v.(string)
	if !ok || !strings.Contains(strings.TrimRight(s, "\n"), "\n") {
		fmt.Fprintf(w, "%s%s: %s\n", indent, key, compact(v))
		return
	}
	fmt.Fprintf(w, "%s%s: |\n", indent, key)
	writeLines(w, indent+"  ", s)
}

// writeLines writes text at indent, line by line, without the last
// line's newline: a multi-line description stays inside its step.
// Control characters (but tabs) are shown escaped, never sent to the
// terminal.
func writeLines(w io.Writer, indent, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(w, "%s%s\n", indent, plans.Printable(strings.TrimRight(line, "\r")))
	}
}

package lab

import (
	"fmt"
	"slices"
	"strings"
)

// execArg is a value passed to sp_executesql: named (@x = v) or
// positional (name "").
type execArg struct {
	name string
	v    any
}

// bindExecuteSQL binds sp_executesql's values to the parameters its
// declaration names, as SQL Server does: positional values in order,
// named ones by name (case-insensitively). A value for no declared
// parameter is 8145, one too many 8144, and a declared parameter left
// without a value 8178.
func bindExecuteSQL(stmt, decl string, args []execArg) (map[string]any, error) {
	declared := declRe.FindAllString(decl, -1)
	names := make([]string, len(declared))
	for i, n := range declared {
		names[i] = strings.ToLower(n)
	}
	vars := map[string]any{}
	pos := 0
	for _, a := range args {
		name := strings.ToLower(a.name)
		switch {
		case name == "" && pos >= len(names):
			return nil, fail(sqlMsg{8144, 2, 16, "Procedure or function sp_executesql has too many arguments specified."})
		case name == "":
			name = names[pos]
			pos++
		case !slices.Contains(names, name):
			return nil, fail(sqlMsg{8145, 2, 16, fmt.Sprintf("%s is not a parameter for procedure sp_executesql.", a.name)})
		}
		vars[name] = a.v
	}
	for i, n := range names {
		if _, ok := vars[n]; !ok {
			return nil, fail(sqlMsg{8178, 1, 16, fmt.Sprintf(
				"The parameterized query '(%s)%s' expects the parameter '%s', which was not supplied.", decl, stmt, declared[i])})
		}
	}
	return vars, nil
}

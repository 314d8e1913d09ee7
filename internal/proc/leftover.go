package proc

import (
	"strings"
)

// commandLine is the command as a journal shows it: the program and its
// arguments, each quoted when it holds a space.
func commandLine(program string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	for _, a := range append([]string{program}, args...) {
		if a == "" || strings.ContainsAny(a, " \t\"'") {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

package exec

import (
	"runtime"
	"sort"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// preview renders the command line as the operating system will see it,
// the working directory, and the names (never the values) of the
// environment variables set.
func (common) Preview(_ *actions.Env, p *Params) (string, error) {
	return preview(p), nil
}

func preview(p *Params) string {
	quote := quotePOSIX
	if runtime.GOOS == "windows" {
		quote = quoteWindows
	}
	var b strings.Builder
	b.WriteString(commandLine(quote, p.Program, p.Args))
	if p.Dir != "" {
		b.WriteString("\nin " + quote(p.Dir))
	}
	if len(p.Env) > 0 {
		names := make([]string, 0, len(p.Env))
		for k := range p.Env {
			names = append(names, k)
		}
		sort.Strings(names)
		b.WriteString("\nwith env " + strings.Join(names, ", "))
	}
	return b.String()
}

// commandLine joins the program and its arguments, each quoted.
func commandLine(quote func(string) string, program string, args []string) string {
	parts := make([]string, 0, len(args)+1)
	parts = append(parts, quote(program))
	for _, a := range args {
		parts = append(parts, quote(a))
	}
	return strings.Join(parts, " ")
}

// quotePOSIX quotes s for a POSIX shell when it needs quoting, so the
// line can be pasted into a terminal to run the same command.
func quotePOSIX(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, needsPOSIXQuote) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func needsPOSIXQuote(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=@%+,", r)
}

// quoteWindows quotes s exactly as Go builds a Windows command line
// (syscall.EscapeArg, which is not available on other systems): what
// CommandLineToArgvW parses back to s.
func quoteWindows(s string) string {
	if s == "" {
		return `""`
	}
	hasSpace := strings.ContainsAny(s, " \t")
	if !strings.ContainsAny(s, `"\`) {
		if hasSpace {
			return `"` + s + `"`
		}
		return s
	}
	var b strings.Builder
	if hasSpace {
		b.WriteByte('"')
	}
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	if hasSpace {
		b.WriteString(strings.Repeat(`\`, slashes) + `"`)
	}
	return b.String()
}

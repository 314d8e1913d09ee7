package plans

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A diagnostic shows what a plan holds (an id, a key, a value), which may
// be a megabyte long: a long value is cut, the message says how long it
// was, and no message exceeds maxMessage characters.
const (
	// clipAbove is the length from which a value in a message is cut,
	// and clipTo what is kept of it.
	clipAbove = 120
	clipTo    = 80
	// maxMessage bounds a whole message, whatever made it long.
	maxMessage = 1000
)

// clipped is a long value from a plan, shown cut: `"abc…" (1000000
// characters)` with %q, `abc… (1000000 characters)` with %s or %v.
type clipped string

// Format implements fmt.Formatter.
func (c clipped) Format(f fmt.State, verb rune) {
	s := string(c)
	head := cutRunes(s, clipTo) + "…"
	if verb == 'q' {
		head = strconv.Quote(head)
	}
	fmt.Fprintf(f, "%s (%d characters)", head, utf8.RuneCountInString(s))
}

// composed is message text built from parts already cut (a dependency
// cycle, a chain of files): shown whole, up to maxMessage.
type composed string

// message formats a diagnostic's message: string arguments longer than
// clipAbove characters are cut (pass composed text as composed), and the
// message to maxMessage characters.
func message(format string, args []any) string {
	shown := make([]any, len(args))
	for i, a := range args {
		shown[i] = a
		if s, ok := a.(string); ok && len(s) > clipAbove && utf8.RuneCountInString(s) > clipAbove {
			shown[i] = clipped(s)
		}
	}
	msg := fmt.Sprintf(format, shown...)
	if n := utf8.RuneCountInString(msg); n > maxMessage {
		msg = fmt.Sprintf("%s… (%d characters in all)", cutRunes(msg, maxMessage), n)
	}
	return msg
}

// shownValue is s as a message shows a value written in a plan: whole
// when short, else cut.
func shownValue(s string) string {
	if len(s) <= clipAbove || utf8.RuneCountInString(s) <= clipAbove {
		return s
	}
	return fmt.Sprintf("%s", clipped(s))
}

// quoteShown is s quoted as a message shows a value: whole when short,
// else `"abc…" (1000000 characters)`.
func quoteShown(s string) string {
	if len(s) <= clipAbove || utf8.RuneCountInString(s) <= clipAbove {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q", clipped(s))
}

// cutRunes is the first n characters of s.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// joinShown joins values from a plan, each cut, with sep.
func joinShown(values []string, sep string) string {
	shown := make([]string, len(values))
	for i, v := range values {
		shown[i] = shownValue(v)
	}
	return strings.Join(shown, sep)
}

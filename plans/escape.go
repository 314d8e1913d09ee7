package plans

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A plan may hold control characters (an escape sequence that clears the
// screen, a bell) and bytes that are not UTF-8. Nothing of a plan is
// printed as it is: diagnostics show such characters escaped, as Go
// writes them in strings (\a, \x1b, \u202e, a stray byte as \xe9), in
// every output format and in the source line shown with a caret.

// Printable returns text from a plan (a description, a script line) as
// it may be printed: control characters but tabs, bidirectional controls
// and bytes that are not UTF-8 escaped as diagnostics show them (\x1b,
// \a, \u202e, \xe9).
func Printable(s string) string { return escapeText(s, true) }

// escapeText returns s with every character a terminal would act on
// escaped; keepTabs keeps tabs (a source line, whose caret lines up
// with them).
func escapeText(s string, keepTabs bool) string {
	out, _ := escapeLine(s, 0, keepTabs)
	return out
}

// escapeLine is escapeText that also moves column col (from 1; 0: none)
// to where its character is in the result.
func escapeLine(s string, col int, keepTabs bool) (string, int) {
	if !needsEscape(s, keepTabs) {
		return s, col
	}
	var b strings.Builder
	newCol, chars, written := col, 0, 0 // characters read, and written
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if chars++; chars == col {
			newCol = written + 1
		}
		switch {
		case r == utf8.RuneError && size == 1:
			esc := fmt.Sprintf(`\x%02x`, s[i])
			b.WriteString(esc)
			written += len(esc) // escapes are ASCII
		case mustEscape(r, keepTabs):
			esc := escapeRune(r)
			b.WriteString(esc)
			written += len(esc)
		default:
			b.WriteString(s[i : i+size])
			written++
		}
		i += size
	}
	if col > chars { // past the end of the line
		newCol = written + col - chars
	}
	return b.String(), newCol
}

// needsEscape reports whether s holds anything escapeLine changes.
func needsEscape(s string, keepTabs bool) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			if c == '\t' && keepTabs {
				continue
			}
			if c < 0x80 {
				return true
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || mustEscape(r, keepTabs) {
				return true
			}
			i += size - 1
		}
	}
	return false
}

// mustEscape reports whether a character is one a terminal acts on or
// that hides or reorders text: C0 and C1 controls, DEL, line and
// paragraph separators, and the bidirectional overrides and isolates.
func mustEscape(r rune, keepTabs bool) bool {
	switch {
	case r == '\t':
		return !keepTabs
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true
	}
	return false
}

// escapeRune writes a character as Go escapes it in a string.
func escapeRune(r rune) string {
	switch r {
	case '\a':
		return `\a`
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	case '\v':
		return `\v`
	}
	if r < 0x80 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

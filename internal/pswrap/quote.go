package pswrap

import (
	"strings"
	"unicode/utf8"
)

// singleQuotes are the characters PowerShell reads as a single quote:
// the apostrophe and U+2018–U+201B (domain.md G.3). Inside a
// single-quoted string each must be doubled to stand for itself.
const singleQuotes = "'\u2018\u2019\u201a\u201b"

// IsSingleQuote reports whether PowerShell reads r as a single quote.
func IsSingleQuote(r rune) bool { return strings.ContainsRune(singleQuotes, r) }

// Quote returns s as a PowerShell single-quoted string: verbatim (no $,
// backtick or $(…) expansion), every single-quote character doubled.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if IsSingleQuote(r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// dashes are the characters PowerShell accepts as a parameter's dash:
// the hyphen-minus and U+2013 (en dash), U+2014, U+2015.
const dashes = "-\u2013\u2014\u2015"

// IsDash reports whether PowerShell reads r as a parameter's dash.
func IsDash(r rune) bool { return strings.ContainsRune(dashes, r) }

// TrimDash removes one leading dash of any kind from a parameter name
// (–PoolState, pasted from the runbook, is -PoolState).
func TrimDash(name string) string {
	if r, n := utf8.DecodeRuneInString(name); IsDash(r) {
		return name[n:]
	}
	return name
}

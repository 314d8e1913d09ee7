package main

import (
	"bytes"
	"testing"
)

// TestPlanTextShowsNoControlCharacter writes values and descriptions that
// hold control characters as `failover plan` shows them: escaped, tabs
// in a block kept.
func TestPlanTextShowsNoControlCharacter(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"plain", "robocopy", "robocopy"},
		{"an escape sequence", "echo\x1b[2J", `"echo\x1b[2J"`},
		{"a bell in a list", []any{"a\ab"}, `["a\ab"]`},
		{"a tab", "a\tb", "a\tb"},
		{"two lines", "a\nb", `"a\nb"`},
	}
	for _, tt := range tests {
		if got := compact(tt.v); got != tt.want {
			t.Errorf("%s: compact = %q, want %q", tt.name, got, tt.want)
		}
	}
	var b bytes.Buffer
	writeLines(&b, "  ", "one \x1b[31mred\r\n\ttwo\a\u202e\n")
	if want := "  one \\x1b[31mred\n  \ttwo\\a\\u202e\n"; b.String() != want {
		t.Errorf("writeLines wrote %q, want %q", b.String(), want)
	}
}

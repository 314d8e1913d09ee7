package report

import (
	"testing"
	"time"
)

// Text from the journal never breaks a table or becomes markup.
func TestMarkdownEscaping(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"pipes and line breaks in a cell", text, "a | b\nc", `a \| b c`},
		{"markup is escaped", text, "<img src=x> *bold* [link](x) `code`", "\\<img src=x> \\*bold\\* \\[link](x) \\`code\\`"},
		{"a Windows path keeps its backslashes", text, `D:\LogShip\mgc`, `D:\LogShip\mgc`},
		{"a UNC path's doubled backslash is escaped", text, `\\dc1\share`, `\\\dc1\share`},
		{"DOMAIN\\user", text, `LITWARE\alice`, `LITWARE\alice`},
		{"a code span longer than the backticks inside", code, "a `b` c", "``a `b` c``"},
		{"a code span starting with a backtick", code, "`x", "`` `x ``"},
		{"a pipe in a cell's code span", cellCode, "a|b", "`a\\|b`"},
		{"empty code", code, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f(tt.in); got != tt.want {
				t.Errorf("%q → %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := fenced("x\n```\ny", "json"); got != "````json\nx\n```\ny\n````\n" {
		t.Errorf("fenced: %q", got)
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {1234 * time.Microsecond, "1ms"}, {2345 * time.Millisecond, "2.3s"}, {45 * time.Minute, "45m"},
		{time.Hour, "1h"}, {time.Hour + 30*time.Second, "1h0m30s"}, {90*time.Minute + 400*time.Millisecond, "1h30m"}, {-time.Minute, "-1m"}, {59989 * time.Millisecond, "1m"}, {999600 * time.Microsecond, "1s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

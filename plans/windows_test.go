package plans

import (
	"strings"
	"testing"
	"unicode/utf16"
)

// windowsPlan has an error, a warning, non-ASCII text, a tab inside a
// flow mapping and a literal block: each position must come out the same
// however the file was saved.
const windowsPlan = `version: 1
name: saved-on-windows
description: "Umschaltung – München"
secrets:
  pw: { env: PW }
steps:
  - id: a
    action: exec.run
    with: {	program: echo, args: ["Größe ${secrets.pw}"], dri: x }
  - id: b
    action: exec.run
    with:
      program: |
        echo eins
        echo ${vars.nope}
`

// TestFilesSavedOnWindows loads the same plan as written on Linux, with
// CRLF, with CRLF and a UTF-8 byte order mark, and as UTF-16 with CRLF
// (Windows PowerShell 5's ">"), and wants the same diagnostics at the
// same lines and columns.
func TestFilesSavedOnWindows(t *testing.T) {
	crlf := strings.ReplaceAll(windowsPlan, "\n", "\r\n")
	tests := []struct {
		name string
		data string
	}{
		{"LF", windowsPlan},
		{"CRLF", crlf},
		{"CRLF with a UTF-8 BOM", "\uFEFF" + crlf},
		{"UTF-16LE with CRLF", utf16LE("\uFEFF" + crlf)},
	}
	want := "p.yaml:9:59: error: unknown parameter \"dri\" for exec.run (did you mean \"dir\"?)\n" +
		"p.yaml:15:14: error: undefined variable \"nope\"\n" +
		"p.yaml:9:34: warning: secret \"pw\" is used in parameter \"args\" for exec.run, which is not marked secret: its value may be shown in output\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": tt.data})})
			if got := textOf(sortedBySeverity(ds)); got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func utf16LE(s string) string {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return string(b)
}

// sortedBySeverity puts errors first, keeping the order within each.
func sortedBySeverity(ds Diagnostics) Diagnostics {
	var out Diagnostics
	for _, sev := range []Severity{SeverityError, SeverityWarning} {
		for _, d := range ds {
			if d.Severity == sev {
				out = append(out, d)
			}
		}
	}
	return out
}

// TestSourceOffset checks the byte offset of a column (a character
// count), also far into a long line of non-ASCII text.
func TestSourceOffset(t *testing.T) {
	long := strings.Repeat("ä", 1000) + "X"
	src := newSource([]byte("ab\r\nüx–y\n" + long + "\n"))
	tests := []struct {
		name      string
		line, col int
		want      int
	}{
		{"first column", 1, 1, 0},
		{"ASCII", 1, 2, 1},
		{"just past the end", 1, 3, 2},
		{"past the end", 1, 4, -1},
		{"after an umlaut", 2, 2, 2},
		{"after an en dash", 2, 4, 6},
		{"far into a long line", 3, 1001, 2000},
		{"on a mark", 3, 1 + markEvery, 2 * markEvery},
		{"no such line", 9, 1, -1},
		{"column 0", 1, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := src.offset(tt.line, tt.col); got != tt.want {
				t.Errorf("offset(%d, %d) = %d, want %d", tt.line, tt.col, got, tt.want)
			}
		})
	}
	if got := src.runes(3); got != 1001 {
		t.Errorf("runes(3) = %d, want 1001", got)
	}
}

// TestHashSameOnWindows checks that a plan checked out with CRLF (git's
// autocrlf), or saved with a byte order mark or as UTF-16, has the hash
// of the same plan with LF: a run started on one machine resumes on
// another.
func TestHashSameOnWindows(t *testing.T) {
	const plan = "version: 1\nname: hashed\nsteps:\n  - id: a\n    action: exec.run\n    with:\n" +
		"      program: sh\n      args:\n        - -c\n        - |\n          echo eins – zwei\n          echo drei\n"
	crlf := strings.ReplaceAll(plan, "\n", "\r\n")
	want := mustLoad(t, "p.yaml", Options{ReadFile: memFiles(map[string]string{"p.yaml": plan})}).Hash
	for name, data := range map[string]string{"CRLF": crlf, "BOM": "\uFEFF" + crlf, "UTF-16LE": utf16LE("\uFEFF" + crlf)} {
		t.Run(name, func(t *testing.T) {
			if got := mustLoad(t, "p.yaml", Options{ReadFile: memFiles(map[string]string{"p.yaml": data})}).Hash; got != want {
				t.Errorf("hash %s, want %s (as with LF)", got, want)
			}
		})
	}
}

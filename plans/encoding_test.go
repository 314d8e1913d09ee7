package plans

import (
	"bytes"
	"strings"
	"testing"
)

// TestEncodingErrorsAtTheirPlace loads files holding what YAML does not
// allow: each finding is at the line and column of the character, the
// first of its line, whatever line breaks and byte order mark the file
// has.
func TestEncodingErrorsAtTheirPlace(t *testing.T) {
	head := "version: 1\nname: x\nsteps:\n  - id: a\n    action: exec.run\n"
	tests := []struct {
		name string
		text string
		want []string // location: message, in order
	}{
		{"a bell on line 6, not UTF-8 on line 7", head + "    with: { program: \"echo\a\" }\n    description: caf\xe9\n",
			[]string{`p.yaml:6:27: invalid YAML: control character \a (U+0007) is not allowed`,
				`p.yaml:7:21: invalid YAML: byte \xe9 is not UTF-8 (save the file as UTF-8)`}},
		{"several on one line", "# \x1b[2J\x1b[31m\n" + head, []string{`p.yaml:1:3: invalid YAML: control character \x1b (U+001B) is not allowed (and 1 more on this line)`}},
		{"CRLF line breaks", strings.ReplaceAll(head, "\n", "\r\n") + "    description: \x00\r\n",
			[]string{`p.yaml:6:18: invalid YAML: control character \x00 (U+0000) is not allowed`}},
		{"a byte order mark", "\xef\xbb\xbf" + head + "    description: \x7f\n",
			[]string{`p.yaml:6:18: invalid YAML: control character \x7f (U+007F) is not allowed`}},
		{"a C1 control", head + "    description: a\u009bb\n", []string{`p.yaml:6:19: invalid YAML: control character \u009b (U+009B) is not allowed`}},
		{"UTF-16", "\xff\xfe" + utf16le(head+"    description: \x07\n"), []string{`p.yaml:6:18: invalid YAML: control character \a (U+0007) is not allowed`}},
		{"many lines", strings.Repeat("# \x07\n", 15) + head, []string{
			"p.yaml:1:3", "p.yaml:2:3", "p.yaml:3:3", "p.yaml:4:3", "p.yaml:5:3", "p.yaml:6:3", "p.yaml:7:3", "p.yaml:8:3", "p.yaml:9:3", "p.yaml:10:3",
			"p.yaml: invalid YAML: 5 more lines hold characters that are not allowed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": tt.text})})
			if p != nil || len(ds) != len(tt.want) {
				t.Fatalf("want %d findings, got:\n%s", len(tt.want), textOf(ds))
			}
			for i, d := range ds {
				if got := location(d.Pos) + ": " + d.Message; !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("finding %d: %s\nwant %s", i, got, tt.want[i])
				}
			}
		})
	}
}

func utf16le(s string) string {
	var b bytes.Buffer
	for _, r := range s { // ASCII only
		b.WriteByte(byte(r))
		b.WriteByte(0)
	}
	return b.String()
}

// TestNoControlCharacterPrinted renders findings whose messages and file
// names hold what a terminal acts on, in every format: none is printed
// as it is.
func TestNoControlCharacterPrinted(t *testing.T) {
	ds := Diagnostics{
		{Severity: SeverityError, Pos: Pos{File: "a\x1b[2J.yaml", Line: 1, Col: 3}, Message: "unknown action type \x1b]0;pwned\a\u202e"},
		{Severity: SeverityWarning, Pos: Pos{File: "b.yaml", Line: 1, Col: 5}, Message: "bad\xe9 byte\r\nforged: line"},
	}
	read := func(path string) ([]byte, error) { return []byte("a: \x1b[31mred\tand \x07 bell\n"), nil }
	renders := map[string]func(*bytes.Buffer) error{
		"text":   func(b *bytes.Buffer) error { return RenderText(b, ds, read) },
		"json":   func(b *bytes.Buffer) error { return RenderJSON(b, ds) },
		"github": func(b *bytes.Buffer) error { return RenderGitHub(b, ds) },
		"sarif":  func(b *bytes.Buffer) error { return RenderSARIF(b, ds) },
	}
	for name, render := range renders {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			for _, c := range []string{"\x1b", "\a", "\r", "\u202e", "\xe9", "\nforged"} {
				if strings.Contains(b.String(), c) {
					t.Errorf("output holds %q:\n%s", c, b.String())
				}
			}
			// escaped as Go writes it (in JSON, its backslashes escaped again), not as
			// JSON alone would (\u001b)
			if !strings.Contains(b.String(), `x1b]0;pwned`) || !strings.Contains(b.String(), `u202e`) {
				t.Errorf("output lacks the escaped message:\n%s", b.String())
			}
		})
	}
}

// TestCaretUnderEscapedLine shows a source line holding escapes: the
// caret stays under the character the finding is at, tabs kept.
func TestCaretUnderEscapedLine(t *testing.T) {
	ds := Diagnostics{{Severity: SeverityError, Pos: Pos{File: "p.yaml", Line: 1, Col: 9}, Message: "m"}}
	read := func(string) ([]byte, error) { return []byte("\ta\x1b[1m\xe9 x\n"), nil }
	var b bytes.Buffer
	if err := RenderText(&b, ds, read); err != nil {
		t.Fatal(err)
	}
	want := "p.yaml:1:9: error: m\n\ta\\x1b[1m\\xe9 x\n\t             ^\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

package plans

import (
	"strings"
	"testing"
)

// TestSyntaxErrorPositions checks that YAML syntax errors point at the
// line and column of the mistake (yaml.v3 reports parser errors one line
// early and never a column) and carry a hint for the usual mistakes.
func TestSyntaxErrorPositions(t *testing.T) {
	const head = "version: 1\nname: p\nsteps:\n  - id: a\n    action: exec.run\n"
	tests := []struct {
		name string
		src  string
		want string // the rendered diagnostic's first line
	}{
		{"unquoted reference in a flow mapping", head + "    with: { program: ${vars.x} }\n",
			`p.yaml:6:11: error: invalid YAML: did not find expected ',' or '}' (inside { } and [ ], quote a value that starts with ${: "${vars.x}")`},
		{"unquoted reference in a flow sequence", head + "    with: { program: x, args: [${vars.x}] }\n",
			`p.yaml:6:31: error: invalid YAML: did not find expected ',' or ']' (inside { } and [ ], quote a value that starts with ${: "${vars.x}")`},
		{"unclosed flow mapping", head + "    with: { program: x\n  - id: b\n",
			`p.yaml:6:11: error: invalid YAML: did not find expected ',' or '}'`},
		{"Windows path in double quotes", head + "    with: { program: \"C:\\Windows\\cmd.exe\" }\n",
			`p.yaml:6:25: error: invalid YAML: found unknown escape character (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`},
		{"tab indentation", head + "\twith: {}\n",
			`p.yaml:6:1: error: invalid YAML: found a tab character that violates indentation (indent with spaces, not tabs)`},
		{"tab starting a list item", "version: 1\nname: p\nsteps:\n\t- id: a\n",
			`p.yaml:4:1: error: invalid YAML: found character that cannot start any token (indent with spaces, not tabs)`},
		{"open list at the end of the file", head + "    with: { program: x, args: [\n\n\n",
			`p.yaml:6:5: error: invalid YAML: did not find expected node content`},
		{"scanner error keeps its line", head + "    with: x: y\n",
			`p.yaml:6:5: error: invalid YAML: mapping values are not allowed in this context`},
		{"indented key", "version: 1\nname: p\n  steps: []\n",
			`p.yaml:3:3: error: invalid YAML: mapping values are not allowed in this context`},
		{"Windows path with \\t then \\B", head + "    with: { program: \"C:\\tools\\Bin\\x.exe\" }\n",
			`p.yaml:6:31: error: invalid YAML: found unknown escape character (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`},
		{"Windows path with \\x", head + "    with: { program: \"D:\\tools\\x.exe\" }\n",
			`p.yaml:6:31: error: invalid YAML: did not find expected hexdecimal number (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`},
		{"UNC share with \\\\ then \\u", head + "    with: { program: \"\\\\srv\\users\" }\n",
			`p.yaml:6:28: error: invalid YAML: did not find expected hexdecimal number (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`},
		{"Windows path on the first line after a byte order mark", "\xEF\xBB\xBFname: \"D:\\Backup\"\r\nversion: 1\r\n",
			`p.yaml:1:10: error: invalid YAML: found unknown escape character (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := parseFile("p.yaml", []byte(tt.src))
			if len(ds) != 1 {
				t.Fatalf("want one diagnostic, got:\n%s", textOf(ds))
			}
			if got, _, _ := strings.Cut(textOf(ds), "\n"); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestEscapedPathWarning checks the warning about Windows paths that
// YAML's double-quote escapes mangled, and that nothing else draws it.
func TestEscapedPathWarning(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // the rendered first line, or "" for no diagnostic
	}{
		{"line separator", `p: "D:\LogShip"`, `p.yaml:1:4: warning: this double-quoted string holds a line separator (\L) where`},
		{"tab", `p: "C:\temp"`, `p.yaml:1:4: warning: this double-quoted string holds a tab (\t) where`},
		{"UNC share", `p: "\\\\dc1-sql01\\logship\new"`, `p.yaml:1:4: warning: this double-quoted string holds a line feed (\n) where`},
		{"doubled backslashes", `p: "D:\\LogShip\\new"`, ""},
		{"single quotes", `p: 'D:\LogShip'`, ""},
		{"plain", `p: D:\LogShip`, ""},
		{"a message with a line feed", `p: "done:\nnext"`, ""},
		{"a sentence with a line feed", `p: "first line\nsecond line"`, ""},
		{"a printf format", `p: "%s\t%s"`, ""},
		{"DOMAIN\\user", `p: "CORP\nadmin"`, `p.yaml:1:4: warning: this double-quoted string holds a line feed (\n) where`},
		{"host\\instance", `p: "dc2-sql01\tMGC"`, `p.yaml:1:4: warning: this double-quoted string holds a tab (\t) where`},
		{"alias warns once, at the value", "a: &x \"D:\\new\"\nb: *x\nc: *x", `p.yaml:1:7: warning: this double-quoted string holds a line feed (\n) where`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := parseFile("p.yaml", []byte(tt.src))
			if tt.want == "" {
				if len(ds) != 0 {
					t.Fatalf("want no diagnostic, got:\n%s", textOf(ds))
				}
				return
			}
			if len(ds) != 1 || !strings.HasPrefix(textOf(ds), tt.want) {
				t.Errorf("got:\n%s\nwant one diagnostic starting %s", textOf(ds), tt.want)
			}
		})
	}
}

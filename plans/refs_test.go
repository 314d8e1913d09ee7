package plans

import (
	"reflect"
	"strings"
	"testing"
)

func TestScanTemplate(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		parts []string // literals as written, references as ${…}
		err   string
	}{
		{"plain", `D:\LogShip\mgc`, []string{`D:\LogShip\mgc`}, ""},
		{"dollars without braces", "cost $5 or $$", []string{"cost $5 or $$"}, ""},
		{"escaped", "$${vars.x}", []string{"${vars.x}"}, ""},
		{"mixed", "a${vars.x}b$${c}${env.HOME}", []string{"a", "${vars.x}", "b${c}", "${env.HOME}"}, ""},
		{"index into a var", "${vars.paths.logs}", []string{"${vars.paths.logs}"}, ""},
		{"trailing dollar", "x$", []string{"x$"}, ""},
		{"unterminated", "a${vars.x", nil, "unterminated reference"},
		{"no name", "${vars}", nil, "name a variable"},
		{"unknown scope", "${foo.x}", nil, `unknown scope "foo"`},
		{"empty", "${}", nil, "empty reference"},
		{"empty segment", "${vars..x}", nil, "empty name between dots"},
		{"bad character", "${vars.a b}", nil, "may hold only"},
		{"steps shape", "${steps.a.b}", nil, "want ${steps.ID.outputs.KEY}"},
		{"plan scope", "${plan.id}", nil, "only ${plan.name}"},
		{"run scope", "${run.name}", nil, "only ${run.id}"},
		{"secrets shape", "${secrets.a.b}", nil, "want ${secrets.NAME}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, errs := scanTemplate(tt.in)
			if tt.err != "" {
				if len(errs) != 1 || !strings.Contains(errs[0].msg, tt.err) {
					t.Fatalf("errors = %+v, want one containing %q", errs, tt.err)
				}
				return
			}
			if len(errs) > 0 {
				t.Fatalf("unexpected errors %+v", errs)
			}
			var got []string
			for _, p := range parts {
				if p.isRef {
					got = append(got, p.text)
				} else {
					got = append(got, p.lit)
				}
			}
			if !reflect.DeepEqual(got, tt.parts) {
				t.Errorf("parts = %q, want %q", got, tt.parts)
			}
		})
	}
}

// TestReferenceColumns checks that a reference is reported at its column
// in the source line: characters, not bytes, and the quotes and escapes
// written before it counted, also after an anchor or a tag and inside a
// scalar written on several lines.
func TestReferenceColumns(t *testing.T) {
	tests := []struct {
		name, value string
		line, want  int // line (0: the key's) and column of the $ of ${vars.nope}
	}{
		{"plain", `program: ab ${vars.nope}`, 0, 13},
		{"double quoted", `program: "ab ${vars.nope}"`, 0, 14},
		{"non-ASCII before", `program: "üü ${vars.nope}"`, 0, 14},
		{"escaped backslashes", `program: "C:\\x\\${vars.nope}"`, 0, 18},
		{"escaped quote and tab", `program: "a\"\t${vars.nope}"`, 0, 16},
		{"single quoted with a quote", `program: 'it''s ${vars.nope}'`, 0, 17},
		{"anchored", `program: &p "ab ${vars.nope}"`, 0, 17},
		{"a \\u escape before", `program: "\u00fc\u2013 ${vars.nope}"`, 0, 24},
		{"a tab written as a tab in double quotes", "program: \"a\t${vars.nope}\"", 0, 13},
		{"tagged", `program: !!str ab ${vars.nope}`, 0, 19},
		{"literal block", "program: |\n  echo one\n    two ${vars.nope}", 2, 9},
		{"folded block", "program: >-\n  folded\n  more ${vars.nope}", 2, 8},
		{"literal block after a blank line", "program: |\n  one\n\n  ü ${vars.nope}", 3, 5},
		{"second of the same reference (each is reported)", "program: |\n  ${vars.nope}\n  x ${vars.nope}", 2, 5},
		{"quoted on two lines", "program: \"quoted\n  then ${vars.nope}\"", 1, 8},
		{"plain on two lines", "program: plain\n  then ${vars.nope}", 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\nname: cols\nsteps:\n  - id: a\n    action: exec.run\n    with:\n      " +
				strings.ReplaceAll(tt.value, "\n", "\n      ") + "\n"
			_, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": src})})
			want := Pos{File: "p.yaml", Line: 7 + tt.line, Col: tt.want + 6}
			if len(ds) == 0 || len(ds) > 2 || ds[len(ds)-1].Pos != want {
				t.Errorf("want the last finding at %d:%d, got:\n%s", want.Line, want.Col, textOf(ds))
			}
		})
	}
}

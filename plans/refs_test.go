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
// written before it counted.
func TestReferenceColumns(t *testing.T) {
	tests := []struct {
		name, value string
		want        int // column of the $ of ${vars.nope}
	}{
		{"plain", `program: ab ${vars.nope}`, 13},
		{"double quoted", `program: "ab ${vars.nope}"`, 14},
		{"non-ASCII before", `program: "üü ${vars.nope}"`, 14},
		{"escaped backslashes", `program: "C:\\x\\${vars.nope}"`, 18},
		{"escaped quote and tab", `program: "a\"\t${vars.nope}"`, 16},
		{"single quoted with a quote", `program: 'it''s ${vars.nope}'`, 17},
		{"folded block: the indicator", "program: >-\n  folded ${vars.nope}", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\nname: cols\nsteps:\n  - id: a\n    action: exec.run\n    with:\n      " +
				strings.ReplaceAll(tt.value, "\n", "\n      ") + "\n"
			_, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": src})})
			if len(ds) != 1 || ds[0].Pos.Line != 7 || ds[0].Pos.Col != tt.want+6 {
				t.Errorf("want one finding at 7:%d, got:\n%s", tt.want+6, textOf(ds))
			}
		})
	}
}

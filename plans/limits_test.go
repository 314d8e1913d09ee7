package plans

import (
	"strings"
	"testing"
)

// aliasBomb nests aliases eight levels deep, ten each: 10^8 values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\nname: x\nvars:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, c := range "bcdefgh" {
		b.WriteString("  " + string(c) + ": &" + string(c) + " [")
		b.WriteString(strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n")
		prev = string(c)
	}
	b.WriteString("steps: []\n")
	return b.String()
}

// varBomb doubles a list through 25 vars: 2^25 values.
func varBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\nname: x\nvars:\n  a: [x, x]\n")
	prev := "a"
	for _, c := range "bcdefghijklmnopqrstuvwxyz" {
		b.WriteString("  " + string(c) + ": ['${vars." + prev + "}', '${vars." + prev + "}']\n")
		prev = string(c)
	}
	b.WriteString("steps: []\n")
	return b.String()
}

func TestLoadLimits(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"alias bomb", aliasBomb(), "aliases expand to more than 100000 values"},
		{"var bomb", varBomb(), `variable "m" expands to more than 10000 values`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(map[string]string{"p.yaml": tt.text})})
			if p != nil || len(ds) == 0 || !strings.Contains(ds[0].Message, tt.want) {
				t.Errorf("want first an error %q, got:\n%s", tt.want, textOf(ds))
			}
		})
	}
}

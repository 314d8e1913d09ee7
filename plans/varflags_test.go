package plans

import (
	"testing"
)

// TestVarFlagTypes checks that a --var keeps the type of the var it
// overrides when its text reads as one, and is a string otherwise.
func TestVarFlagTypes(t *testing.T) {
	files := map[string]string{
		"plan.yaml": "version: 1\nname: flags\n" +
			"vars: { count: 3, ratio: 0.5, on: true, text: '5', list: [a] }\n" +
			"steps:\n  - { id: s, action: approval }\n",
		"ints.yaml": "fromfile: 7\n",
	}
	tests := []struct {
		name  string
		flags []string
		want  any
	}{
		{"integer stays an integer", []string{"count=5"}, int64(5)},
		{"negative integer", []string{"count=-2"}, int64(-2)},
		{"not an integer stays text", []string{"count=five"}, "five"},
		{"number stays a number", []string{"ratio=2.5"}, 2.5},
		{"boolean stays a boolean", []string{"on=false"}, false},
		{"boolean in capitals", []string{"on=TRUE"}, true},
		{"one letter is not a boolean", []string{"on=f"}, "f"},
		{"quoted string stays text", []string{"text=7"}, "7"},
		{"list var is replaced by text", []string{"list=x"}, "x"},
		{"undeclared var is text", []string{"other=9"}, "9"},
		{"type of a vars file value", []string{"fromfile=8"}, int64(8)},
		{"type of an earlier --var", []string{"count=5", "count=6"}, int64(6)},
		{"empty value", []string{"count="}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(files),
				VarsFiles: []string{"ints.yaml"}, Vars: tt.flags})
			name, _, err := ParseVarFlag(tt.flags[len(tt.flags)-1])
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Vars[name]; got != tt.want {
				t.Errorf("vars.%s = %#v, want %#v", name, got, tt.want)
			}
		})
	}
}

// TestVarFlagFitsTypedFields checks the point of typed --var values: a
// number or boolean given on the command line fits the fields that take
// one, and a text that is not one is reported where the var is used.
func TestVarFlagFitsTypedFields(t *testing.T) {
	files := map[string]string{"plan.yaml": "version: 1\nname: flags\nvars: { attempts: 2, cont: false }\n" +
		"steps:\n  - id: s\n    action: approval\n" +
		"    retry: { attempts: \"${vars.attempts}\" }\n    continue_on_failure: \"${vars.cont}\"\n"}
	p := mustLoad(t, "plan.yaml", Options{ReadFile: memFiles(files), Vars: []string{"attempts=5", "cont=true"}})
	if s := p.Steps[0]; s.Retry.Attempts != 5 || !s.ContinueOnFailure {
		t.Errorf("attempts %d, continue_on_failure %v; want 5, true", s.Retry.Attempts, s.ContinueOnFailure)
	}
	_, ds := Load("plan.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(files), Vars: []string{"attempts=many"}})
	if len(ds) != 1 || ds[0].Pos.Line != 7 || ds[0].Message != `attempts must be an integer, got "many"` {
		t.Errorf("want one error at line 7 about attempts, got:\n%s", textOf(ds))
	}
}

// TestUnusedVarFlag checks that a --var the plan neither declares nor
// uses is a warning (with a suggestion), and one it uses is not.
func TestUnusedVarFlag(t *testing.T) {
	files := map[string]string{
		"plan.yaml": "version: 1\nname: flags\nvars: { database: mgc }\n" +
			"steps:\n  - { id: s, action: exec.run, with: { program: \"${vars.tool}\" } }\n",
		"site.yaml": "site: dc2\n",
	}
	tests := []struct {
		name  string
		flags []string
		want  string // "" for no finding
	}{
		{"declared", []string{"tool=x", "database=db2"}, ""},
		{"used but not declared", []string{"tool=x"}, ""},
		{"declared in a vars file", []string{"tool=x", "site=dc3"}, ""},
		{"misspelt", []string{"tool=x", "databse=db2"},
			`--var databse=db2: warning: plan plan.yaml neither declares nor uses a var "databse", so this --var changes nothing (did you mean "database"?)` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Load("plan.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(files),
				VarsFiles: []string{"site.yaml"}, Vars: tt.flags})
			if p == nil || textOf(ds) != tt.want {
				t.Errorf("got plan %v and:\n%s\nwant:\n%s", p != nil, textOf(ds), tt.want)
			}
		})
	}
}

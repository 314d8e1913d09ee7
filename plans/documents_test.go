package plans

import (
	"strings"
	"testing"
)

// TestOneDocumentPerFile checks that what follows a "---" separator is
// never dropped without a word, in plans and vars files alike, while a
// bare separator before or after the document is harmless.
func TestOneDocumentPerFile(t *testing.T) {
	const plan = "version: 1\nname: docs\nsteps:\n  - { id: a, action: approval }\n"
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  string // "" for a valid plan
	}{
		{"leading separator", map[string]string{"plan.yaml": "---\n" + plan}, Options{}, ""},
		{"trailing separator", map[string]string{"plan.yaml": plan + "---\n"}, Options{}, ""},
		{"document end marker", map[string]string{"plan.yaml": plan + "...\n"}, Options{}, ""},
		{"second plan document", map[string]string{"plan.yaml": plan + "---\nsteps: []\n"}, Options{},
			"plan.yaml:5:1: error: a second YAML document starts here"},
		{"broken second document", map[string]string{"plan.yaml": plan + "---\n- [\n"}, Options{},
			"plan.yaml:6:1: error: invalid YAML"},
		{"empty documents, then a third", map[string]string{"plan.yaml": plan + "---\n# nothing\n---\nname: x\n"}, Options{},
			"plan.yaml:7:1: error: a second YAML document starts here"},
		{"only a separator", map[string]string{"plan.yaml": "---\n# nothing yet\n"}, Options{},
			"plan.yaml:1:1: error: file is empty"},
		{"second vars document", map[string]string{"plan.yaml": plan, "v.yaml": "a: 1\n---\nb: 2\n"},
			Options{VarsFiles: []string{"v.yaml"}}, "v.yaml:2:1: error: a second YAML document starts here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Registry = testRegistry()
			tt.opts.ReadFile = memFiles(tt.files)
			p, ds := Load("plan.yaml", tt.opts)
			got := textOf(ds)
			if tt.want == "" {
				if p == nil || len(ds) != 0 {
					t.Fatalf("want a valid plan without findings, got:\n%s", got)
				}
				return
			}
			if p != nil || !strings.HasPrefix(got, tt.want) || strings.Count(got, ": error: ") != 1 {
				t.Errorf("want one error starting %q, got:\n%s", tt.want, got)
			}
		})
	}
}

package plans

import (
	"reflect"
	"testing"
)

func TestBaseFiles(t *testing.T) {
	files := map[string]string{
		"dc2/plan.yaml":    "version: 1\nname: p\nextends: ..\\common\\site.yaml\n",
		"common/site.yaml": "extends: base.yaml\n",
		"common/base.yaml": "vars: { a: 1 }\n",
		"loop/a.yaml":      "extends: b.yaml\n",
		"loop/b.yaml":      "extends: a.yaml\n",
		"broken/plan.yaml": "extends: missing.yaml\n",
		"bad/plan.yaml":    "extends: [a, b]\n",
		"syntax/plan.yaml": "extends: base.yaml\n",
		"syntax/base.yaml": "extends: [\n",
		"alone/plan.yaml":  "version: 1\n",
	}
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"chain, Windows separators", "dc2/plan.yaml", []string{"common/site.yaml", "common/base.yaml"}},
		{"cycle stops", "loop/a.yaml", []string{"loop/b.yaml"}},
		{"missing base is listed", "broken/plan.yaml", []string{"broken/missing.yaml"}},
		{"extends not a path", "bad/plan.yaml", nil},
		{"base that does not parse", "syntax/plan.yaml", []string{"syntax/base.yaml"}},
		{"no extends", "alone/plan.yaml", nil},
		{"unreadable plan", "nope.yaml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := BaseFiles(tt.path, Options{ReadFile: memFiles(files)})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("BaseFiles(%s) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

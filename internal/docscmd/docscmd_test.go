package docscmd

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"failover validate 'examples/**/*.yaml'   # what CI runs", []string{"failover", "validate", "examples/**/*.yaml"}},
		{`failover plan --var "pool=a b" x.yaml > out`, []string{"failover", "plan", "--var", "pool=a b", "x.yaml"}},
		{"echo y | failover apply", []string{"echo", "y"}},
		{"failover a;b", []string{"failover", "a"}},
	}
	for _, tt := range tests {
		if got := split(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("split(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

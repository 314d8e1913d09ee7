package builtin

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestNewRegistersEveryFamily(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		kind actions.Kind
		want []string
	}{
		{name: "actions", kind: actions.KindAction, want: []string{"approval", "exec.run", "wait"}},
		{name: "checks", kind: actions.KindCheck, want: []string{"exec.check", "fs.exists", "tcp.reachable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Names(tt.kind)
			for _, w := range tt.want {
				if !contains(got, w) {
					t.Errorf("%s = %v, missing %s", tt.name, got, w)
				}
			}
		})
	}
	var targets []string
	for _, tt := range r.TargetTypes() {
		targets = append(targets, tt.Name)
	}
	if got := strings.Join(targets, ","); got != "host,powershell,sqlserver" {
		t.Errorf("target types = %s, want host,powershell,sqlserver", got)
	}
}

// TestEveryTypeIsDocumented guards the reference: every type, param
// and output has a doc text.
func TestEveryTypeIsDocumented(t *testing.T) {
	r := New()
	for _, typ := range r.Types("") {
		t.Run(typ.Name, func(t *testing.T) {
			if typ.Doc == "" {
				t.Error("type has no Doc")
			}
			for _, s := range r.ParamSpecs(typ.Name) {
				if s.Doc == "" {
					t.Errorf("param %s has no doc", s.Name)
				}
			}
			for _, o := range typ.Outputs {
				if o.Doc == "" {
					t.Errorf("output %s has no doc", o.Name)
				}
			}
			for _, tn := range typ.Targets {
				if r.TargetType(tn) == nil {
					t.Errorf("accepts unknown target type %s", tn)
				}
			}
		})
	}
	for _, tt := range r.TargetTypes() {
		for _, s := range r.TargetSpecs(tt.Name) {
			if s.Doc == "" {
				t.Errorf("target type %s field %s has no doc", tt.Name, s.Name)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

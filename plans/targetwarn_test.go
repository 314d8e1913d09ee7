package plans

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
)

// tlsTarget is a target type whose Warner speaks of encrypt.
type tlsTarget struct {
	Server   string `param:"server,required" doc:"Host."`
	Password string `param:"password,secret" doc:"Password."`
	Encrypt  string `param:"encrypt" doc:"TLS mode."`
}

type tlsRules struct{}

func (tlsRules) Warnings(p *tlsTarget) []string {
	if p.Encrypt == "disable" {
		return []string{"encrypt: disable sends everything in clear text"}
	}
	return nil
}

func TestTargetWarnings(t *testing.T) {
	tests := []struct {
		name   string
		target string
		want   string // the warning's text, "" for none
	}{
		{name: "static fields", target: `{ type: tls, server: s1, encrypt: disable }`,
			want: `7:3: warning: target "sql": encrypt: disable sends everything in clear text`},
		{name: "a secret beside", target: `{ type: tls, server: s1, password: "${secrets.pw}", encrypt: disable }`,
			want: `7:3: warning: target "sql": encrypt: disable sends everything in clear text`},
		{name: "encrypt from the environment is not known", target: `{ type: tls, server: s1, encrypt: "${env.TLS}" }`},
		{name: "encrypted", target: `{ type: tls, server: s1 }`},
	}
	r := actions.NewRegistry()
	r.RegisterTarget(actions.DefineTarget[tlsTarget](actions.TargetType{Name: "tls"}, tlsRules{}))
	r.Register(actions.Define[actions.None](actions.Type{Name: "approval", Kind: actions.KindAction}, noRun[actions.None]{}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := "version: 1\nname: warn\nsecrets:\n  pw: { env: PW }\n" +
				"targets:\n  # the target\n  sql: " + tt.target + "\nsteps:\n  - id: a\n    action: approval\n"
			p, ds := Load("plan.yaml", Options{Registry: r, ReadFile: memFiles(map[string]string{"plan.yaml": plan})})
			if p == nil || ds.HasErrors() {
				t.Fatalf("load: %s", textOf(ds))
			}
			got := textOf(ds)
			if tt.want == "" && strings.Contains(got, "warning") || tt.want != "" && !strings.Contains(got, "plan.yaml:"+tt.want) {
				t.Errorf("diagnostics:\n%s\nwant %q", got, tt.want)
			}
		})
	}
}

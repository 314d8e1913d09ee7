package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/plans"
)

// TestTargetsYAMLIsABasePlan loads a plan that extends targets.yaml with
// the real plan loader and registry: the lab's targets must validate as
// sqlserver targets and bring their secret along.
func TestTargetsYAMLIsABasePlan(t *testing.T) {
	dir := t.TempDir()
	info := testInfo()
	info.Dir = dir
	b, err := info.targetsYAML()
	if err != nil {
		t.Fatal(err)
	}
	targets := filepath.Join(dir, "targets.yaml")
	if err := os.WriteFile(targets, b, 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(dir, "plan.yaml")
	body := "version: 1\nname: lab-drill\nextends: " + targets + "\nsteps:\n  - id: settle\n    action: wait\n    with: { duration: 1s }\n"
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	p, diags := plans.Load(plan, plans.Options{Registry: builtin.New()})
	if diags.HasErrors() {
		t.Fatalf("a plan extending targets.yaml is invalid:\n%v", diags)
	}
	for _, name := range []string{"primary_sql", "backup_sql", "primary_sql_reader", "backup_sql_reader"} {
		if tg := p.Targets[name]; tg == nil || tg.Type != "sqlserver" {
			t.Errorf("target %s: %+v, want a sqlserver target", name, tg)
		}
	}
	for _, s := range []string{"lab_password", "lab_reader_password"} {
		if p.Secrets[s] == nil {
			t.Errorf("the plan has no secret %s", s)
		}
	}
}

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
	for _, name := range []string{"primary_sql", "backup_sql", "backup_mirror_sql", "primary_sql_reader", "backup_sql_reader", "backup_mirror_sql_reader"} {
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

// onePlan is a plan as a failover plan names its folders: as SQL Server
// names them, and (defaulting to the same) as file steps reach them.
const onePlan = `version: 1
name: one-plan
vars:
  database: mgc
  share: '\\dc1-fs01.litwareinc.com\LSBackup'
  copy_dir: 'D:\LSCopy\mgc'
  share_local: "${vars.share}"
  copy_dir_local: "${vars.copy_dir}"
  backup_sql_server: dc2-sql01.litwareinc.com
  backup_sql_port: 1433
  backup_sql_user: failover
  sql_encrypt: "true"
  sql_ca_file: ""
secrets:
  sql_password: { env: FAILOVER_SQL_PASSWORD }
targets:
  backup_sql:
    type: sqlserver
    server: ${vars.backup_sql_server}
    port: ${vars.backup_sql_port}
    user: ${vars.backup_sql_user}
    password: ${secrets.sql_password}
    encrypt: ${vars.sql_encrypt}
    ca_file: ${vars.sql_ca_file}
steps:
  - id: share-there
    action: wait
    with: { duration: 1ms }
`

// TestOnePlanLabAndProduction: the same plan text, with the lab's vars
// file, points its file steps at the lab's folders while SQL Server sees
// the Windows paths the lab maps; without it, both are the production
// paths.
func TestOnePlanLabAndProduction(t *testing.T) {
	dir := t.TempDir()
	info := testInfo()
	info.Dir = dir
	b, err := info.varsYAML()
	if err != nil {
		t.Fatal(err)
	}
	vars := filepath.Join(dir, varsFileName)
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(vars, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plan, []byte(onePlan), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		varsFiles []string
		want      map[string]any
	}{
		{"production", nil, map[string]any{"share": `\\dc1-fs01.litwareinc.com\LSBackup`, "share_local": `\\dc1-fs01.litwareinc.com\LSBackup`,
			"copy_dir": `D:\LSCopy\mgc`, "copy_dir_local": `D:\LSCopy\mgc`}},
		{"lab", []string{vars}, map[string]any{"share": `\\DC1-FS01\LSBackup`, "share_local": "/labs/drill/share",
			"copy_dir": `D:\LSCopy\mgc`, "copy_dir_local": "/labs/drill/copy", "backup_sql_server": "127.0.0.1",
			"backup_sql_port": int64(51434), "sql_ca_file": "/labs/drill/tls/ca.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := plans.Load(plan, plans.Options{Registry: builtin.New(), VarsFiles: tt.varsFiles})
			if diags.HasErrors() {
				t.Fatalf("invalid:\n%v", diags)
			}
			for k, want := range tt.want {
				if got := p.Vars[k]; got != want {
					t.Errorf("vars.%s = %#v, want %#v", k, got, want)
				}
			}
		})
	}
}

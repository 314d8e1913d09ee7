package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/plans"
)

// TestLyncShellThroughTargetsYAML runs ps.invoke on the lync target that
// up wrote, through the real plan loader, registry and os/exec path, and
// shows the lab's SQL and Lync halves agree: a mirror of mgc cannot be
// installed while mgc is RESTORING on BACKUP, and can once it is ONLINE:
// the shell (another process) sets the session up in the running lab's
// SQL Server, which lync status then lists.
func TestLyncShellThroughTargetsYAML(t *testing.T) {
	dir, env := upLab(t)
	if env["FAILOVER_LAB_SHELL"] == "" || env["FAILOVER_LAB_POOL"] != "atl-cs-001.litwareinc.com" {
		t.Fatalf("lab.env: shell %q, pool %q", env["FAILOVER_LAB_SHELL"], env["FAILOVER_LAB_POOL"])
	}
	t.Setenv("FAILOVER_LAB_TEST_MAIN", "1") // the shell is this test binary
	targets := filepath.Join(dir, "targets.yaml")
	plan := filepath.Join(t.TempDir(), "plan.yaml")
	body := "version: 1\nname: lab-lync\nextends: " + targets + "\nsteps:\n" +
		"  - id: fail-over\n    action: ps.invoke\n    target: lync\n" +
		"    with: { cmdlet: Set-CsPersistentChatState, params: { Identity: \"service:${vars.lab_pool}\", PoolState: FailedOver } }\n"
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, diags := plans.Load(plan, plans.Options{Registry: builtin.New()}); diags.HasErrors() {
		t.Fatalf("a plan using the lync target is invalid:\n%v", diags)
	}

	run := lyncRunner(t, targets)
	mirror := map[string]any{"DatabaseType": "PersistentChat", "SqlServerFqdn": "dc2-sql01.litwareinc.com", "FileShare": filepath.Join(dir, "share")}
	if _, err := run("Install-CsMirrorDatabase", mirror); err == nil || !strings.Contains(err.Error(), "mgc on dc2-sql01.litwareinc.com is RESTORING") {
		t.Fatalf("mirror of a RESTORING mgc: %v, want refused", err)
	}
	db, err := sql.Open("sqlserver", env["FAILOVER_LAB_BACKUP_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY"); err != nil {
		t.Fatal(err)
	}
	if _, err := run("Install-CsMirrorDatabase", mirror); err != nil {
		t.Fatalf("mirror of an ONLINE mgc: %v", err)
	}
	if _, err := run("Set-CsPersistentChatState", map[string]any{"Identity": "service:atl-cs-001.litwareinc.com", "PoolState": "FailedOver"}); err != nil {
		t.Fatal(err)
	}
	out, err := run("Get-CsDatabaseMirrorState", map[string]any{"PoolFqdn": "atl-cs-001.litwareinc.com", "DatabaseType": "PersistentChat"})
	if err != nil || out["StateOnPrimary"] != "Principal" || out["StateOnMirror"] != "Mirror" || out["MirroringStatusOnPrimary"] != "Synchronized" {
		t.Fatalf("mirror state after failover: %v, %v", out, err)
	}
	st := mustLab(t, exitOK, "lync", "status", "--dir", dir).stdout
	if !strings.Contains(st, "pool atl-cs-001.litwareinc.com: FailedOver") ||
		!strings.Contains(st, "mirroring of mgc on BACKUP (DC2-SQL01): PRINCIPAL, partner DC2-SQL02, SYNCHRONIZED") ||
		!strings.Contains(st, "mirroring of mgc on BACKUP_MIRROR (DC2-SQL02): MIRROR, partner DC2-SQL01, SYNCHRONIZED") {
		t.Errorf("lync status:\n%s", st)
	}
}

// lyncRunner opens the lync target of targets.yaml as the engine does
// and returns a function that runs ps.invoke with a cmdlet on it.
func lyncRunner(t *testing.T, targetsFile string) func(string, map[string]any) (map[string]any, error) {
	t.Helper()
	b, err := os.ReadFile(targetsFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Targets map[string]map[string]any `yaml:"targets"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fields := doc.Targets["lync"]
	if fields["type"] != "powershell" {
		t.Fatalf("targets.yaml has no powershell target lync: %v", doc.Targets)
	}
	delete(fields, "type")
	r := builtin.New()
	tt := r.TargetType("powershell")
	tp, err := actions.Decode(tt.Params, fields)
	if err != nil {
		t.Fatal(err)
	}
	h, err := tt.Open(context.Background(), &actions.OpenEnv{}, tp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	env := &actions.Env{Mode: actions.ModeRun, Target: &actions.Target{Name: "lync", Type: "powershell", Params: tp, Handle: h}}
	typ := r.Type("ps.invoke")
	return func(cmdlet string, params map[string]any) (map[string]any, error) {
		p, err := typ.Decode(map[string]any{"cmdlet": cmdlet, "params": params})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return typ.Run(ctx, env, p)
	}
}

func TestLyncShellCommandLine(t *testing.T) {
	dir, _ := upLab(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "exit code of -Command", args: []string{"-NoProfile", "-Command", "exit 5"}, code: 5},
		{name: "objects formatted", args: []string{"-NonInteractive", "-Command", "Import-Module Lync; Get-CsPersistentChatState"}, stdout: "PoolState : Normal"},
		{name: "unknown cmdlet", args: []string{"-Command", "Get-Date"}, code: 1, stderr: "The term 'Get-Date' is not recognized"},
		{name: "error then success is exit 0", args: []string{"-Command", "Get-Date; Write-Output ok"}, stdout: "ok", stderr: "Get-Date"},
		{name: "bad base64", args: []string{"-EncodedCommand", "%%%"}, code: 1, stderr: "is not properly encoded"},
		{name: "not simulated switch", args: []string{"-NoExit", "-Command", "x"}, code: 1, stderr: "does not support -NoExit"},
		{name: "XML output", args: []string{"-OutputFormat", "XML", "-Command", "x"}, code: 1, stderr: "supports only -OutputFormat Text"},
		{name: "prompt under NonInteractive", args: []string{"-NonInteractive", "-Command", "Import-Module Lync; Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn dc1-sql01.litwareinc.com -FileShare " + dir},
			code: 1, stderr: "PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := labCmd(t, append([]string{"lync", "shell", "--dir", dir}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, tt.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestLyncFaultCommands(t *testing.T) {
	dir, _ := upLab(t)
	add := mustLab(t, exitOK, "lync", "fault", "add", "--dir", dir, "--match", "Set-Cs", "--kind", "fail", "--times", "2")
	if !strings.Contains(add.stdout, `s1: fail cmdlets matching "Set-Cs" from call 1, 2 times`) {
		t.Errorf("fault add printed %q", add.stdout)
	}
	mustLab(t, exitUsage, "lync", "fault", "add", "--dir", dir, "--match", "x", "--kind", "explode")
	mustLab(t, exitUsage, "lync", "fault", "add", "--dir", dir, "--match", "(", "--kind", "fail")
	if l := mustLab(t, exitOK, "lync", "fault", "list", "--dir", dir).stdout; !strings.Contains(l, "s1:") {
		t.Errorf("fault list: %q", l)
	}
	mustLab(t, exitOK, "lync", "fault", "clear", "--dir", dir, "s1")
	mustLab(t, exitUsage, "lync", "fault", "clear", "--dir", dir, "s1")
	if l := mustLab(t, exitOK, "lync", "fault", "list", "--dir", dir).stdout; !strings.Contains(l, "no faults") {
		t.Errorf("fault list after clear: %q", l)
	}
}

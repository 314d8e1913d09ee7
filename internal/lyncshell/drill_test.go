package lyncshell_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/lyncshell"
)

// shellEnv makes the test binary the lab's Management Shell when
// ps.invoke runs it as the powershell target's executable (the re-exec
// pattern): the drill reaches the stand-in through os/exec, as a plan
// does.
const shellEnv = "FAILOVER_LYNCSHELL_TEST_SHELL"

func TestMain(m *testing.M) {
	if os.Getenv(shellEnv) == "1" {
		os.Exit(lyncshell.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Setenv(shellEnv, "1") // for the children only: checked above
	os.Exit(m.Run())
}

// drill runs action types of the real registry on the lab's targets, as
// the engine does: decoded, validated, run.
type drill struct {
	t   *testing.T
	lab *sqltest.Lab
	reg *actions.Registry
	env map[string]*actions.Env // primary_sql, backup_sql, lync
}

func newDrill(t *testing.T) *drill {
	l := sqltest.Start(t, lab.DefaultConfig())
	d := &drill{t: t, lab: l, reg: builtin.New(), env: map[string]*actions.Env{}}
	for _, in := range []string{"PRIMARY", "BACKUP"} {
		d.env[strings.ToLower(in)+"_sql"] = l.Env(t, in)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tp := &targets.PowerShell{Executable: self, Args: []string{"--dir", l.Dir}, Modules: []string{"Lync"}}
	h, err := d.reg.TargetType("powershell").Open(context.Background(), &actions.OpenEnv{}, tp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	d.env["lync"] = &actions.Env{Log: zerolog.Nop(), Mode: actions.ModeRun, Redact: func(s string) string { return s },
		Target: &actions.Target{Name: "lync", Type: "powershell", Params: tp, Handle: h}}
	return d
}

// try runs one step: the action on the target with its params.
func (d *drill) try(action, target string, with map[string]any) (map[string]any, error) {
	d.t.Helper()
	typ := d.reg.Type(action)
	p, err := typ.Decode(with)
	if err != nil {
		d.t.Fatalf("%s: decode %v: %v", action, with, err)
	}
	if err := typ.Validate(p); err != nil {
		d.t.Fatalf("%s: validate %v: %v", action, with, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return typ.Run(ctx, d.env[target], p)
}

// step runs one step that must succeed.
func (d *drill) step(what, action, target string, with map[string]any) map[string]any {
	d.t.Helper()
	out, err := d.try(action, target, with)
	if err != nil {
		d.t.Fatalf("%s (%s on %s): %v", what, action, target, err)
	}
	return out
}

// sql runs T-SQL with sql.exec.
func (d *drill) sql(what, target, script string, params map[string]any) {
	d.t.Helper()
	with := map[string]any{"script": script}
	if params != nil {
		with["params"] = params
	}
	d.step(what, "sql.exec", target, with)
}

// cmdlet runs a cmdlet with ps.invoke and returns its result.
func (d *drill) cmdlet(what, name string, params map[string]any) map[string]any {
	d.t.Helper()
	return d.step(what, "ps.invoke", "lync", map[string]any{"cmdlet": name, "params": params})
}

// state is db.state's verdict on a database.
func (d *drill) state(target, db, state string) {
	d.t.Helper()
	typ := d.reg.Type("db.state")
	p, err := typ.Decode(map[string]any{"database": db, "state": state})
	if err != nil {
		d.t.Fatal(err)
	}
	res, err := typ.Check(context.Background(), d.env[target], p)
	if err != nil || !res.OK {
		d.t.Errorf("db.state %s on %s: %+v, %v", state, target, res, err)
	}
}

// mirrorState is Get-CsDatabaseMirrorState's mgc.
func (d *drill) mirrorState() map[string]any {
	d.t.Helper()
	out := d.cmdlet("Get-CsDatabaseMirrorState", "Get-CsDatabaseMirrorState",
		map[string]any{"PoolFqdn": pool, "DatabaseType": "PersistentChat"})
	r, _ := out["result"].(map[string]any)
	return r
}

const pool = "atl-cs-001.litwareinc.com"

func fqdns(hosts ...string) []any {
	out := make([]any, len(hosts))
	for i, h := range hosts {
		out[i] = h + ".litwareinc.com"
	}
	return out
}

// TestDrillFailoverThenFailback drives both runbooks (domain.md 0.1 and
// 0.2) against the served lab over the real paths: the SQL steps with
// the SQL actions over go-mssqldb, the Management Shell's with ps.invoke
// through os/exec. Install-CsMirrorDatabase sets up the mirroring
// session in the lab's SQL Server, which the failback's SET PARTNER OFF
// ends; the lab ends as it began: the primary mgc ONLINE, the backup mgc
// RESTORING and log-shipped to, the pool Normal on dc1's servers.
func TestDrillFailoverThenFailback(t *testing.T) {
	d := newDrill(t)
	l := d.lab
	if s := d.mirrorState(); s["StateOnPrimary"] != "DatabaseInaccessibleOrMirroringNotEnabled" {
		t.Errorf("before the failover: %v", s)
	}

	// Failover 1: remove log shipping from the backup mgc.
	snap := d.step("failover 1", "logship.remove", "backup_sql", map[string]any{"database": "mgc"})
	if snap["backup_source_directory"] != l.Share() {
		t.Errorf("snapshot: %v", snap)
	}
	// 2: copy the files the copy job had not copied.
	copyNew(t, l.ShareFolder(), l.CopyFolder())
	// 3: apply the logs in sequence (those already restored are 4326).
	applied := applyLogs(d)
	// 4: bring the backup mgc online.
	d.step("failover 4", "db.recover", "backup_sql", map[string]any{"database": "mgc"})
	// 5–7: the Management Shell.
	d.cmdlet("failover 5", "Set-CsPersistentChatState", map[string]any{"Identity": "service:" + pool, "PoolState": "FailedOver"})
	install := map[string]any{"DatabaseType": "PersistentChat", "SqlServerFqdn": "dc2-sql01.litwareinc.com", "FileShare": l.Share()}
	d.cmdlet("failover 6", "Install-CsMirrorDatabase", install)
	d.cmdlet("failover 7", "Set-CsPersistentChatActiveServer", map[string]any{"ActiveServers": fqdns("dc2-pc01", "dc2-pc02")})
	t.Logf("failover: %d log backups applied", applied)

	if s := d.mirrorState(); s["StateOnPrimary"] != "Principal" || s["StateOnMirror"] != "Mirror" || s["MirroringStatusOnPrimary"] != "Synchronized" {
		t.Errorf("after the failover: %v", s)
	}
	views, err := lab.ReadMirroring(l.Dir)
	if err != nil || len(views) != 2 || views[0].Instance != "BACKUP" || views[0].Partner != "DC2-SQL02" || views[1].Instance != "BACKUP_MIRROR" {
		t.Fatalf("the lab's sessions after the failover: %+v, %v", views, err)
	}
	// A re-run (a resumed plan) changes nothing and says so.
	again := d.cmdlet("failover 6 again", "Install-CsMirrorDatabase", install)
	if out, _ := again["output"].(string); !strings.Contains(out, "WARNING: Database mgc on dc2-sql01.litwareinc.com is already mirrored") {
		t.Errorf("second Install-CsMirrorDatabase: %v", again)
	}

	// Failback 1: no Persistent Chat server may use mgc meanwhile.
	d.cmdlet("failback 1", "Set-CsPersistentChatActiveServer", map[string]any{"ActiveServers": nil})
	// 2: remove mirroring from the backup mgc (ends it on its mirror too).
	d.sql("failback 2", "backup_sql", "ALTER DATABASE mgc SET PARTNER OFF", nil)
	if s := d.mirrorState(); s["StateOnPrimary"] != "DatabaseInaccessibleOrMirroringNotEnabled" || s["StateOnMirror"] != "DatabaseInaccessibleOrMirroringNotEnabled" {
		t.Errorf("after SET PARTNER OFF: %v", s)
	}
	// 3: a full backup of the backup mgc onto the log shipping share.
	full := l.Share() + `\mgc_failback.bak`
	d.sql("failback 3", "backup_sql", "BACKUP DATABASE mgc TO DISK = @d WITH INIT, CHECKSUM", map[string]any{"d": full})
	// 4: restore it over the primary, ready to use.
	d.sql("failback 4", "primary_sql", "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, RECOVERY", map[string]any{"d": full})
	// 5: log shipping again, the secondary initialised from the primary.
	setUpLogShipping(d)
	// 6, 7: the active servers, and the pool back to Normal.
	d.cmdlet("failback 6", "Set-CsPersistentChatActiveServer", map[string]any{"ActiveServers": fqdns("dc1-pc01", "dc1-pc02")})
	d.cmdlet("failback 7", "Set-CsPersistentChatState", map[string]any{"Identity": "service:" + pool, "PoolState": "Normal"})

	checkOriginalShape(d)
}

// copyNew copies the share's files the copy folder lacks.
func copyNew(t *testing.T, share, copyDir string) {
	t.Helper()
	entries, err := os.ReadDir(share)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		dst := filepath.Join(copyDir, e.Name())
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(share, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// applyLogs restores the copied log backups in sequence (the default
// lab names them in LSN order) WITH NORECOVERY; 4326 (already applied)
// is skipped. It returns how many were applied.
func applyLogs(d *drill) int {
	d.t.Helper()
	entries, err := os.ReadDir(d.lab.CopyFolder())
	if err != nil {
		d.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".trn") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	applied := 0
	for _, n := range names {
		_, err := d.try("sql.exec", "backup_sql", map[string]any{"script": "RESTORE LOG mgc FROM DISK = @f WITH NORECOVERY",
			"params": map[string]any{"f": d.lab.CopyDir() + `\` + n}})
		var me mssql.Error
		switch {
		case err == nil:
			applied++
		case errors.As(err, &me) && len(me.All) > 0 && me.All[0].Number == 4326:
		default:
			d.t.Fatalf("failover 3: restore %s: %v", n, err)
		}
	}
	if applied == 0 {
		d.t.Fatal("failover 3: no log backup applied")
	}
	return applied
}

// setUpLogShipping is the failback's step 5 (domain.md 0.3, A.1): the
// secondary restored WITH NORECOVERY from a full backup of the primary,
// the log shipping procedures on both sides, then what the backup, copy
// and restore jobs would do next (a log backup reaches the secondary).
func setUpLogShipping(d *drill) {
	d.t.Helper()
	l := d.lab
	init := l.Share() + `\mgc_ls_init.bak`
	d.sql("failback 5: full backup", "primary_sql", "BACKUP DATABASE mgc TO DISK = @d WITH INIT", map[string]any{"d": init})
	d.sql("failback 5: restore the secondary", "backup_sql", "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, NORECOVERY", map[string]any{"d": init})
	d.sql("failback 5: primary side", "primary_sql", `EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'mgc',
  @backup_directory = N'D:\LSBackup', @backup_share = @share, @backup_job_name = N'LSBackup_mgc',
  @backup_retention_period = 4320, @overwrite = 1
EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'DC2-SQL01', @secondary_database = N'mgc'`,
		map[string]any{"share": l.Share()})
	d.sql("failback 5: secondary side", "backup_sql", `EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'DC1-SQL01',
  @primary_database = N'mgc', @backup_source_directory = @share, @backup_destination_directory = @copy,
  @copy_job_name = N'LSCopy_DC1-SQL01_mgc', @restore_job_name = N'LSRestore_DC1-SQL01_mgc', @file_retention_period = 4320
EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC1-SQL01',
  @primary_database = N'mgc', @restore_delay = 0, @restore_mode = 0, @disconnect_users = 0`,
		map[string]any{"share": l.Share(), "copy": l.CopyDir()})
	name := "mgc_" + time.Now().UTC().Add(time.Minute).Format("20060102150405") + ".trn"
	d.sql("the backup job", "primary_sql", "BACKUP LOG mgc TO DISK = @d", map[string]any{"d": l.Share() + `\` + name})
	copyNew(d.t, l.ShareFolder(), l.CopyFolder())
	d.sql("the restore job", "backup_sql", "RESTORE LOG mgc FROM DISK = @d WITH NORECOVERY", map[string]any{"d": l.CopyDir() + `\` + name})
}

// checkOriginalShape: the primary mgc ONLINE, the backup mgc RESTORING
// and a log shipping secondary of the primary, no mirroring left, the
// pool Normal with dc1's servers active.
func checkOriginalShape(d *drill) {
	d.t.Helper()
	d.state("primary_sql", "mgc", "ONLINE")
	d.state("backup_sql", "mgc", "RESTORING")
	var primary, source string
	err := d.lab.DB(d.t, "BACKUP").QueryRow(`SELECT s.primary_server, s.backup_source_directory FROM msdb.dbo.log_shipping_secondary AS s
JOIN msdb.dbo.log_shipping_secondary_databases AS sd ON sd.secondary_id = s.secondary_id WHERE sd.secondary_database = N'mgc'`).Scan(&primary, &source)
	if err != nil || primary != "DC1-SQL01" || source != d.lab.Share() {
		d.t.Errorf("log shipping on the backup: %s from %s, %v", primary, source, err)
	}
	if views, err := lab.ReadMirroring(d.lab.Dir); err != nil || len(views) != 0 {
		d.t.Errorf("mirroring left after the failback: %+v, %v", views, err)
	}
	st := d.cmdlet("pool state", "Get-CsPersistentChatState", map[string]any{"Identity": "service:" + pool})
	if r, _ := st["result"].(map[string]any); r["PoolState"] != "Normal" {
		d.t.Errorf("pool state after the failback: %v", st)
	}
	svc := d.cmdlet("active servers", "Get-CsService", map[string]any{"PersistentChatServer": true})
	if r, _ := svc["result"].(map[string]any); !reflect.DeepEqual(r["ActiveServers"], fqdns("dc1-pc01", "dc1-pc02")) {
		d.t.Errorf("active servers after the failback: %v", svc)
	}
	// What Install-CsMirrorDatabase sent, on the instances it sent it to.
	var sent []string
	for _, s := range d.lab.Statements(d.t) {
		if strings.Contains(s.Text, "SET PARTNER = ") {
			sent = append(sent, s.Instance+": "+s.Text)
		}
	}
	want := []string{"BACKUP_MIRROR: ALTER DATABASE [mgc] SET PARTNER = N'TCP://dc2-sql01.litwareinc.com:5022'",
		"BACKUP: ALTER DATABASE [mgc] SET PARTNER = N'TCP://dc2-sql02.litwareinc.com:5022'"}
	if !reflect.DeepEqual(sent, want) {
		d.t.Errorf("SET PARTNER statements in the statement log:\n%s\nwant\n%s", strings.Join(sent, "\n"), strings.Join(want, "\n"))
	}
}

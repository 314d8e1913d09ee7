package lyncshell

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/internal/lab"
)

// mirroredLab initialises (does not serve) a lab as a failover leaves
// it: BACKUP's mgc ONLINE and mirrored to BACKUP_MIRROR by the config,
// the pool FailedOver.
func mirroredLab(t *testing.T) string {
	t.Helper()
	cfg := lab.DefaultConfig()
	cfg.Scenario.AlreadyRecovered = true
	cfg.Instances[1].Databases[0] = lab.DatabaseConfig{Name: "mgc", State: "ONLINE",
		Mirroring: &lab.MirroringConfig{Role: "principal", Partner: "DC2-SQL02"}}
	cfg.Instances[2].Databases = []lab.DatabaseConfig{{Name: "mgc", State: "RESTORING",
		Mirroring: &lab.MirroringConfig{Role: "mirror", Partner: "DC2-SQL01"}}}
	dir := t.TempDir()
	if err := lab.Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir
}

// psJSON runs a command and returns what ConvertTo-Json made of it.
func psJSON(t *testing.T, dir, command string) []map[string]any {
	t.Helper()
	code, out, errOut := shellRun(dir, "", "-NonInteractive", "-Command", "Import-Module Lync; "+command+" | ConvertTo-Json -Compress")
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", command, code, errOut)
	}
	out = strings.TrimSpace(out)
	if !strings.HasPrefix(out, "[") {
		out = "[" + out + "]"
	}
	var objs []map[string]any
	if err := json.Unmarshal([]byte(out), &objs); err != nil {
		t.Fatalf("%s: %v in %q", command, err, out)
	}
	return objs
}

func TestGetMirrorStateReadsTheSQLState(t *testing.T) {
	dir := mirroredLab(t)
	const get = "Get-CsDatabaseMirrorState -PoolFqdn atl-cs-001.litwareinc.com"
	state := func() map[string]any { return psJSON(t, dir, get+" -DatabaseType PersistentChat")[0] }
	want := func(what string, got map[string]any, primary, mirror, pStatus, mStatus string) {
		t.Helper()
		if got["StateOnPrimary"] != primary || got["StateOnMirror"] != mirror ||
			got["MirroringStatusOnPrimary"] != pStatus || got["MirroringStatusOnSecondary"] != mStatus {
			t.Errorf("%s: %v, want %s/%s, %q/%q", what, got, primary, mirror, pStatus, mStatus)
		}
	}
	// The pool uses its primary store, whose mgc the lab does not mirror.
	want("pool Normal", state(), notEnabled, notEnabled, "", "")
	psJSON(t, dir, "Set-CsPersistentChatState -Identity service:atl-cs-001.litwareinc.com -PoolState FailedOver")
	want("pool FailedOver", state(), "Principal", "Mirror", "Synchronized", "Synchronized")
	both := psJSON(t, dir, get)
	if len(both) != 2 || both[1]["DatabaseName"] != "mgccomp" || both[1]["StateOnPrimary"] != notEnabled {
		t.Errorf("both databases: %v", both)
	}
	if _, err := lab.AddFault(dir, lab.Fault{Kind: lab.FaultDown, Instance: "BACKUP_MIRROR"}); err != nil {
		t.Fatal(err)
	}
	want("the mirror down", state(), "Principal", notEnabled, "Disconnected", "")
}

func TestInstallMirrorRefusalsBeforeSQL(t *testing.T) {
	const install = "Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn dc2-sql01.litwareinc.com -Confirm:$false -FileShare "
	noMirror := lab.DefaultConfig()
	noMirror.Instances = noMirror.Instances[:2]
	noMirror.Scenario.AlreadyRecovered = true
	recovered := lab.DefaultConfig()
	recovered.Scenario.AlreadyRecovered = true
	tests := []struct {
		name   string
		cfg    lab.Config
		fault  string // instance a down fault stops
		share  string
		stderr string
	}{
		{name: "mgc RESTORING", cfg: lab.DefaultConfig(), share: `'\\DC1-FS01\LSBackup'`, stderr: "Database mgc on dc2-sql01.litwareinc.com is RESTORING"},
		{name: "no mirror in the lab", cfg: noMirror, share: `'\\DC1-FS01\LSBackup'`,
			stderr: "The mirror dc2-sql02.litwareinc.com of SQL Server store dc2-sql01.litwareinc.com is not a SQL instance of the lab"},
		{name: "the mirror down", cfg: recovered, fault: "BACKUP_MIRROR", share: `'\\DC1-FS01\LSBackup'`, stderr: "the lab's down fault on BACKUP_MIRROR"},
		{name: "the lab never ran", cfg: recovered, share: `'\\DC1-FS01\LSBackup'`,
			stderr: "Cannot connect to SQL Server dc2-sql01.litwareinc.com: instance BACKUP has never run"},
		{name: "empty share", cfg: recovered, share: "''", stderr: "Cannot bind argument to parameter 'FileShare' because it is an empty string."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := lab.Init(dir, tt.cfg); err != nil {
				t.Fatal(err)
			}
			if tt.fault != "" {
				if _, err := lab.AddFault(dir, lab.Fault{Kind: lab.FaultDown, Instance: tt.fault}); err != nil {
					t.Fatal(err)
				}
			}
			code, _, errOut := shellRun(dir, "", "-NonInteractive", "-Command", "Import-Module Lync; "+install+tt.share)
			if code != 1 || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.stderr)
			}
		})
	}
}

// servedLab serves a default lab whose backup mgc is already recovered
// (as after the failover's step 4), and opens a session to instance.
func servedLab(t *testing.T, change func(*lab.Config)) (dir string, db func(instance string) *sql.DB) {
	t.Helper()
	cfg := lab.DefaultConfig()
	cfg.Scenario.AlreadyRecovered = true
	if change != nil {
		change(&cfg)
	}
	dir = t.TempDir()
	if err := lab.Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	l, err := lab.Serve(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return dir, func(instance string) *sql.DB {
		dsn, err := lab.ClientDSN(dir, instance, "lyncshell-test")
		if err != nil {
			t.Fatal(err)
		}
		d, err := sql.Open("sqlserver", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
}

func sqlExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestInstallMirrorOverTDS: the cmdlet sets the session up in the
// running lab's SQL Server (the statement log shows what it sent),
// writes its report, says so when the session is there already, and
// refuses a database left on the mirror unless told to drop it.
func TestInstallMirrorOverTDS(t *testing.T) {
	dir, db := servedLab(t, nil)
	report := filepath.Join(t.TempDir(), "mirror.html")
	install := "Import-Module Lync; Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn dc2-sql01.litwareinc.com " +
		`-FileShare '\\DC1-FS01\LSBackup' -Confirm:$false -Report '` + report + "'"
	if code, out, errOut := shellRun(dir, "", "-NonInteractive", "-Command", install); code != 0 || out != "" {
		t.Fatalf("install: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	views, err := lab.ReadMirroring(dir)
	if err != nil || len(views) != 2 || views[0].Instance != "BACKUP" || views[0].Role != "PRINCIPAL" || views[0].Partner != "DC2-SQL02" ||
		views[1].Instance != "BACKUP_MIRROR" || views[1].State != "SYNCHRONIZED" || views[1].PartnerAddress != "TCP://dc2-sql01.litwareinc.com:5022" {
		t.Fatalf("the lab's sessions after the install: %+v, %v", views, err)
	}
	log, err := os.ReadFile(filepath.Join(dir, lab.StatementLog))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\tBACKUP\t", "BACKUP DATABASE [mgc] TO DISK = @dev WITH INIT", "\tBACKUP_MIRROR\t",
		"RESTORE LOG [mgc] FROM DISK = @dev WITH FILE = 2, NORECOVERY", "ALTER DATABASE [mgc] SET PARTNER = N'TCP://dc2-sql02.litwareinc.com:5022'"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the statement log lacks %q", want)
		}
	}
	if b, err := os.ReadFile(report); err != nil || !strings.Contains(string(b), "The mirror of mgc on dc2-sql01.litwareinc.com is set up on dc2-sql02.litwareinc.com.") ||
		strings.Count(string(b), "<li>") != 6 {
		t.Errorf("report: %v\n%s", err, b)
	}

	// Again: a no-op that says so (edge case 30).
	code, out, _ := shellRun(dir, "", "-NonInteractive", "-Command", install)
	if code != 0 || !strings.Contains(out, "WARNING: Database mgc on dc2-sql01.litwareinc.com is already mirrored to dc2-sql02.litwareinc.com (synchronized): nothing was changed.") {
		t.Errorf("second install: exit %d, stdout %q", code, out)
	}
	if v, _ := lab.ReadMirroring(dir); len(v) != 2 || v[0].GUID != views[0].GUID {
		t.Errorf("the second install changed the session: %+v", v)
	}

	// The failback's SET PARTNER OFF leaves mgc RESTORING on the mirror:
	// installing again needs -DropExistingDatabasesOnMirror.
	sqlExec(t, db("BACKUP"), "ALTER DATABASE mgc SET PARTNER OFF")
	code, _, errOut := shellRun(dir, "", "-NonInteractive", "-Command", install)
	if code != 1 || !strings.Contains(errOut, "Database mgc already exists on the mirror dc2-sql02.litwareinc.com (RESTORING). Use -DropExistingDatabasesOnMirror to replace it.") {
		t.Errorf("install over the old mirror: exit %d, stderr %s", code, errOut)
	}
	if code, _, errOut := shellRun(dir, "", "-NonInteractive", "-Command", install+" -DropExistingDatabasesOnMirror"); code != 0 {
		t.Fatalf("install with -DropExistingDatabasesOnMirror: exit %d: %s", code, errOut)
	}
	if v, _ := lab.ReadMirroring(dir); len(v) != 2 || v[0].GUID == views[0].GUID || v[1].State != "SYNCHRONIZED" {
		t.Errorf("after the drop and install: %+v", v)
	}
}

// TestInstallMirrorSQLRefusals: what SQL Server refuses reaches the
// caller with every message, and nothing is left half done where SQL
// Server refused the first statement.
func TestInstallMirrorSQLRefusals(t *testing.T) {
	dir, _ := servedLab(t, func(c *lab.Config) { c.Instances[1].Databases[0].RecoveryModel = "SIMPLE" })
	install := "Import-Module Lync; Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn dc2-sql01.litwareinc.com -Confirm:$false "
	code, _, errOut := shellRun(dir, "", "-NonInteractive", "-Command", install+`-FileShare '\\DC9-FS01\Nowhere'`)
	if code != 1 || !strings.Contains(errOut, "SQL Server dc2-sql01.litwareinc.com refused BACKUP DATABASE [mgc]: Cannot open backup device") ||
		!strings.Contains(errOut, "(3201) BACKUP DATABASE is terminating abnormally. (3013)") {
		t.Errorf("a share the lab lacks: exit %d, stderr %s", code, errOut)
	}
	code, _, errOut = shellRun(dir, "", "-NonInteractive", "-Command", install+`-FileShare '\\DC1-FS01\LSBackup'`)
	if code != 1 || !strings.Contains(errOut, "refused BACKUP LOG [mgc]") || !strings.Contains(errOut, "(4208)") {
		t.Errorf("SIMPLE recovery: exit %d, stderr %s", code, errOut)
	}
	if v, err := lab.ReadMirroring(dir); err != nil || len(v) != 0 {
		t.Errorf("sessions after refusals: %+v, %v", v, err)
	}
}

package lab

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions/logship"
	"github.com/failover-dev/failover/internal/labfile"
	mssql "github.com/microsoft/go-mssqldb"
)

// applyInOrder restores the copied log backups in LSN order, skipping
// the ones already applied (4326).
func applyInOrder(t *testing.T, db *sql.DB, dir string) {
	t.Helper()
	for _, h := range readHeadersAll(t, dir) {
		_, err := db.Exec("RESTORE LOG mgc FROM DISK = @p WITH FILE = @pos, NORECOVERY", sql.Named("p", h.path), sql.Named("pos", h.pos))
		var me mssql.Error
		if err != nil && !(errors.As(err, &me) && me.All[0].Number == 4326) {
			t.Fatalf("restore %s: %v", filepath.Base(h.path), err)
		}
	}
}

// TestRoundTripFailoverThenFailback drills both runbooks against the
// default lab over go-mssqldb: the failover (domain.md 0.1 steps 1–4)
// brings the backup mgc ONLINE; the failback (0.2 steps 2–5) backs it up
// onto the share, restores that over the primary, and sets log shipping
// up again from the primary to the backup, which a log backup of the
// primary then reaches.
func TestRoundTripFailoverThenFailback(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	prim, backup := sl.db(t, "PRIMARY"), sl.db(t, "BACKUP")
	if rs, err := execProc(t, backup, "master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc")); err != nil || rs != 0 {
		t.Fatalf("failover step 1: %v (status %d)", err, rs)
	}
	copyShare(t, sl.share(), sl.copyDir())
	applyInOrder(t, backup, sl.copyDir())
	mustExec(t, backup, "RESTORE DATABASE mgc WITH RECOVERY")

	// Step 2: this lab's backup mgc has no mirror to remove.
	wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER OFF", 1416, 5069)
	// Step 3: a full backup onto the log shipping share.
	failback := onShare("mgc_failback.bak")
	mustExec(t, backup, "BACKUP DATABASE mgc TO DISK = @d WITH INIT, CHECKSUM", sql.Named("d", failback))
	// Step 4: over the primary, overwriting it, ready to use.
	mustExec(t, prim, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, RECOVERY", sql.Named("d", failback))
	// Step 5: log shipping from the primary again, the secondary
	// initialised from a full backup of the primary.
	init := onShare("mgc_init.bak")
	mustExec(t, prim, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", init))
	wantErrors(t, backup, "RESTORE DATABASE mgc FROM DISK = N'"+init+"' WITH NORECOVERY", 3159, 3013)
	mustExec(t, backup, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, NORECOVERY", sql.Named("d", init))
	for _, q := range []string{
		`EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'D:\LSBackup',
  @backup_share = N'\\DC1-FS01\LSBackup', @backup_job_name = N'LSBackup_mgc', @backup_retention_period = 4320, @overwrite = 1`,
		`EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'DC2-SQL01', @secondary_database = N'mgc'`,
	} {
		mustExec(t, prim, q)
	}
	for _, q := range []string{
		`EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'DC1-SQL01', @primary_database = N'mgc',
  @backup_source_directory = N'\\DC1-FS01\LSBackup', @backup_destination_directory = N'D:\LSCopy\mgc',
  @copy_job_name = N'LSCopy_DC1-SQL01_mgc', @restore_job_name = N'LSRestore_DC1-SQL01_mgc', @file_retention_period = 4320`,
		`EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC1-SQL01',
  @primary_database = N'mgc', @restore_delay = 0, @restore_mode = 0, @disconnect_users = 0`,
	} {
		mustExec(t, backup, q)
	}
	// What the backup, copy and restore jobs would do next.
	name := labfile.FileName("mgc", time.Now().Add(time.Minute))
	mustExec(t, prim, "BACKUP LOG mgc TO DISK = @d", sql.Named("d", onShare(name)))
	data, err := os.ReadFile(filepath.Join(sl.share(), name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sl.copyDir(), name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	mustExec(t, backup, "RESTORE LOG mgc FROM DISK = @d WITH NORECOVERY", sql.Named("d", defaultCopyPath+`\`+name))
	last := lsnOf(t, headerRows(t, prim, onShare(name))[0], "LastLSN")
	if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
		t.Errorf("primary mgc is %s after the failback", state)
	}
	if state, redo := stateOf(t, backup, "mgc"); state != "RESTORING" || redo != last {
		t.Errorf("backup mgc is %s at %s, want RESTORING at the primary's log backup's end %s", state, redo, last)
	}
	if snap := rowsAsMaps(t, backup, logship.SnapshotQuery, sql.Named("db", "mgc")); len(snap) != 1 || snap[0]["primary_server"] != "DC1-SQL01" {
		t.Errorf("log shipping snapshot on the backup: %v", snap)
	}
}

// failedOverConfig is the lab as a failover leaves it: no log shipping,
// the backup mgc ONLINE and mirrored (Install-CsMirrorDatabase) to the
// backup's mirror, the default's BACKUP_MIRROR (DC2-SQL02); the
// primary's mgc rebuilt (ONLINE, never backed up).
func failedOverConfig() Config {
	cfg := DefaultConfig()
	cfg.LogShipping = LogShippingConfig{}
	cfg.Instances[1].Databases[0] = DatabaseConfig{Name: "mgc", State: "ONLINE",
		Mirroring: &MirroringConfig{Role: "principal", Partner: "DC2-SQL02"}}
	cfg.Instances[2].Databases = []DatabaseConfig{{Name: "mgc", State: "RESTORING", Mirroring: &MirroringConfig{Role: "mirror", Partner: "DC2-SQL01"}}}
	return cfg
}

// TestRoundTripFailbackFromMirroredBackup starts from a failed-over lab
// whose backup mgc is mirrored: the failback removes mirroring (the
// backup's mirror stays RESTORING), backs up, and restores over the
// rebuilt primary, whose log backups then begin at the recovery point.
func TestRoundTripFailbackFromMirroredBackup(t *testing.T) {
	sl := serveTestLab(t, failedOverConfig())
	prim, backup, mirror := sl.db(t, "PRIMARY"), sl.db(t, "BACKUP"), sl.db(t, "BACKUP_MIRROR")
	wantErrors(t, backup, "BACKUP LOG mgc TO DISK = N'"+onShare("x.trn")+"'", 4214, 3013) // no full backup yet
	mustExec(t, backup, "ALTER DATABASE mgc SET PARTNER OFF")
	if state, _ := stateOf(t, mirror, "mgc"); state != "RESTORING" {
		t.Errorf("the backup's mirror is %s after SET PARTNER OFF", state)
	}
	full := onShare("mgc_failback.bak")
	mustExec(t, backup, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", full))
	h := headerRows(t, prim, full)[0]
	if !lsnOf(t, h, "DatabaseBackupLSN").IsZero() {
		t.Errorf("the first full backup of the backup mgc has DatabaseBackupLSN %v, want 0", h["DatabaseBackupLSN"])
	}
	mustExec(t, prim, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, RECOVERY", sql.Named("d", full))
	mustExec(t, prim, "BACKUP LOG mgc TO DISK = @d", sql.Named("d", onShare("p1.trn")))
	l := headerRows(t, prim, onShare("p1.trn"))[0]
	if lsnOf(t, l, "FirstLSN") != lsnOf(t, h, "LastLSN") || l["FirstRecoveryForkID"] != h["RecoveryForkID"] {
		t.Errorf("primary's first log backup %v does not continue the restored backup %v", l, h)
	}
}

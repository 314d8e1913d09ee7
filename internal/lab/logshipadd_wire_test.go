package lab

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions/logship"
	mssql "github.com/microsoft/go-mssqldb"
)

// execProc calls a procedure by RPC as go-mssqldb does for a bare name,
// with its return status.
func execProc(t *testing.T, db *sql.DB, proc string, args ...any) (mssql.ReturnStatus, error) {
	t.Helper()
	var rs mssql.ReturnStatus
	_, err := db.ExecContext(context.Background(), proc, append(args, &rs)...)
	return rs, err
}

// TestRoundTripLogShippingSetUpAgain is the failback's step 5 over the
// wire: the primary-side procedures on PRIMARY and the secondary-side
// ones on BACKUP (after the failover removed its old configuration),
// with the ids as OUTPUT parameters (sql.Out); the snapshot query of
// domain.md A.1 reads back what they stored, with the jobs disabled.
func TestRoundTripLogShippingSetUpAgain(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	prim, backup := sl.db(t, "PRIMARY"), sl.db(t, "BACKUP")
	if rs, err := execProc(t, backup, "master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc")); err != nil || rs != 0 {
		t.Fatalf("remove the old configuration: %v (status %d)", err, rs)
	}
	var backupJob, primaryID mssql.UniqueIdentifier
	rs, err := execProc(t, prim, "master.dbo.sp_add_log_shipping_primary_database",
		sql.Named("database", "mgc"), sql.Named("backup_directory", `D:\LSBackup`), sql.Named("backup_share", defaultSharePath),
		sql.Named("backup_job_name", "LSBackup_mgc"), sql.Named("backup_retention_period", 4320),
		sql.Named("backup_job_id", sql.Out{Dest: &backupJob}), sql.Named("primary_id", sql.Out{Dest: &primaryID}),
		sql.Named("overwrite", 1))
	if err != nil || rs != 0 || primaryID == (mssql.UniqueIdentifier{}) || backupJob == (mssql.UniqueIdentifier{}) {
		t.Fatalf("sp_add_log_shipping_primary_database: %v (status %d), ids %s %s", err, rs, primaryID, backupJob)
	}
	if rs, err := execProc(t, prim, "master.dbo.sp_add_log_shipping_primary_secondary", sql.Named("primary_database", "mgc"),
		sql.Named("secondary_server", "DC2-SQL01"), sql.Named("secondary_database", "mgc")); err != nil || rs != 0 {
		t.Fatalf("sp_add_log_shipping_primary_secondary: %v (status %d)", err, rs)
	}
	p := rowsAsMaps(t, prim, `SELECT p.primary_id, p.backup_share, p.backup_retention_period, j.name, j.enabled, ps.secondary_server, mp.backup_threshold
FROM msdb.dbo.log_shipping_primary_databases AS p JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id
JOIN msdb.dbo.log_shipping_primary_secondaries AS ps ON ps.primary_id = p.primary_id
JOIN msdb.dbo.log_shipping_monitor_primary AS mp ON mp.primary_id = p.primary_id WHERE p.primary_database = N'mgc'`)
	if len(p) != 1 || p[0]["backup_share"] != defaultSharePath || p[0]["name"] != "LSBackup_mgc" || p[0]["enabled"] != int64(0) ||
		p[0]["secondary_server"] != "DC2-SQL01" || p[0]["backup_threshold"] != int64(60) || !sameGUID(p[0]["primary_id"], primaryID) {
		t.Errorf("primary's msdb = %v", p)
	}
	var copyJob, restoreJob, secondaryID mssql.UniqueIdentifier
	rs, err = execProc(t, backup, "master.dbo.sp_add_log_shipping_secondary_primary",
		sql.Named("primary_server", "DC1-SQL01"), sql.Named("primary_database", "mgc"),
		sql.Named("backup_source_directory", defaultSharePath), sql.Named("backup_destination_directory", defaultCopyPath),
		sql.Named("copy_job_name", "LSCopy_DC1-SQL01_mgc"), sql.Named("restore_job_name", "LSRestore_DC1-SQL01_mgc"),
		sql.Named("file_retention_period", 4320), sql.Named("copy_job_id", sql.Out{Dest: &copyJob}),
		sql.Named("restore_job_id", sql.Out{Dest: &restoreJob}), sql.Named("secondary_id", sql.Out{Dest: &secondaryID}))
	if err != nil || rs != 0 || secondaryID == (mssql.UniqueIdentifier{}) {
		t.Fatalf("sp_add_log_shipping_secondary_primary: %v (status %d)", err, rs)
	}
	if rs, err := execProc(t, backup, "master.dbo.sp_add_log_shipping_secondary_database", sql.Named("secondary_database", "mgc"),
		sql.Named("primary_server", "DC1-SQL01"), sql.Named("primary_database", "mgc"), sql.Named("restore_delay", 0),
		sql.Named("restore_mode", 0), sql.Named("disconnect_users", 0), sql.Named("restore_threshold", 45)); err != nil || rs != 0 {
		t.Fatalf("sp_add_log_shipping_secondary_database: %v (status %d)", err, rs)
	}
	snap := rowsAsMaps(t, backup, logship.SnapshotQuery, sql.Named("db", "mgc"))
	if len(snap) != 1 {
		t.Fatalf("snapshot: %d rows, want 1", len(snap))
	}
	s := snap[0]
	if !sameGUID(s["secondary_id"], secondaryID) || s["backup_source_directory"] != defaultSharePath ||
		s["backup_destination_directory"] != defaultCopyPath || s["file_retention_period"] != int64(4320) ||
		s["copy_job_name"] != "LSCopy_DC1-SQL01_mgc" || s["restore_job_name"] != "LSRestore_DC1-SQL01_mgc" ||
		s["restore_mode"] != false || s["restore_all"] != true || s["last_copied_file"] != nil || s["last_restored_latency"] != nil {
		t.Errorf("snapshot = %v", s)
	}
	jobs := rowsAsMaps(t, backup, "SELECT job_id, enabled FROM msdb.dbo.sysjobs WHERE name LIKE N'LS%'")
	for _, j := range jobs {
		if j["enabled"] != int64(0) || !(sameGUID(j["job_id"], copyJob) || sameGUID(j["job_id"], restoreJob)) {
			t.Errorf("job %v: want the new copy and restore jobs, disabled", j)
		}
	}
	if len(jobs) != 2 {
		t.Errorf("%d log shipping jobs, want the new copy and restore jobs", len(jobs))
	}
}

// sameGUID compares a uniqueidentifier column with an OUTPUT value.
func sameGUID(col any, id mssql.UniqueIdentifier) bool {
	var c mssql.UniqueIdentifier
	if b, ok := col.(string); ok {
		col = []byte(b)
	}
	return c.Scan(col) == nil && c == id
}

// TestRoundTripOutputParameterInBatch: EXEC … @secondary_id = @id OUTPUT
// inside a batch sets the variable, as in the SSMS wizard's script.
func TestRoundTripOutputParameterInBatch(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	backup := sl.db(t, "BACKUP")
	var id, fromTable string
	err := backup.QueryRow(`DECLARE @id uniqueidentifier, @c uniqueidentifier, @r uniqueidentifier
EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'DC9-SQL01', @primary_database = N'mgc',
  @backup_source_directory = N'\\DC9-FS01\LSBackup', @backup_destination_directory = N'D:\LSCopy\dc9',
  @copy_job_name = N'LSCopy_DC9-SQL01_mgc', @restore_job_name = N'LSRestore_DC9-SQL01_mgc',
  @copy_job_id = @c OUTPUT, @restore_job_id = @r OUTPUT, @secondary_id = @id OUTPUT
SELECT CAST(@id AS nvarchar(36)) AS id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	err = backup.QueryRow("SELECT CAST(secondary_id AS nvarchar(36)) FROM msdb.dbo.log_shipping_secondary WHERE primary_server = N'DC9-SQL01'").Scan(&fromTable)
	if err != nil || id == "" || !strings.EqualFold(id, fromTable) {
		t.Errorf("@id = %q, table %q (%v)", id, fromTable, err)
	}
}

// TestRoundTripLogShippingSetupRefusals: the setup procedures' errors,
// on the instance where each runs (by RPC with return status 1 for the
// login without the permission and a wrong OUTPUT); @overwrite = 1
// updates an entry and keeps its id.
func TestRoundTripLogShippingSetupRefusals(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[0].Databases = append(cfg.Instances[0].Databases, DatabaseConfig{Name: "scratch", RecoveryModel: "SIMPLE"})
	sl := serveTestLab(t, cfg)
	prim, backup := sl.db(t, "PRIMARY"), sl.db(t, "BACKUP")
	const addPrimary = "EXEC master.dbo.sp_add_log_shipping_primary_database @database = N'%s', @backup_directory = N'D:\\LSBackup', @backup_share = N'\\\\DC1-FS01\\LSBackup', @backup_job_name = N'%s', @backup_retention_period = 4320"
	const addSecPrimary = "EXEC master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'%s', @primary_database = N'mgc', @backup_source_directory = N'\\\\DC1-FS01\\LSBackup', @backup_destination_directory = N'D:\\LSCopy\\mgc', @copy_job_name = N'%s', @restore_job_name = N'%s'"
	mustExec(t, prim, fmtSQL(addPrimary, "mgc", "LSBackup_mgc"))
	mustExec(t, prim, "EXEC master.dbo.sp_add_log_shipping_primary_secondary N'mgc', N'DC2-SQL01', N'mgc'")
	tests := []struct {
		name string
		db   *sql.DB
		sql  string
		want []int32
	}{
		{"primary entry exists", prim, fmtSQL(addPrimary, "mgc", "LSBackup_mgc"), []int32{32009}},
		{"primary not ONLINE", backup, fmtSQL(addPrimary, "mgc", "LSBackup_mgc"), []int32{32007}},
		{"primary in SIMPLE recovery", prim, fmtSQL(addPrimary, "scratch", "LSBackup_scratch"), []int32{32015}},
		{"primary that does not exist", prim, fmtSQL(addPrimary, "nosuch", "LSBackup_nosuch"), []int32{UnsupportedNumber}},
		{"backup job name taken", prim, fmtSQL(addPrimary, "mgccomp", "LSBackup_mgc"), []int32{32022}},
		{"secondary of no primary", prim, "EXEC master.dbo.sp_add_log_shipping_primary_secondary N'mgccomp', N'DC2-SQL01', N'mgccomp'", []int32{32010}},
		{"secondary exists", prim, "EXEC master.dbo.sp_add_log_shipping_primary_secondary N'mgc', N'DC2-SQL01', N'mgc'", []int32{32012}},
		{"secondary's primary entry exists", backup, fmtSQL(addSecPrimary, "DC1-SQL01", "LSCopy_x", "LSRestore_x"), []int32{32024}},
		{"job name taken", backup, fmtSQL(addSecPrimary, "DC8-SQL01", "LSCopy_DC1-SQL01_mgc", "LSRestore_y"), []int32{32022}},
		{"empty job name", backup, fmtSQL(addSecPrimary, "DC8-SQL01", "", "LSRestore_y"), []int32{32052}},
		{"secondary database of no primary entry", backup, "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC7-SQL01', @primary_database = N'mgc'", []int32{32023}},
		{"secondary database exists", backup, "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC1-SQL01', @primary_database = N'mgc'", []int32{32013}},
		{"missing parameter", backup, "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC1-SQL01'", []int32{201}},
		{"unknown parameter", backup, "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_db = N'mgc'", []int32{8145}},
		{"OUTPUT of an input parameter", backup, "DECLARE @s sysname = N'mgc'; EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = @s OUTPUT, @primary_server = N'DC1-SQL01', @primary_database = N'mgc'", []int32{8162}},
		{"OUTPUT of a constant", backup, "EXEC master.dbo.sp_add_log_shipping_secondary_primary @secondary_id = N'x' OUTPUT", []int32{179}},
		{"OUTPUT of sp_delete_log_shipping_secondary_database", backup, "DECLARE @s sysname = N'mgc'; EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = @s OUTPUT", []int32{8162}},
		{"outside master", backup, "USE mgccomp; EXEC sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'DC1-SQL01', @primary_database = N'mgc'", []int32{5001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pinned(t, tt.db).ExecContext(context.Background(), tt.sql)
			me := asMSSQL(t, err)
			var got []int32
			for _, e := range me.All {
				got = append(got, e.Number)
			}
			if fmtSQL("%v", got) != fmtSQL("%v", tt.want) {
				t.Errorf("errors %v, want %v (%v)", got, tt.want, err)
			}
		})
	}
	if rs, err := execProc(t, sl.dbAs(t, "BACKUP", DefaultReader, DefaultReaderPassword), "master.dbo.sp_add_log_shipping_secondary_database",
		sql.Named("secondary_database", "mgc")); rs != 1 || asMSSQL(t, err).Number != 229 {
		t.Errorf("reader: status %d, %v; want 229 and status 1", rs, err)
	}
	var id mssql.UniqueIdentifier
	rs, err := execProc(t, backup, "master.dbo.sp_add_log_shipping_secondary_database", sql.Named("secondary_database", "mgc"),
		sql.Named("primary_server", sql.Out{Dest: &id}), sql.Named("primary_database", "mgc"))
	if rs != 1 || asMSSQL(t, err).Number != 8162 {
		t.Errorf("RPC with OUTPUT for an input parameter: status %d, %v; want 8162", rs, err)
	}
	var before, after mssql.UniqueIdentifier
	for _, dst := range []*mssql.UniqueIdentifier{&before, &after} {
		if rs, err := execProc(t, backup, "master.dbo.sp_add_log_shipping_secondary_primary", sql.Named("primary_server", "DC1-SQL01"),
			sql.Named("primary_database", "mgc"), sql.Named("backup_source_directory", `\\DC1-FS01\LSBackup`),
			sql.Named("backup_destination_directory", `D:\LSCopy\mgc`), sql.Named("copy_job_name", "LSCopy_DC1-SQL01_mgc"),
			sql.Named("restore_job_name", "LSRestore_DC1-SQL01_mgc"), sql.Named("overwrite", 1),
			sql.Named("secondary_id", sql.Out{Dest: dst})); err != nil || rs != 0 {
			t.Fatalf("with @overwrite = 1: %v (status %d)", err, rs)
		}
	}
	if before != after || before == (mssql.UniqueIdentifier{}) {
		t.Errorf("@overwrite = 1 gave secondary ids %s and %s, want the entry's id kept", before, after)
	}
}

package lab

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// failedOverLab is the default lab after a failover (BACKUP's mgc
// recovered) with a full backup of it (mgc_failback.bak) and a log backup
// taken after that (mgc_after.trn) on the share.
func failedOverLab(t *testing.T) (sl *servedLab, full, log map[string]any) {
	t.Helper()
	sl = serveTestLab(t, DefaultConfig())
	backup := sl.db(t, "BACKUP")
	mustExec(t, backup, "RESTORE DATABASE mgc WITH RECOVERY")
	mustExec(t, backup, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", onShare("mgc_failback.bak")))
	mustExec(t, backup, "BACKUP LOG mgc TO DISK = @d WITH INIT", sql.Named("d", onShare("mgc_after.trn")))
	return sl, headerRows(t, backup, onShare("mgc_failback.bak"))[0], headerRows(t, backup, onShare("mgc_after.trn"))[0]
}

// TestRoundTripRestoreFullOverPrimary is the failback's step 4: over the
// ONLINE primary mgc, without REPLACE the tail of its log stops the
// restore (3159); WITH REPLACE, RECOVERY it is ONLINE, recorded in msdb,
// and its log goes on from the backup on a new recovery fork, so its
// first log backup names the fork point.
func TestRoundTripRestoreFullOverPrimary(t *testing.T) {
	sl, full, _ := failedOverLab(t)
	prim := sl.db(t, "PRIMARY")
	dev := onShare("mgc_failback.bak")
	wantErrors(t, prim, "RESTORE DATABASE mgc FROM DISK = N'"+dev+"' WITH RECOVERY", 3159, 3013)
	mustExec(t, prim, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, RECOVERY, STATS = 25", sql.Named("d", dev))
	if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
		t.Fatalf("mgc is %s after RESTORE … WITH REPLACE, RECOVERY", state)
	}
	h := rowsAsMaps(t, prim, `SELECT TOP (1) rh.restore_type, bs.last_lsn, bmf.physical_device_name FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = N'mgc' ORDER BY rh.restore_history_id DESC`)
	if len(h) != 1 || h[0]["restore_type"] != "D" || h[0]["physical_device_name"] != dev || lsnOf(t, h[0], "last_lsn") != lsnOf(t, full, "LastLSN") {
		t.Errorf("restore history = %v", h)
	}
	mustExec(t, prim, "BACKUP LOG mgc TO DISK = @d", sql.Named("d", onShare("mgc_primary_1.trn")))
	l := headerRows(t, prim, onShare("mgc_primary_1.trn"))[0]
	point := lsnOf(t, full, "LastLSN")
	if lsnOf(t, l, "FirstLSN") != point || lsnOf(t, l, "ForkPointLSN") != point || l["FirstRecoveryForkID"] != full["RecoveryForkID"] ||
		l["RecoveryForkID"] == full["RecoveryForkID"] || lsnOf(t, l, "DatabaseBackupLSN") != lsnOf(t, full, "CheckpointLSN") {
		t.Errorf("first log backup after the restore = %v; want it to begin at the recovery point %s, across a new fork", l, point)
	}
}

// TestRoundTripRestoreFullNoRecoveryThenLog: WITH NORECOVERY the database
// is RESTORING at the full backup's LastLSN, the log backup taken after
// the full backup on the other side applies, and recovery brings it
// ONLINE.
func TestRoundTripRestoreFullNoRecoveryThenLog(t *testing.T) {
	sl, full, log := failedOverLab(t)
	prim := sl.db(t, "PRIMARY")
	mustExec(t, prim, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, NORECOVERY", sql.Named("d", onShare("mgc_failback.bak")))
	state, redo := stateOf(t, prim, "mgc")
	if state != "RESTORING" || redo != lsnOf(t, full, "LastLSN") {
		t.Fatalf("after NORECOVERY: %s at %s, want RESTORING at the full backup's LastLSN %s", state, redo, lsnOf(t, full, "LastLSN"))
	}
	mustExec(t, prim, "RESTORE LOG mgc FROM DISK = @d WITH NORECOVERY", sql.Named("d", onShare("mgc_after.trn")))
	if _, redo := stateOf(t, prim, "mgc"); redo != lsnOf(t, log, "LastLSN") {
		t.Errorf("after the log backup: redo at %s, want %s", redo, lsnOf(t, log, "LastLSN"))
	}
	mustExec(t, prim, "RESTORE DATABASE mgc WITH RECOVERY")
	if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
		t.Errorf("mgc is %s after recovery", state)
	}
}

// TestRoundTripRestoreFullRefusals: SQL Server's refusals of a full
// restore, each cause before 3013 (3031 before the batch runs).
func TestRoundTripRestoreFullRefusals(t *testing.T) {
	sl, _, _ := failedOverLab(t)
	prim := sl.db(t, "PRIMARY")
	full, after := "N'"+onShare("mgc_failback.bak")+"'", "N'"+onShare("mgc_after.trn")+"'"
	tests := []struct {
		name string
		sql  string
		want []int32
	}{
		{"another database's backup", "RESTORE DATABASE mgccomp FROM DISK = " + full, []int32{3154, 3013}},
		{"its files used by another database", "RESTORE DATABASE mgccomp FROM DISK = " + full + " WITH REPLACE", []int32{1834, 3156, 1834, 3156, 3119, 3013}},
		{"a new database on the files of mgc", "RESTORE DATABASE mgc_copy FROM DISK = " + full, []int32{1834, 3156, 1834, 3156, 3119, 3013}},
		{"MOVE of a file the backup lacks", "RESTORE DATABASE mgc_copy FROM DISK = " + full + ` WITH MOVE N'nosuch' TO N'D:\SQLData\x.mdf'`, []int32{3234, 3013}},
		{"two files moved to one", "RESTORE DATABASE mgc_copy FROM DISK = " + full + ` WITH MOVE N'mgc' TO N'D:\SQLData\x.mdf', MOVE N'mgc_log' TO N'D:\SQLData\x.mdf'`, []int32{3176, 3119, 3013}},
		{"a log backup", "RESTORE DATABASE mgc FROM DISK = " + after + " WITH REPLACE", []int32{3135, 3013}},
		{"no such set", "RESTORE DATABASE mgc FROM DISK = " + full + " WITH FILE = 7, REPLACE", []int32{4038, 3013}},
		{"no such file", `RESTORE DATABASE mgc FROM DISK = N'\\DC1-FS01\LSBackup\gone.bak' WITH REPLACE`, []int32{3201, 3013}},
		{"recovery options that conflict", "RESTORE DATABASE mgc FROM DISK = " + full + " WITH RECOVERY, NORECOVERY", []int32{3031}},
		{"inside a transaction", "BEGIN TRAN; RESTORE DATABASE mgc FROM DISK = " + full + " WITH REPLACE", []int32{3021, 3013}},
		{"point in time", "RESTORE DATABASE mgc FROM DISK = " + full + " WITH STOPAT = '2026-01-01'", []int32{UnsupportedNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErrors(t, prim, tt.sql, tt.want...)
		})
	}
	inside := pinned(t, prim)
	if _, err := inside.ExecContext(context.Background(), "USE mgc"); err != nil {
		t.Fatal(err)
	}
	wantErrors(t, prim, "RESTORE DATABASE mgc FROM DISK = "+full+" WITH REPLACE", 3101, 3013)
	reader := sl.dbAs(t, "PRIMARY", DefaultReader, DefaultReaderPassword)
	wantErrors(t, reader, "RESTORE DATABASE mgc FROM DISK = "+full+" WITH REPLACE", 3110, 3013)
	wantErrors(t, reader, "RESTORE DATABASE mgc_copy FROM DISK = "+full, 262, 3013)
	if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
		t.Errorf("a refused restore left mgc %s", state)
	}
	if n := len(rowsAsMaps(t, prim, "SELECT name FROM sys.databases WHERE name = N'mgc_copy'")); n != 0 {
		t.Errorf("a refused restore created mgc_copy")
	}
}

// TestRoundTripRestoreFullWithMove: REPLACE with MOVE restores over
// another database on its own files, and MOVE restores into a new
// database, which gets its own id; master_files shows the new names.
func TestRoundTripRestoreFullWithMove(t *testing.T) {
	sl, _, _ := failedOverLab(t)
	prim := sl.db(t, "PRIMARY")
	full := "N'" + onShare("mgc_failback.bak") + "'"
	mustExec(t, prim, "RESTORE DATABASE mgccomp FROM DISK = "+full+
		` WITH REPLACE, MOVE N'mgc' TO N'D:\SQLData\mgccomp.mdf', MOVE N'mgc_log' TO N'D:\SQLData\mgccomp_log.ldf'`)
	mustExec(t, prim, "RESTORE DATABASE mgc_copy FROM DISK = "+full+
		` WITH MOVE N'mgc' TO N'E:\Data\mgc_copy.mdf', MOVE N'mgc_log' TO N'E:\Data\mgc_copy_log.ldf', NORECOVERY`)
	rows := rowsAsMaps(t, prim, `SELECT d.name, d.state_desc, d.database_id, mf.name AS logical, mf.physical_name FROM sys.databases AS d
JOIN sys.master_files AS mf ON mf.database_id = d.database_id WHERE d.name = N'mgc_copy' ORDER BY mf.file_id`)
	if len(rows) != 2 || rows[0]["state_desc"] != "RESTORING" || rows[0]["logical"] != "mgc" || rows[1]["physical_name"] != `E:\Data\mgc_copy_log.ldf` {
		t.Errorf("mgc_copy = %v", rows)
	}
	if state, _ := stateOf(t, prim, "mgccomp"); state != "ONLINE" {
		t.Errorf("mgccomp is %s after its restore", state)
	}
}

// TestRoundTripInterruptedFullRestore: a connection dropped in the middle
// of a full restore leaves the database RESTORING and needing that
// restore (4319 for a log backup and for recovery); restoring the full
// backup again, without REPLACE, finishes it.
func TestRoundTripInterruptedFullRestore(t *testing.T) {
	sl, _, _ := failedOverLab(t)
	if err := sl.lab.Inject(Fault{Instance: "PRIMARY", Match: `RESTORE DATABASE mgc FROM`, Kind: FaultDrop}); err != nil {
		t.Fatal(err)
	}
	prim := sl.db(t, "PRIMARY")
	conn := pinned(t, prim)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := conn.ExecContext(ctx, "RESTORE DATABASE mgc FROM DISK = @d WITH REPLACE, NORECOVERY", sql.Named("d", onShare("mgc_failback.bak")))
	var me mssql.Error
	if err == nil || errors.As(err, &me) {
		t.Fatalf("restore: %v, want a dropped connection", err)
	}
	// The client sees the drop before the server's request has ended
	// (and let go of mgc): wait for that, as a retry would.
	in := sl.lab.instances[0]
	waitFor(t, func() bool {
		in.mu.Lock()
		defer in.mu.Unlock()
		_, busy := in.restoring["mgc"]
		return !busy
	})
	if state, _ := stateOf(t, prim, "mgc"); state != "RESTORING" {
		t.Fatalf("after the drop mgc is %s, want RESTORING", state)
	}
	wantErrors(t, prim, "RESTORE LOG mgc FROM DISK = N'"+onShare("mgc_after.trn")+"' WITH NORECOVERY", 4319, 3013)
	wantErrors(t, prim, "RESTORE DATABASE mgc WITH RECOVERY", 4319, 3013)
	mustExec(t, prim, "RESTORE DATABASE mgc FROM DISK = @d WITH RECOVERY", sql.Named("d", onShare("mgc_failback.bak")))
	if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
		t.Errorf("after the second restore mgc is %s", state)
	}
}

package lab

import (
	"database/sql"
	"testing"
	"time"
)

// TestRoundTripManualRestoreLeavesTheJobsRecord: a RESTORE LOG sent by
// hand adds its restorehistory and backupset rows, as RESTORE does, and
// leaves the log shipping tables' last restored file and date as the
// restore job left them.
func TestRoundTripManualRestoreLeavesTheJobsRecord(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	type record struct {
		file, monitorFile string
		date, monitorDate time.Time
		history           int
	}
	read := func() record {
		t.Helper()
		var r record
		if err := db.QueryRow(`SELECT d.last_restored_file, d.last_restored_date, m.last_restored_file, m.last_restored_date
FROM msdb.dbo.log_shipping_secondary_databases AS d
JOIN msdb.dbo.log_shipping_monitor_secondary AS m ON m.secondary_id = d.secondary_id
WHERE d.secondary_database = N'mgc'`).Scan(&r.file, &r.date, &r.monitorFile, &r.monitorDate); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = N'mgc'").Scan(&r.history); err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := read()
	next := nextCopiedFile(t, sl)
	if _, err := db.Exec("RESTORE LOG mgc FROM DISK = @p WITH NORECOVERY", sql.Named("p", next)); err != nil {
		t.Fatal(err)
	}
	after := read()
	if after.file != before.file || !after.date.Equal(before.date) || after.monitorFile != before.monitorFile || !after.monitorDate.Equal(before.monitorDate) {
		t.Errorf("log shipping record changed by a manual RESTORE LOG: %+v, was %+v", after, before)
	}
	if after.history != before.history+1 {
		t.Errorf("restorehistory rows %d, want %d (one more)", after.history, before.history+1)
	}
	var device string
	if err := db.QueryRow(`SELECT TOP (1) bmf.physical_device_name
FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = N'mgc'
ORDER BY rh.restore_history_id DESC`).Scan(&device); err != nil || device != next {
		t.Errorf("last restore in msdb: %q (%v), want %s", device, err, next)
	}
}

package lab

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/labfile"
)

// chainTip is the newest log backup on the share (the primary's last).
func chainTip(t *testing.T, sl *servedLab) labfile.BackupSet {
	t.Helper()
	var tip labfile.BackupSet
	entries, err := os.ReadDir(sl.share())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		sets, err := labfile.ReadFile(filepath.Join(sl.share(), e.Name()))
		if err != nil {
			continue
		}
		for _, s := range sets {
			if s.BackupType == labfile.TypeLog && s.DatabaseName == "mgc" && s.LastLSN.Cmp(tip.LastLSN) > 0 {
				tip = s
			}
		}
	}
	return tip
}

// TestRoundTripBackupDatabaseAndLog backs up the primary's mgc to the
// share over go-mssqldb and reads the file back with HEADERONLY and
// FILELISTONLY: the full backup continues the log after the chain on
// the share and is based on its full backup; NOINIT appends (FILE = 2),
// INIT overwrites; the log backup begins where the chain ended and is
// based on the new full backup; msdb's backupset lists both.
func TestRoundTripBackupDatabaseAndLog(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "PRIMARY")
	tip := chainTip(t, sl)
	dev := onShare("mgc_full.bak")
	mustExec(t, db, "BACKUP DATABASE mgc TO DISK = @d WITH INIT, CHECKSUM, COMPRESSION, STATS = 50, NAME = N'failback full'", sql.Named("d", dev))
	h := headerRows(t, db, dev)
	if len(h) != 1 {
		t.Fatalf("HEADERONLY: %d sets, want 1", len(h))
	}
	full := h[0]
	first, ckpt, last := lsnOf(t, full, "FirstLSN"), lsnOf(t, full, "CheckpointLSN"), lsnOf(t, full, "LastLSN")
	if fmt.Sprint(full["BackupType"]) != "1" || full["DatabaseName"] != "mgc" || full["ServerName"] != "DC1-SQL01" ||
		full["BackupName"] != "failback full" || full["HasBackupChecksums"] != true || full["Compressed"] != true {
		t.Errorf("full backup header: %v", full)
	}
	if !(tip.LastLSN.Cmp(first) < 0 && first.Cmp(ckpt) < 0 && ckpt.Cmp(last) < 0) {
		t.Errorf("full backup LSNs %s < %s < %s, after the chain's tip %s: out of order", first, ckpt, last, tip.LastLSN)
	}
	if got := lsnOf(t, full, "DatabaseBackupLSN"); got != tip.DatabaseBackupLSN {
		t.Errorf("DatabaseBackupLSN = %s, want the chain's base %s", got, tip.DatabaseBackupLSN)
	}
	files := rowsAsMaps(t, db, "RESTORE FILELISTONLY FROM DISK = @d", sql.Named("d", dev))
	if len(files) != 2 || files[0]["LogicalName"] != "mgc" || files[0]["Type"] != "D" || files[0]["FileGroupName"] != "PRIMARY" ||
		files[1]["LogicalName"] != "mgc_log" || files[1]["PhysicalName"] != `D:\SQLData\mgc_log.ldf` || files[1]["FileGroupName"] != nil {
		t.Errorf("FILELISTONLY = %v", files)
	}
	mustExec(t, db, "BACKUP DATABASE mgc TO DISK = @d", sql.Named("d", dev)) // NOINIT: appended
	if h := headerRows(t, db, dev); len(h) != 2 || fmt.Sprint(h[1]["Position"]) != "2" || lsnOf(t, h[1], "DatabaseBackupLSN") != ckpt {
		t.Errorf("after NOINIT: %d sets, the second based on %v; want 2, based on %s", len(h), h[len(h)-1]["DatabaseBackupLSN"], ckpt)
	}
	mustExec(t, db, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", dev))
	h = headerRows(t, db, dev)
	if len(h) != 1 {
		t.Fatalf("after INIT: %d sets, want 1", len(h))
	}
	base := lsnOf(t, h[0], "CheckpointLSN")
	logDev := onShare("mgc_log.trn")
	mustExec(t, db, "BACKUP LOG mgc TO DISK = @d", sql.Named("d", logDev))
	lh := headerRows(t, db, logDev)[0]
	if fmt.Sprint(lh["BackupType"]) != "2" || lsnOf(t, lh, "FirstLSN") != tip.LastLSN || lsnOf(t, lh, "DatabaseBackupLSN") != base ||
		lsnOf(t, lh, "LastLSN").Cmp(lsnOf(t, h[0], "LastLSN")) <= 0 || lh["BeginsLogChain"] != false {
		t.Errorf("log backup = %v; want it to begin at the chain's tip %s, based on %s", lh, tip.LastLSN, base)
	}
	hist := rowsAsMaps(t, db, `SELECT bs.type, bs.position, bmf.physical_device_name FROM msdb.dbo.backupset AS bs
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id ORDER BY bs.backup_set_id`)
	if n := len(hist); n != 4 || hist[n-1]["type"] != "L" || hist[n-1]["physical_device_name"] != logDev || hist[0]["type"] != "D" {
		t.Errorf("msdb backupset = %v, want the three full backups and the log backup", hist)
	}
}

// TestRoundTripBackupRefusals: each refusal of BACKUP with SQL Server's
// error numbers, the cause before 3013; the refused ones write nothing.
func TestRoundTripBackupRefusals(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[0].Databases = append(cfg.Instances[0].Databases, DatabaseConfig{Name: "scratch", RecoveryModel: "SIMPLE"})
	sl := serveTestLab(t, cfg)
	prim, backup := sl.db(t, "PRIMARY"), sl.db(t, "BACKUP")
	junk := filepath.Join(sl.share(), "notes.txt")
	if err := os.WriteFile(junk, []byte("not a backup\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustExec(t, prim, "BACKUP DATABASE mgc TO DISK = @d", sql.Named("d", onShare("plain.bak")))
	tests := []struct {
		name string
		db   *sql.DB
		sql  string
		want []int32
	}{
		{"restoring database", backup, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, []int32{927, 3013}},
		{"no such database", prim, `BACKUP DATABASE nosuch TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, []int32{911, 3013}},
		{"tempdb", prim, `BACKUP DATABASE tempdb TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, []int32{3147, 3013}},
		{"log without a full backup", prim, `BACKUP LOG mgccomp TO DISK = N'\\DC1-FS01\LSBackup\x.trn'`, []int32{4214, 3013}},
		{"log in SIMPLE recovery", prim, `BACKUP LOG scratch TO DISK = N'\\DC1-FS01\LSBackup\x.trn'`, []int32{4208, 3013}},
		{"drive outside the path map", prim, `BACKUP DATABASE mgc TO DISK = N'E:\Backups\x.bak'`, []int32{3201, 3013}},
		{"share outside the path map", prim, `BACKUP DATABASE mgc TO DISK = N'\\OTHER-FS\Backups\x.bak'`, []int32{3201, 3013}},
		{"folder missing", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\no\x.bak'`, []int32{3201, 3013}},
		{"device is a folder", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup'`, []int32{3201, 3013}},
		{"file is not a backup", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\notes.txt'`, []int32{3241, 3013}},
		{"compression onto an uncompressed media set", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\plain.bak' WITH COMPRESSION`, []int32{3098, 3013}},
		{"inside a transaction", prim, `BEGIN TRAN; BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, []int32{3021, 3013}},
		{"INIT and NOINIT", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak' WITH INIT, NOINIT`, []int32{3031}},
		{"NORECOVERY on a database backup", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak' WITH NORECOVERY`, []int32{3032}},
		{"differential", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak' WITH DIFFERENTIAL`, []int32{UnsupportedNumber}},
		{"to URL", prim, `BACKUP DATABASE mgc TO URL = N'https://x/y.bak'`, []int32{UnsupportedNumber}},
		{"two devices", prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\a.bak', DISK = N'\\DC1-FS01\LSBackup\b.bak'`, []int32{UnsupportedNumber}},
		{"a filegroup", prim, `BACKUP DATABASE mgc FILEGROUP = N'PRIMARY' TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, []int32{UnsupportedNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := pinned(t, tt.db)
			_, err := conn.ExecContext(context.Background(), tt.sql)
			me := asMSSQL(t, err)
			var got []int32
			for _, e := range me.All {
				got = append(got, e.Number)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("errors %v, want %v (%v)", got, tt.want, err)
			}
			if strings.Contains(tt.name, "path map") && !strings.Contains(me.All[0].Message, "Operating system error") {
				t.Errorf("3201 without the OS error: %s", me.All[0].Message)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(sl.share(), "x.bak")); err == nil {
		t.Error("a refused BACKUP wrote x.bak")
	}
	if b, _ := os.ReadFile(junk); string(b) != "not a backup\n" {
		t.Error("a refused BACKUP changed notes.txt")
	}
	// Never over the lab's own files: a local or relative path outside
	// the path map's folders is refused (OS error 5), even WITH FORMAT.
	state := statePath(sl.dir, "PRIMARY")
	for _, dev := range []string{state, filepath.Join("state", "PRIMARY.json")} {
		wantErrors(t, prim, "BACKUP DATABASE mgc TO DISK = N'"+dev+"' WITH FORMAT", 3201, 3013)
	}
	if after, err := os.ReadFile(state); err != nil || !json.Valid(after) {
		t.Error("a BACKUP wrote over the lab's state file")
	}
	mustExec(t, prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\notes.txt' WITH FORMAT`)
	if h := headerRows(t, prim, onShare("notes.txt")); len(h) != 1 {
		t.Errorf("WITH FORMAT over a file that is not a backup: %d sets, want 1", len(h))
	}
}

// TestRoundTripBackupPermissionAndStandby: the read-only login gets 262,
// a database in STANDBY 3036.
func TestRoundTripBackupPermissionAndStandby(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[1].Databases[0].State = "STANDBY"
	sl := serveTestLab(t, cfg)
	reader := sl.dbAs(t, "PRIMARY", DefaultReader, DefaultReaderPassword)
	wantErrors(t, reader, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\x.bak'`, 262, 3013)
	wantErrors(t, sl.db(t, "BACKUP"), `BACKUP LOG mgc TO DISK = N'\\DC1-FS01\LSBackup\x.trn'`, 3036, 3013)
}

// TestRoundTripTailLogBackup: BACKUP LOG … WITH NORECOVERY leaves the
// database RESTORING at the tail's LastLSN (so the other side's log
// backups can follow), marked as a tail in its header; with another
// session in the database it is 3101 and the database stays ONLINE.
func TestRoundTripTailLogBackup(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "PRIMARY")
	inside := pinned(t, db)
	if _, err := inside.ExecContext(context.Background(), "USE mgc"); err != nil {
		t.Fatal(err)
	}
	dev := onShare("mgc_tail.trn")
	wantErrors(t, db, "BACKUP LOG mgc TO DISK = N'"+dev+"' WITH NORECOVERY", 3101, 3013)
	if state, _ := stateOf(t, db, "mgc"); state != "ONLINE" {
		t.Fatalf("after a refused tail-log backup mgc is %s", state)
	}
	if _, err := inside.ExecContext(context.Background(), "USE master"); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "BACKUP LOG mgc TO DISK = @d WITH NORECOVERY", sql.Named("d", dev))
	h := headerRows(t, db, dev)[0]
	state, redo := stateOf(t, db, "mgc")
	if state != "RESTORING" || redo != lsnOf(t, h, "LastLSN") || h["IsForceOffline"] != true || fmt.Sprint(h["Flags"]) != "320" {
		t.Errorf("after the tail-log backup: %s at %s; header %v", state, redo, h)
	}
	wantErrors(t, db, "BACKUP LOG mgc TO DISK = N'"+onShare("again.trn")+"'", 927, 3013)
}

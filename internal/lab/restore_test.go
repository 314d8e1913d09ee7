package lab

import (
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// lsnPlus is l + n.
func lsnPlus(t *testing.T, l lsn.LSN, n int64) lsn.LSN {
	t.Helper()
	out, err := lsn.FromBig(new(big.Int).Add(l.Big(), big.NewInt(n)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func logSet(db string, first, last lsn.LSN, fork uuid.UUID) labfile.BackupSet {
	return labfile.BackupSet{BackupName: db + " log", BackupType: labfile.TypeLog, DatabaseName: db,
		ServerName: "DC1-SQL01", FirstLSN: first, LastLSN: last, FirstRecoveryForkID: fork,
		RecoveryForkID: fork, BackupSetGUID: uuid.New(), LogPages: 42, RecoveryModel: "FULL"}
}

// writeSets writes a backup file into the copy dir.
func writeSets(t *testing.T, tl *testLab, name string, sets ...labfile.BackupSet) string {
	t.Helper()
	return writeSetsAt(t, tl.path(name), sets...)
}

// writeSetsAt writes a backup file at path.
func writeSetsAt(t *testing.T, path string, sets ...labfile.BackupSet) string {
	t.Helper()
	if err := labfile.WriteFile(path, sets); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRestoreLogLSNRules(t *testing.T) {
	type env struct {
		redo lsn.LSN
		fork uuid.UUID
	}
	tests := []struct {
		name     string
		sets     func(t *testing.T, e env) []labfile.BackupSet
		prep     func(d *dbState, sets []labfile.BackupSet)
		with     string
		want     []int32
		advances bool // redo_start_lsn moves to the set's LastLSN
	}{
		{name: "next applies", advances: true,
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			}},
		{name: "starts exactly at redo", advances: true,
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", e.redo, lsnPlus(t, e.redo, 1), e.fork)}
			}},
		{name: "already applied", want: []int32{4326, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -500), e.redo, e.fork)}
			}},
		{name: "gap", want: []int32{4305, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, 1), lsnPlus(t, e.redo, 900), e.fork)}
			}},
		{name: "log chain broken at the source", want: []int32{4312, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				s := logSet("mgc", lsnPlus(t, e.redo, 5000), lsnPlus(t, e.redo, 9000), e.fork)
				s.BeginsLogChain = true
				return []labfile.BackupSet{s}
			}},
		{name: "empty at redo", want: []int32{4326, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", e.redo, e.redo, e.fork)}
			}},
		{name: "fork mismatch", want: []int32{4330, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), uuid.New())}
			}},
		{name: "interrupted restore of another set", want: []int32{4319, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			},
			prep: func(d *dbState, _ []labfile.BackupSet) { d.Restore.Interrupted = uuid.New() }},
		{name: "interrupted, same set again", advances: true,
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			},
			prep: func(d *dbState, sets []labfile.BackupSet) { d.Restore.Interrupted = sets[0].BackupSetGUID }},
		{name: "interrupted, WITH RESTART", advances: true, with: ", RESTART",
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			},
			prep: func(d *dbState, _ []labfile.BackupSet) { d.Restore.Interrupted = uuid.New() }},
		{name: "another database's log", want: []int32{3154, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgccomp", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			}},
		{name: "a full backup", want: []int32{3135, 3013},
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				s := logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)
				s.BackupType = labfile.TypeFull
				return []labfile.BackupSet{s}
			}},
		{name: "no such set in the file", want: []int32{4038, 3013}, with: ", FILE = 3",
			sets: func(t *testing.T, e env) []labfile.BackupSet {
				return []labfile.BackupSet{logSet("mgc", lsnPlus(t, e.redo, -10), lsnPlus(t, e.redo, 1000), e.fork)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			d := in.st.database("mgc")
			before := d.Restore.RedoStartLSN
			sets := tt.sets(t, env{redo: before, fork: d.Restore.RedoStartForkID})
			path := writeSets(t, tl, "mgc_test.trn", sets...)
			if tt.prep != nil {
				tt.prep(d, sets)
			}
			s := open(in, 51, "master")
			w := run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(path)+" WITH FILE = 1, NORECOVERY"+tt.with)
			if got := w.errorNumbers(); !reflect.DeepEqual(got, tt.want) && (len(got)+len(tt.want) > 0) {
				t.Fatalf("errors = %v, want %v (%v)", got, tt.want, w.errors)
			}
			after := in.st.database("mgc").Restore
			switch {
			case tt.advances && after.RedoStartLSN != sets[0].LastLSN:
				t.Errorf("redo_start_lsn = %s, want %s", after.RedoStartLSN, sets[0].LastLSN)
			case !tt.advances && after.RedoStartLSN != before:
				t.Errorf("a failed restore moved redo_start_lsn from %s to %s", before, after.RedoStartLSN)
			}
			if tt.advances && (len(w.infos) != 3 || !strings.HasPrefix(w.infos[2].Text, "RESTORE LOG successfully processed 42 pages")) {
				t.Errorf("info messages = %v", w.infos)
			}
			if tt.advances && after.Interrupted != (uuid.UUID{}) {
				t.Errorf("a finished restore left the interrupted mark %s", after.Interrupted)
			}
		})
	}
}

func TestRestoreLogThenNextFileFromStateOnDisk(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	d := in.st.database("mgc")
	r := d.Restore
	a := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID)
	b := logSet("mgc", a.LastLSN, lsnPlus(t, a.LastLSN, 100), r.RedoStartForkID)
	path := writeSets(t, tl, "mgc_multi.trn", a, b)
	jobFile, history := in.st.SecondaryDBs[0].LastRestoredFile, len(in.st.RestoreHistory)
	s := open(in, 51, "master")
	for _, sql := range []string{
		"RESTORE LOG mgc FROM DISK = " + quote(path) + " WITH FILE = 1, NORECOVERY",
		"RESTORE LOG [mgc] FROM DISK = " + quote(path) + " WITH FILE = 2, STANDBY = " + quote(filepath.Join(tl.copyDir(), "mgc.tuf")),
	} {
		if w := run(t, in, s, sql); len(w.errors) > 0 {
			t.Fatalf("%s: %v", sql, w.errors)
		}
	}
	st, err := loadState(in.path)
	if err != nil {
		t.Fatal(err)
	}
	got := st.database("mgc")
	if got.Restore.RedoStartLSN != b.LastLSN || got.State != "ONLINE" || !got.Standby {
		t.Errorf("state on disk = %s standby=%v redo %s, want ONLINE standby at %s", got.State, got.Standby, got.Restore.RedoStartLSN, b.LastLSN)
	}
	// RESTORE records the restores in restorehistory; the log shipping
	// tables' last restored file is the restore job's, left as it was.
	if f := st.SecondaryDBs[0].LastRestoredFile; f != jobFile || st.Monitor[0].LastRestoredFile != jobFile {
		t.Errorf("msdb last_restored_file = %q, monitor %q after a manual RESTORE LOG; want the restore job's %q",
			f, st.Monitor[0].LastRestoredFile, jobFile)
	}
	if n := len(st.RestoreHistory); n != history+2 || st.RestoreHistory[n-1].Device != path || st.RestoreHistory[n-2].Position != 1 {
		t.Errorf("restorehistory has %d rows (%d before); want both sets of %s added", n, history, path)
	}
}

func TestRestoreRefusals(t *testing.T) {
	tests := []struct {
		name  string
		sql   func(tl *testLab) string
		setup func(t *testing.T, tl *testLab, s *fakeSession)
		want  []int32
	}{
		{name: "inside a transaction", want: []int32{3021, 3013},
			sql:   func(*testLab) string { return "RESTORE DATABASE mgc WITH RECOVERY" },
			setup: func(_ *testing.T, _ *testLab, s *fakeSession) { s.tran = true }},
		{name: "own session in the database", want: []int32{3102, 3013},
			sql:   func(*testLab) string { return "RESTORE DATABASE mgccomp WITH RECOVERY" },
			setup: func(_ *testing.T, _ *testLab, s *fakeSession) { s.db = "mgccomp" }},
		{name: "other sessions in the database", want: []int32{3101, 3013},
			sql: func(*testLab) string { return "RESTORE DATABASE mgc WITH RECOVERY" },
			setup: func(_ *testing.T, tl *testLab, _ *fakeSession) {
				tl.backup().st.UserSessions = []*simSession{{SPID: 300, Database: "mgc", From: "master"}}
			}},
		{name: "recovered database, log", want: []int32{3117, 3013},
			sql: func(tl *testLab) string {
				return "RESTORE LOG mgccomp FROM DISK = " + quote(tl.path("x.trn")) + " WITH NORECOVERY"
			},
			setup: func(t *testing.T, tl *testLab, _ *fakeSession) {
				writeSets(t, tl, "x.trn", logSet("mgccomp", lsn.Make(1, 1, 1), lsn.Make(1, 2, 1), uuid.New()))
			}},
		{name: "recovered database, recovery again", want: []int32{3153, 3013},
			sql: func(*testLab) string { return "RESTORE DATABASE mgccomp WITH RECOVERY" }},
		{name: "missing file", want: []int32{3201, 3013},
			sql: func(tl *testLab) string {
				return "RESTORE LOG mgc FROM DISK = " + quote(tl.path("nope.trn")) + " WITH NORECOVERY"
			}},
		{name: "missing folder", want: []int32{3201, 3013},
			sql: func(tl *testLab) string {
				return "RESTORE LOG mgc FROM DISK = " + quote(filepath.Join(tl.dir, "no", "x.trn")) + " WITH NORECOVERY"
			}},
		{name: "not a backup", want: []int32{3241, 3013},
			sql: func(tl *testLab) string { return "RESTORE HEADERONLY FROM DISK = " + quote(tl.path("junk.trn")) },
			setup: func(t *testing.T, tl *testLab, _ *fakeSession) {
				os.WriteFile(tl.path("junk.trn"), []byte("this is not a backup at all, not even close"), 0o644)
			}},
		{name: "truncated", want: []int32{3203, 3013},
			sql: func(tl *testLab) string { return "RESTORE HEADERONLY FROM DISK = " + quote(tl.path("cut.trn")) },
			setup: func(t *testing.T, tl *testLab, _ *fakeSession) {
				b, err := labfile.Encode([]labfile.BackupSet{logSet("mgc", lsn.Make(1, 1, 1), lsn.Make(1, 2, 1), uuid.New())})
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(tl.path("cut.trn"), b[:len(b)-7], 0o644)
			}},
		{name: "HEADERONLY with a restore's option", want: []int32{UnsupportedNumber},
			sql: func(tl *testLab) string {
				return "RESTORE HEADERONLY FROM DISK = " + quote(tl.path("x.trn")) + " WITH FILE = 1, NORECOVERY"
			}},
		{name: "FILELISTONLY with a restore's option", want: []int32{UnsupportedNumber},
			sql: func(tl *testLab) string {
				return "RESTORE FILELISTONLY FROM DISK = " + quote(tl.path("x.trn")) + " WITH REPLACE"
			}},
		{name: "a value for a flag", want: []int32{UnsupportedNumber},
			sql: func(tl *testLab) string {
				return "RESTORE LOG mgc FROM DISK = " + quote(tl.path("x.trn")) + " WITH NORECOVERY, CHECKSUM = 1"
			}},
		{name: "no value for BUFFERCOUNT", want: []int32{UnsupportedNumber},
			sql: func(tl *testLab) string {
				return "RESTORE LOG mgc FROM DISK = " + quote(tl.path("x.trn")) + " WITH BUFFERCOUNT, NORECOVERY"
			}},
		{name: "missing database", want: []int32{911, 3013},
			sql: func(*testLab) string { return "RESTORE DATABASE nodb WITH RECOVERY" }},
		{name: "interrupted then recovery", want: []int32{4319, 3013},
			sql: func(*testLab) string { return "RESTORE DATABASE mgc WITH RECOVERY" },
			setup: func(_ *testing.T, tl *testLab, _ *fakeSession) {
				tl.backup().st.database("mgc").Restore.Interrupted = uuid.New()
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			s := open(in, 51, "master")
			if tt.setup != nil {
				tt.setup(t, tl, s)
			}
			w := run(t, in, s, tt.sql(tl))
			if got := w.errorNumbers(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("errors = %v, want %v (%v)", got, tt.want, w.errors)
			}
		})
	}
}

func TestRestoreDatabaseWithRecovery(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	if w := run(t, in, s, "RESTORE DATABASE mgc WITH RECOVERY"); len(w.errors) > 0 {
		t.Fatalf("recovery: %v", w.errors)
	}
	w := run(t, in, s, "SELECT d.state_desc, mf.redo_start_lsn FROM sys.databases d JOIN sys.master_files mf ON mf.database_id = d.database_id AND mf.file_id = 1 WHERE d.name = 'mgc'")
	if got := cell(t, w, 0, "state_desc"); got != "ONLINE" {
		t.Errorf("state = %v, want ONLINE", got)
	}
	if got := cell(t, w, 0, "redo_start_lsn"); got != nil {
		t.Errorf("redo_start_lsn = %v, want NULL after recovery", got)
	}
	if w := run(t, in, s, "RESTORE DATABASE mgc WITH RECOVERY"); !reflect.DeepEqual(w.errorNumbers(), []int32{3153, 3013}) {
		t.Errorf("second recovery: %v, want 3153 then 3013", w.errors)
	}
}

func TestHeaderOnlyReadsEverySet(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	a := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID)
	b := logSet("mgc", a.LastLSN, a.LastLSN, r.RedoStartForkID)
	path := writeSets(t, tl, "mgc_two.trn", a, b)
	s := open(in, 51, "master")
	w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = "+quote(path)+" WITH NOUNLOAD")
	if got := len(w.results[0].Rows); got != 2 {
		t.Fatalf("rows = %d, want 2", got)
	}
	for col, want := range map[string]any{"Position": int64(1), "BackupType": int64(2), "DatabaseName": "mgc",
		"FirstLSN": a.FirstLSN.String(), "LastLSN": a.LastLSN.String(), "BackupTypeDescription": "Transaction Log",
		"FirstRecoveryForkID": strings.ToUpper(r.RedoStartForkID.String())} {
		if got := cell(t, w, 0, col); got != want {
			t.Errorf("%s = %#v, want %#v", col, got, want)
		}
	}
	if got := cell(t, w, 1, "Position"); got != int64(2) {
		t.Errorf("second Position = %v", got)
	}
	// SQL Server 2014 (the version the lab reports) ends with the
	// encryption columns.
	cols := w.results[0].Columns
	if last := cols[len(cols)-1].Name; len(cols) != 56 || last != "EncryptorType" {
		t.Errorf("%d columns ending with %s, want 56 ending with EncryptorType", len(cols), last)
	}
}

// TestRelativeDeviceFromLabDir: a relative path is read from the lab dir
// (SQL Server's default backup folder), wherever the lab was started.
func TestRelativeDeviceFromLabDir(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	if err := labfile.WriteFile(filepath.Join(tl.dir, "rel.trn"), []labfile.BackupSet{
		logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID)}); err != nil {
		t.Fatal(err)
	}
	s := open(in, 51, "master")
	if w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = N'rel.trn'"); len(w.errors) > 0 || len(w.results) != 1 {
		t.Fatalf("HEADERONLY of a relative path: %v", w.errors)
	}
	if w := run(t, in, s, "RESTORE LOG mgc FROM DISK = N'rel.trn' WITH NORECOVERY"); len(w.errors) > 0 {
		t.Fatalf("RESTORE LOG of a relative path: %v", w.errors)
	}
	w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = N'nope.trn'")
	if len(w.errors) == 0 || !strings.Contains(w.errors[0].Text, filepath.Join(tl.dir, "nope.trn")) {
		t.Errorf("a missing relative file: %v, want 3201 naming the full path", w.errors)
	}
}

func TestRestoreHistoryCrossCheck(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	const q = `SELECT TOP (1) rh.restore_history_id, rh.restore_date, rh.restore_type,
       bs.first_lsn, bs.last_lsn, bs.database_backup_lsn, bmf.physical_device_name
FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = N'mgc'
ORDER BY rh.restore_history_id DESC;`
	redo := in.st.database("mgc").Restore.RedoStartLSN.String()
	w := run(t, in, s, q)
	if got := cell(t, w, 0, "last_lsn"); got != redo {
		t.Errorf("last restored last_lsn = %v, want redo_start_lsn %s", got, redo)
	}
	r := in.st.database("mgc").Restore
	next := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 50), r.RedoStartForkID)
	path := writeSets(t, tl, "mgc_next.trn", next)
	if w := run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(path)+" WITH NORECOVERY"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	w = run(t, in, s, q)
	if got := cell(t, w, 0, "physical_device_name"); got != path {
		t.Errorf("newest restore's device = %v, want %s", got, path)
	}
	if got := cell(t, w, 0, "restore_type"); got != "L" {
		t.Errorf("restore_type = %v", got)
	}
}

func TestRestoreStatsReportsProgress(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	in.restoreTime = 10 * time.Millisecond
	r := in.st.database("mgc").Restore
	path := writeSets(t, tl, "mgc_stats.trn", logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 9), r.RedoStartForkID))
	s := open(in, 51, "master")
	w := run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(path)+" WITH NORECOVERY, STATS = 25")
	var got []string
	for _, m := range w.infos {
		if m.Number == 3211 {
			got = append(got, m.Text)
		}
	}
	want := []string{"25 percent processed.", "50 percent processed.", "75 percent processed.", "100 percent processed."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

func TestStandbyBackToRestoring(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[1].Databases[0].State = "STANDBY"
	tl := newTestLab(t, cfg)
	in := tl.backup()
	s := open(in, 51, "master")
	const q = "SELECT state_desc, is_in_standby FROM sys.databases WHERE name = N'mgc'"
	w := run(t, in, s, q)
	if cell(t, w, 0, "state_desc") != "ONLINE" || cell(t, w, 0, "is_in_standby") != true {
		t.Fatalf("standby database shows %v", w.results[0].Rows)
	}
	if w := run(t, in, s, "RESTORE DATABASE mgc WITH NORECOVERY"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	w = run(t, in, s, q)
	if cell(t, w, 0, "state_desc") != "RESTORING" || cell(t, w, 0, "is_in_standby") != false {
		t.Errorf("after WITH NORECOVERY: %v", w.results[0].Rows)
	}
}

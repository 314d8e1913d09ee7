package lab

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestRestoreThroughThePathMap: plans name Windows paths; the lab reads
// them from its folders, case-insensitively, with / or \.
func TestRestoreThroughThePathMap(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	writeSets(t, tl, "mgc_20260105190000.trn", logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID))
	s := open(in, 51, "master")
	for _, dev := range []string{
		`D:\LSCopy\mgc\mgc_20260105190000.trn`,
		`d:/lscopy/MGC/MGC_20260105190000.TRN`,
		`D:\LSCopy\other\..\mgc\.\mgc_20260105190000.trn`,
	} {
		w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = "+quote(dev))
		if len(w.errors) > 0 || len(w.results) != 1 {
			t.Errorf("HEADERONLY of %s: %v", dev, w.errors)
		}
	}
	shareFile := firstFile(t, tl.share())
	if w := run(t, in, s, `RESTORE HEADERONLY FROM DISK = N'\\dc1-fs01\lsbackup\`+shareFile+`'`); len(w.errors) > 0 {
		t.Errorf("HEADERONLY on the share: %v", w.errors)
	}
	const dev = `D:\LSCopy\mgc\mgc_20260105190000.trn`
	job := cell(t, run(t, in, s, "SELECT last_restored_file FROM msdb.dbo.log_shipping_secondary_databases"), 0, "last_restored_file")
	if j, _ := job.(string); !strings.HasPrefix(j, `D:\LSCopy\mgc\mgc_`) {
		t.Errorf("the restore job's last_restored_file = %v, want a Windows path in D:\\LSCopy\\mgc", job)
	}
	if w := run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(dev)+" WITH NORECOVERY"); len(w.errors) > 0 {
		t.Fatalf("RESTORE LOG: %v", w.errors)
	}
	w := run(t, in, s, `SELECT TOP (1) bmf.physical_device_name FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id ORDER BY rh.restore_history_id DESC`)
	if got := cell(t, w, 0, "physical_device_name"); got != dev {
		t.Errorf("restore history device = %v, want the path SQL Server was given, %s", got, dev)
	}
	// A manual RESTORE leaves the log shipping record to the restore job.
	w = run(t, in, s, "SELECT last_restored_file FROM msdb.dbo.log_shipping_secondary_databases")
	if got := cell(t, w, 0, "last_restored_file"); got != job {
		t.Errorf("last_restored_file = %v after a manual RESTORE LOG, want the restore job's %v", got, job)
	}
}

// firstFile is the first file name in dir.
func firstFile(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("read %s: %v (%d entries)", dir, err, len(entries))
	}
	return entries[0].Name()
}

// TestDeviceOutsideThePathMap: a path no mapping covers is 3201 naming
// the path as given, never a file of the lab dir joined by accident.
func TestDeviceOutsideThePathMap(t *testing.T) {
	tests := []struct {
		name   string
		device func(tl *testLab) string
		want   string // the text of 3201
	}{
		{"missing file in a mapped folder", func(*testLab) string { return `D:\LSCopy\mgc\nope.trn` },
			`Cannot open backup device 'D:\LSCopy\mgc\nope.trn'. Operating system error 2(The system cannot find the file specified.).`},
		{"missing folder on a mapped drive", func(*testLab) string { return `D:\NoFolder\x.trn` },
			`Cannot open backup device 'D:\NoFolder\x.trn'. Operating system error 3(The system cannot find the path specified.).`},
		{"a drive the lab does not have", func(*testLab) string { return `E:\LSCopy\mgc\x.trn` },
			`Cannot open backup device 'E:\LSCopy\mgc\x.trn'. Operating system error 3(The system cannot find the path specified.).`},
		{"a file server the lab does not have", func(*testLab) string { return `\\DC2-FS01\LSBackup\x.trn` },
			`Cannot open backup device '\\DC2-FS01\LSBackup\x.trn'. Operating system error 53(The network path was not found.).`},
		{"a drive-relative path", func(*testLab) string { return `D:x.trn` },
			`Cannot open backup device 'D:x.trn'. Operating system error 3(The system cannot find the path specified.).`},
		{"a root-relative path", func(*testLab) string { return `\LSCopy\x.trn` },
			`Cannot open backup device '\LSCopy\x.trn'. Operating system error 3(The system cannot find the path specified.).`},
		{"a local path outside the lab dir", func(tl *testLab) string { return filepath.Join(filepath.Dir(tl.dir), "elsewhere.trn") },
			`Operating system error 3(The system cannot find the path specified.).`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			s := open(in, 51, "master")
			for _, sql := range []string{"RESTORE HEADERONLY FROM DISK = %s", "RESTORE LOG mgc FROM DISK = %s WITH NORECOVERY"} {
				w := run(t, in, s, fmtSQL(sql, quote(tt.device(tl))))
				if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{3201, 3013}) || !strings.HasSuffix(w.errors[0].Text, tt.want) {
					t.Errorf("%s: %v %v, want 3201 %q", sql, got, w.errors, tt.want)
				}
			}
		})
	}
}

// TestWindowsPathNeverJoinedToTheLabDir is the old bug: a drive path the
// map does not cover was joined to the lab dir, and a file of that odd
// name there was read.
func TestWindowsPathNeverJoinedToTheLabDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows D:\\Other is a real path, not a file name in the lab dir")
	}
	cfg := DefaultConfig()
	cfg.Paths = cfg.Paths[:2] // the share and the copy folder, no D:\
	tl := newTestLab(t, cfg)
	in := tl.backup()
	r := in.st.database("mgc").Restore
	odd := `D:\Other\mgc.trn`
	writeSetsAt(t, filepath.Join(tl.dir, odd), logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 1), r.RedoStartForkID))
	s := open(in, 51, "master")
	w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = "+quote(odd))
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{3201, 3013}) {
		t.Errorf("a drive outside the map: %v, want 3201 (not the file %s)", w.errors, filepath.Join(tl.dir, odd))
	}
}

func TestStandbyFileThroughThePathMap(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	writeSets(t, tl, "mgc_next.trn", logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID))
	s := open(in, 51, "master")
	w := run(t, in, s, `RESTORE LOG mgc FROM DISK = N'D:\LSCopy\mgc\mgc_next.trn' WITH STANDBY = N'E:\undo\mgc.tuf'`)
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{3201, 3013}) {
		t.Errorf("an undo file on a drive the lab does not have: %v, want 3201", w.errors)
	}
	w = run(t, in, s, `RESTORE LOG mgc FROM DISK = N'D:\LSCopy\mgc\mgc_next.trn' WITH STANDBY = N'D:\LSCopy\mgc\mgc.tuf'`)
	if len(w.errors) > 0 {
		t.Fatalf("STANDBY into the copy folder: %v", w.errors)
	}
	if d := in.st.database("mgc"); !d.Standby || d.StandbyFile != `D:\LSCopy\mgc\mgc.tuf` {
		t.Errorf("standby = %v, file %q", d.Standby, d.StandbyFile)
	}
}

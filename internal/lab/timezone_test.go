package lab

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
)

const wall = "2006-01-02 15:04:05"

// TestHeaderOnlyDatesAreServerLocal: HEADERONLY's dates are the server's
// wall clock in its time zone (Berlin by default: +1 in winter, +2 in
// summer), while the file name keeps UTC.
func TestHeaderOnlyDatesAreServerLocal(t *testing.T) {
	tests := []struct {
		zone     string
		at       time.Time
		wantWall string
	}{
		{"", time.Date(2026, 1, 5, 19, 0, 0, 0, time.UTC), "2026-01-05 20:00:00"},
		{"", time.Date(2026, 7, 5, 23, 30, 0, 0, time.UTC), "2026-07-06 01:30:00"},
		{"America/New_York", time.Date(2026, 1, 5, 19, 0, 0, 0, time.UTC), "2026-01-05 14:00:00"},
		{"UTC", time.Date(2026, 1, 5, 19, 0, 0, 0, time.UTC), "2026-01-05 19:00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.wantWall, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TimeZone = tt.zone
			tl := newTestLab(t, cfg)
			in := tl.backup()
			r := in.st.database("mgc").Restore
			set := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 10), r.RedoStartForkID)
			set.BackupStartDate, set.BackupFinishDate = tt.at, tt.at.Add(3*time.Second)
			name := labfile.FileName("mgc", tt.at)
			writeSets(t, tl, name, set)
			s := open(in, 51, "master")
			w := run(t, in, s, `RESTORE HEADERONLY FROM DISK = N'D:\LSCopy\mgc\`+name+`'`)
			start := cell(t, w, 0, "BackupStartDate").(time.Time)
			if got := start.Format(wall); got != tt.wantWall {
				t.Errorf("BackupStartDate = %s, want %s", got, tt.wantWall)
			}
			if stamp := strings.TrimSuffix(strings.TrimPrefix(name, "mgc_"), ".trn"); stamp != tt.at.Format("20060102150405") {
				t.Errorf("file name %s: not the UTC time %s", name, tt.at)
			}
			// backupset shows the same local dates after the restore.
			if w := run(t, in, s, `RESTORE LOG mgc FROM DISK = N'D:\LSCopy\mgc\`+name+`' WITH NORECOVERY`); len(w.errors) > 0 {
				t.Fatal(w.errors)
			}
			w = run(t, in, s, "SELECT TOP (1) backup_start_date, backup_finish_date FROM msdb.dbo.backupset ORDER BY backup_set_id DESC")
			if got := cell(t, w, 0, "backup_start_date").(time.Time).Format(wall); got != tt.wantWall {
				t.Errorf("backupset.backup_start_date = %s, want %s as in HEADERONLY", got, tt.wantWall)
			}
		})
	}
}

// TestMsdbAndGetdateAreServerLocal: msdb's *_date columns, GETDATE and
// restorehistory.restore_date are Berlin wall clocks; *_date_utc and
// GETUTCDATE are UTC, so their difference is the zone's offset.
func TestMsdbAndGetdateAreServerLocal(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	w := run(t, in, s, "SELECT last_restored_date, last_restored_date_utc FROM msdb.dbo.log_shipping_monitor_secondary")
	local := cell(t, w, 0, "last_restored_date").(time.Time)
	utc := cell(t, w, 0, "last_restored_date_utc").(time.Time)
	if want := utc.In(berlin).Format(wall); local.Format(wall) != want {
		t.Errorf("last_restored_date %s, _utc %s: want the Berlin wall clock %s", local.Format(wall), utc.Format(wall), want)
	}
	before := time.Now()
	w = run(t, in, s, "SELECT GETDATE() AS l, GETUTCDATE() AS u")
	after := time.Now()
	l, u := cell(t, w, 0, "l").(time.Time), cell(t, w, 0, "u").(time.Time)
	if lo, hi := before.In(berlin).Add(-time.Second).Format(wall), after.In(berlin).Add(time.Second).Format(wall); l.Format(wall) < lo || l.Format(wall) > hi {
		t.Errorf("GETDATE() = %s, want Berlin time between %s and %s", l.Format(wall), lo, hi)
	}
	if lo, hi := before.UTC().Add(-time.Second).Format(wall), after.UTC().Add(time.Second).Format(wall); u.Format(wall) < lo || u.Format(wall) > hi {
		t.Errorf("GETUTCDATE() = %s, want UTC between %s and %s", u.Format(wall), lo, hi)
	}
	w = run(t, in, s, "SELECT TOP (1) restore_date FROM msdb.dbo.restorehistory ORDER BY restore_history_id DESC")
	if rd := cell(t, w, 0, "restore_date").(time.Time); rd.Location().String() != "Europe/Berlin" {
		t.Errorf("restore_date is in %s, want the server's zone", rd.Location())
	}
}

// TestChainNamesUTCHeadersLocal is domain.md edge case 12 on the lab's own
// chain: each file's name is its first set's start in UTC; the header
// shows the same instant as Berlin time.
func TestChainNamesUTCHeadersLocal(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, e := range mustReadDir(t, tl.share()) {
		w := run(t, in, s, `RESTORE HEADERONLY FROM DISK = N'\\DC1-FS01\LSBackup\`+e.Name()+`'`)
		stamp, err := time.Parse("20060102150405", strings.TrimSuffix(strings.TrimPrefix(e.Name(), "mgc_"), filepath.Ext(e.Name())))
		if err != nil {
			t.Fatalf("name %s: %v", e.Name(), err)
		}
		got := cell(t, w, 0, "BackupStartDate").(time.Time).Format(wall)
		if want := stamp.In(berlin).Format(wall); got != want {
			t.Errorf("%s: BackupStartDate %s, want %s (the name's UTC time in Berlin)", e.Name(), got, want)
		}
	}
}

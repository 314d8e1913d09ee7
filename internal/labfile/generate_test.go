package labfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/lsn"
)

var testStart = time.Date(2026, 1, 5, 19, 0, 0, 0, time.UTC)

func testSpec() ChainSpec {
	s := DefaultChainSpec(testStart.Add(8 * 15 * time.Minute))
	s.Count, s.Copied, s.Restored = 12, 8, 6
	return s
}

func generate(t *testing.T, s ChainSpec) Chain {
	t.Helper()
	c, err := GenerateChain(s)
	if err != nil {
		t.Fatalf("GenerateChain: %v", err)
	}
	return c
}

// replay applies the chain's files the way logship.apply will: only log
// sets of the database, skipping empty and applied ones, in LSN order,
// until nothing applies. It returns the restore point reached and the
// verdicts of the sets that could not be applied.
func replay(t *testing.T, c Chain) (RestorePoint, map[Verdict][]string) {
	t.Helper()
	p := c.Restore
	blocked := map[Verdict][]string{}
	for progress := true; progress; {
		progress = false
		blocked = map[Verdict][]string{}
		for _, f := range c.Files {
			for _, s := range f.Sets {
				if s.DatabaseName != c.Database || s.BackupType != TypeLog {
					continue
				}
				switch v := ClassifyLog(p, s); v {
				case Applies:
					p, progress = p.Advance(s), true
				case AlreadyApplied, Empty:
				default:
					blocked[v] = append(blocked[v], f.Name)
				}
			}
		}
	}
	return p, blocked
}

func TestGenerateChainDefault(t *testing.T) {
	c := generate(t, testSpec())
	if len(c.Files) != 12 || len(c.Missing) != 0 {
		t.Fatalf("%d files, %d missing; want 12, 0", len(c.Files), len(c.Missing))
	}
	name := regexp.MustCompile(`^mgc_\d{14}\.trn$`)
	prev := c.Full
	for i, f := range c.Files {
		s := f.Sets[0]
		want := testStart.Add(time.Duration(i) * 15 * time.Minute)
		if !name.MatchString(f.Name) || f.Name != FileName("mgc", want) || !s.BackupStartDate.Equal(want) {
			t.Errorf("file %d is %s taken %s, want %s", i, f.Name, s.BackupStartDate, FileName("mgc", want))
		}
		if i > 0 && s.FirstLSN != prev.LastLSN {
			t.Errorf("%s starts at %s, the previous set ended at %s: the chain is broken", f.Name, s.FirstLSN, prev.LastLSN)
		}
		if s.LastLSN.Cmp(s.FirstLSN) <= 0 || len(s.LastLSN.String()) < 19 {
			t.Errorf("%s: LSNs %s..%s are not a realistic forward range", f.Name, s.FirstLSN, s.LastLSN)
		}
		if f.Copied != (i < 8) || f.Restored != (i < 6) || s.Position != 1 {
			t.Errorf("%s: copied %v restored %v position %d", f.Name, f.Copied, f.Restored, s.Position)
		}
		prev = s
	}
	if got := ClassifyLog(c.Restore, c.Files[6].Sets[0]); got != Applies {
		t.Errorf("the first not restored file %s: %s, want applies", c.Files[6].Name, got)
	}
	if got := ClassifyLog(c.Restore, c.Files[5].Sets[0]); got != AlreadyApplied {
		t.Errorf("the last restored file: %s, want already applied", got)
	}
	end, blocked := replay(t, c)
	if end.RedoStartLSN != c.Tip || len(blocked) != 0 {
		t.Errorf("replay reached %s with %v blocked, want the tip %s", end.RedoStartLSN, blocked, c.Tip)
	}
}

func TestGenerateChainNothingRestored(t *testing.T) {
	s := testSpec()
	s.Copied, s.Restored = 0, 0
	c := generate(t, s)
	if c.Restore.RedoStartLSN != c.Full.LastLSN {
		t.Errorf("restore point %s, want the full backup's end %s", c.Restore.RedoStartLSN, c.Full.LastLSN)
	}
	if got := ClassifyLog(c.Restore, c.Files[0].Sets[0]); got != Applies {
		t.Errorf("the first log backup after the full backup: %s, want applies", got)
	}
}

func TestGenerateChainSwitches(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*ChainSpec)
		check func(t *testing.T, c Chain)
	}{
		{name: "gap", set: func(s *ChainSpec) { s.Gap = true }, check: func(t *testing.T, c Chain) {
			end, blocked := replay(t, c)
			if len(c.Missing) != 1 || end.RedoStartLSN != c.Missing[0].FirstLSN || len(blocked[Gap]) == 0 {
				t.Errorf("replay stopped at %s (blocked %v), want at the missing set's start", end.RedoStartLSN, blocked)
			}
		}},
		{name: "gap and truncated", set: func(s *ChainSpec) {
			s.Gap, s.Truncated = true, true
			s.Count = s.MinCount()
		}, check: func(t *testing.T, c Chain) {
			// A readable set lies beyond the gap, so the gap shows in a
			// header (4305) instead of hiding behind the unreadable file.
			end, blocked := replay(t, c)
			if len(c.Missing) != 1 || end.RedoStartLSN != c.Missing[0].FirstLSN || len(blocked[Gap]) == 0 {
				t.Errorf("replay stopped at %s (blocked %v), want a readable set beyond the gap", end.RedoStartLSN, blocked)
			}
			if c.Files[len(c.Files)-1].CutAt == 0 {
				t.Error("the newest file is not truncated")
			}
		}},
		{name: "truncated", set: func(s *ChainSpec) { s.Truncated = true }, check: func(t *testing.T, c Chain) {
			last := c.Files[len(c.Files)-1]
			b, err := last.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(b); last.CutAt == 0 || !errors.Is(err, ErrTruncated) {
				t.Errorf("%s: cut at %d, Decode error %v; want a truncated file", last.Name, last.CutAt, err)
			}
		}},
		{name: "foreign files", set: func(s *ChainSpec) { s.ForeignFiles = true }, check: func(t *testing.T, c Chain) {
			comp, mirror := 0, 0
			for _, f := range c.Files {
				if strings.HasPrefix(f.Name, "mgccomp_") && f.Sets[0].DatabaseName == "mgccomp" {
					comp++
				}
				if f.Sets[0].ServerName == "DC1-SQL02" && f.Sets[0].DatabaseName == "mgc" {
					mirror++
				}
			}
			end, _ := replay(t, c)
			if comp != 12 || mirror != 4 || end.RedoStartLSN != c.Tip {
				t.Errorf("%d mgccomp files, %d mirror files, replay to %s; want 12, 4, the tip %s", comp, mirror, end.RedoStartLSN, c.Tip)
			}
		}},
		{name: "mirror files: two servers, names out of LSN order", set: func(s *ChainSpec) { s.MirrorFiles = true }, check: func(t *testing.T, c Chain) {
			var servers []string
			byName := append([]ChainFile(nil), c.Files...) // c.Files is in name order
			for _, f := range byName {
				servers = append(servers, f.Sets[0].ServerName)
				if f.Sets[0].DatabaseName != "mgc" {
					t.Errorf("%s: database %s; mirror files only add the mirror's mgc backups", f.Name, f.Sets[0].DatabaseName)
				}
			}
			outOfOrder := false
			for i := 1; i < len(byName); i++ {
				if byName[i].Sets[0].FirstLSN.Cmp(byName[i-1].Sets[0].FirstLSN) < 0 {
					outOfOrder = true
				}
			}
			if mirror := strings.Count(strings.Join(servers, ","), "DC1-SQL02"); mirror != 4 || !outOfOrder {
				t.Errorf("servers in name order %v (out of LSN order: %v); want 4 mirror files whose names sort before the primary's last", servers, outOfOrder)
			}
			if end, _ := replay(t, c); end.RedoStartLSN != c.Tip {
				t.Errorf("replay by LSN reached %s, want the tip", end.RedoStartLSN)
			}
		}},
		{name: "other database files only", set: func(s *ChainSpec) { s.OtherDatabaseFiles = true }, check: func(t *testing.T, c Chain) {
			comp := 0
			for _, f := range c.Files {
				if f.Sets[0].DatabaseName == "mgccomp" {
					comp++
				}
				if f.Sets[0].ServerName != "DC1-SQL01" {
					t.Errorf("%s written by %s, want only the primary", f.Name, f.Sets[0].ServerName)
				}
			}
			if comp != 12 || len(c.Files) != 24 {
				t.Errorf("%d mgccomp files of %d, want 12 of 24", comp, len(c.Files))
			}
		}},
		{name: "full backup among the logs", set: func(s *ChainSpec) { s.FullAmongLogs = true }, check: func(t *testing.T, c Chain) {
			var full *ChainFile
			for i, f := range c.Files {
				if f.Sets[0].BackupType == TypeFull {
					full = &c.Files[i]
				}
			}
			if full == nil || filepath.Ext(full.Name) != ".trn" || !full.Copied || full.Restored {
				t.Fatalf("full backup file %+v, want one named .trn, copied, not restored", full)
			}
			f, next := full.Sets[0], c.Logs[7]
			if f.FirstLSN.Cmp(next.FirstLSN) <= 0 || f.LastLSN.Cmp(next.LastLSN) >= 0 {
				t.Errorf("full %s..%s not inside the next log backup %s..%s", f.FirstLSN, f.LastLSN, next.FirstLSN, next.LastLSN)
			}
			if next.DatabaseBackupLSN != f.CheckpointLSN || c.Logs[6].DatabaseBackupLSN != c.Full.CheckpointLSN {
				t.Errorf("DatabaseBackupLSN before/after the full: %s/%s, want %s/%s", c.Logs[6].DatabaseBackupLSN,
					next.DatabaseBackupLSN, c.Full.CheckpointLSN, f.CheckpointLSN)
			}
			if end, _ := replay(t, c); end.RedoStartLSN != c.Tip {
				t.Errorf("the full backup broke the log chain: replay reached %s", end.RedoStartLSN)
			}
		}},
		{name: "multi-set file", set: func(s *ChainSpec) { s.MultiSetFile = true }, check: func(t *testing.T, c Chain) {
			var multi []BackupSet
			for _, f := range c.Files {
				if len(f.Sets) > 1 {
					multi = f.Sets
				}
			}
			if len(multi) != 2 || multi[0].Position != 1 || multi[1].Position != 2 || multi[0].LastLSN != multi[1].FirstLSN {
				t.Errorf("multi-set file holds %+v, want two consecutive sets at positions 1 and 2", multi)
			}
			if end, _ := replay(t, c); end.RedoStartLSN != c.Tip {
				t.Errorf("replay reached %s, want the tip", end.RedoStartLSN)
			}
		}},
		{name: "empty log backup", set: func(s *ChainSpec) { s.EmptyLogBackup = true }, check: func(t *testing.T, c Chain) {
			empty := 0
			for _, f := range c.Files {
				if f.Sets[0].IsEmptyLog() && !f.Restored {
					empty++
				}
			}
			if end, _ := replay(t, c); empty != 1 || end.RedoStartLSN != c.Tip {
				t.Errorf("%d empty backups, replay to %s; want 1 and the tip", empty, end.RedoStartLSN)
			}
		}},
		{name: "fork mismatch", set: func(s *ChainSpec) { s.ForkMismatch = true }, check: func(t *testing.T, c Chain) {
			if len(c.Files) != 13 {
				t.Fatalf("%d files, want 12 and a stale one", len(c.Files))
			}
			stale := 0
			for _, f := range c.Files {
				if CheckRestore(c.Restore, f.Sets[0], false) == ForkMismatch {
					stale++
				}
			}
			if end, _ := replay(t, c); stale != 1 || end.RedoStartLSN != c.Tip {
				t.Errorf("%d files give 4330 at the restore point, replay to %s; want 1 and the tip", stale, end.RedoStartLSN)
			}
		}},
		{name: "other files", set: func(s *ChainSpec) { s.OtherFiles = true }, check: func(t *testing.T, c Chain) {
			kinds := map[string]error{}
			for _, f := range c.Files {
				b, err := f.Bytes()
				if err != nil {
					t.Fatal(err)
				}
				sets, err := Decode(b)
				switch ext := filepath.Ext(f.Name); {
				case ext == ".bak" && err == nil && len(sets) == 1 && sets[0].BackupType == TypeFull:
					kinds[ext] = nil
					if sets[0].CheckpointLSN != c.Full.CheckpointLSN {
						t.Errorf("the .bak is not the chain's full backup")
					}
				case ext != ".trn":
					kinds[ext] = err
				}
			}
			if len(kinds) != 3 || kinds[".bak"] != nil || !errors.Is(kinds[".tuf"], ErrNotBackup) || !errors.Is(kinds[".tmp"], ErrTruncated) {
				t.Errorf("other files: %v; want a full .bak, a .tuf that is no backup, a truncated .tmp", kinds)
			}
			if end, _ := replay(t, c); end.RedoStartLSN != c.Tip {
				t.Errorf("replay reached %s, want the tip", end.RedoStartLSN)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			tt.set(&s)
			tt.check(t, generate(t, s))
		})
	}
}

func TestGenerateChainDeterministic(t *testing.T) {
	s := testSpec()
	s.Gap, s.ForeignFiles, s.MultiSetFile, s.EmptyLogBackup, s.ForkMismatch, s.Truncated = true, true, true, true, true, true
	s.OtherFiles, s.FullAmongLogs = true, true
	s.Count = s.MinCount()
	a, b := generate(t, s), generate(t, s)
	if !reflect.DeepEqual(a, b) {
		t.Error("the same spec gave two different chains")
	}
	s.Seed++
	if c := generate(t, s); c.Tip == a.Tip {
		t.Error("another seed gave the same LSNs")
	}
}

func TestGenerateChainErrors(t *testing.T) {
	tests := []struct {
		name string
		set  func(*ChainSpec)
	}{
		{name: "no database", set: func(s *ChainSpec) { s.Database = "" }},
		{name: "no server", set: func(s *ChainSpec) { s.Server = "" }},
		{name: "no backups", set: func(s *ChainSpec) { s.Count, s.Copied, s.Restored = 0, 0, 0 }},
		{name: "no interval", set: func(s *ChainSpec) { s.Interval = 0 }},
		{name: "restored beyond copied", set: func(s *ChainSpec) { s.Restored = 9 }},
		{name: "copied beyond count", set: func(s *ChainSpec) { s.Copied = 13 }},
		{name: "foreign without mirror", set: func(s *ChainSpec) { s.ForeignFiles, s.MirrorServer = true, "" }},
		{name: "foreign is the database", set: func(s *ChainSpec) { s.ForeignFiles, s.ForeignDatabase = true, "mgc" }},
		{name: "mirror without mirror server", set: func(s *ChainSpec) { s.MirrorFiles, s.MirrorServer = true, "" }},
		{name: "other database without a name", set: func(s *ChainSpec) { s.OtherDatabaseFiles, s.ForeignDatabase = true, "" }},
		{name: "switches need room", set: func(s *ChainSpec) {
			s.Count, s.Copied, s.Restored = 8, 8, 6
			s.Gap, s.MultiSetFile, s.EmptyLogBackup = true, true, true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			tt.set(&s)
			if _, err := GenerateChain(s); !errors.Is(err, ErrSpec) {
				t.Errorf("GenerateChain error = %v, want ErrSpec", err)
			}
		})
	}
}

func TestChainWrite(t *testing.T) {
	s := testSpec()
	s.Truncated = true
	c := generate(t, s)
	share, cp := t.TempDir(), t.TempDir()
	if err := c.Write(share, cp); err != nil {
		t.Fatal(err)
	}
	for _, f := range c.Files {
		sets, err := ReadFile(filepath.Join(share, f.Name))
		if f.CutAt > 0 {
			if !errors.Is(err, ErrTruncated) {
				t.Errorf("%s on the share: error %v, want truncated", f.Name, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(sets, f.Sets) {
			t.Errorf("%s on the share: %v, sets differ: %v", f.Name, err, !reflect.DeepEqual(sets, f.Sets))
		}
		_, err = os.Stat(filepath.Join(cp, f.Name))
		if copied := err == nil; copied != f.Copied {
			t.Errorf("%s in the copy dir: %v, want %v", f.Name, copied, f.Copied)
		}
	}
	if err := c.Write(filepath.Join(share, "missing"), ""); err == nil {
		t.Error("Write into a missing share succeeded")
	}
}

// The lab's LSNs are 22-digit decimals, beyond uint64, so that a reader
// that scans LSNs into an integer breaks in the lab, not in production.
func TestGenerateChainLSNsBeyondUint64(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		spec := DefaultChainSpec(time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC))
		spec.Seed = seed
		c, err := GenerateChain(spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.Files {
			for _, s := range f.Sets {
				for _, l := range []lsn.LSN{s.FirstLSN, s.LastLSN} {
					if got := len(l.String()); got != 22 {
						t.Fatalf("seed %d: %s LSN %s has %d digits, want 22", seed, f.Name, l, got)
					}
					if l.Big().IsUint64() {
						t.Fatalf("seed %d: LSN %s fits in uint64", seed, l)
					}
				}
			}
		}
	}
}

func TestChainSpecMinCount(t *testing.T) {
	tests := []struct {
		name string
		set  func(*ChainSpec)
		want int
	}{
		{name: "no switch: the copied files", set: func(*ChainSpec) {}, want: 8},
		{name: "gap", set: func(s *ChainSpec) { s.Gap = true }, want: 8},
		{name: "truncated", set: func(s *ChainSpec) { s.Truncated = true }, want: 8},
		{name: "gap and truncated", set: func(s *ChainSpec) { s.Gap, s.Truncated = true, true }, want: 10},
		{name: "full among the logs, nothing copied", set: func(s *ChainSpec) { s.Copied, s.FullAmongLogs = 6, true }, want: 8},
		{name: "every switch", set: func(s *ChainSpec) {
			s.Gap, s.Truncated, s.MultiSetFile, s.EmptyLogBackup, s.ForkMismatch, s.ForeignFiles = true, true, true, true, true, true
		}, want: 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSpec()
			tt.set(&s)
			if got := s.MinCount(); got != tt.want {
				t.Fatalf("MinCount = %d, want %d", got, tt.want)
			}
			s.Count = tt.want
			generate(t, s)
			if s.Count--; s.Count >= s.Copied && tt.want > s.Restored {
				if _, err := GenerateChain(s); !errors.Is(err, ErrSpec) {
					t.Errorf("count %d: err %v, want ErrSpec", s.Count, err)
				}
			}
		})
	}
}

// TestNextLogContinuesTheChain: a live primary's next backups follow the
// chain's tip without a gap, on its fork, and apply in order.
func TestNextLogContinuesTheChain(t *testing.T) {
	c := generate(t, testSpec())
	p := c.Restore
	for _, s := range c.Logs[6:] {
		p = p.Advance(s)
	}
	prev, at := c.Logs[len(c.Logs)-1], testStart.Add(4*time.Hour)
	for i := range 3 {
		next, err := NextLog(prev, at.Add(time.Duration(i)*time.Minute), uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if v := ClassifyLog(p, next); v != Applies || next.FirstLSN != prev.LastLSN || next.BackupSetGUID == prev.BackupSetGUID {
			t.Fatalf("backup %d: %s, starts at %s after %s", i, v, next.FirstLSN, prev.LastLSN)
		}
		if next.BackupName != FileName("mgc", next.BackupStartDate) || next.DatabaseBackupLSN != prev.DatabaseBackupLSN {
			t.Errorf("backup %d: name %s, database backup LSN %s", i, next.BackupName, next.DatabaseBackupLSN)
		}
		p, prev = p.Advance(next), next
	}
}

package logship

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/lsn"
)

const (
	forkA = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
	forkB = "11111111-2222-3333-4444-555555555555"
)

// logSet is a log backup of mgc on fork A from first to last, in file.
func logSet(file string, first, last string) backupSet {
	return backupSet{File: file, Position: 1, Type: typeLog, TypeDesc: "Transaction Log", Database: "mgc",
		FirstLSN: lsn.MustParse(first), LastLSN: lsn.MustParse(last), FirstForkID: forkA, ForkID: forkA,
		SetGUID: "set-" + file + "-" + first}
}

func with(s backupSet, f func(*backupSet)) backupSet {
	f(&s)
	return s
}

func refs(sets []backupSet) []string {
	out := []string{}
	for _, s := range sets {
		out = append(out, s.ref())
	}
	return out
}

func TestPlanChain(t *testing.T) {
	const redo = "1000000000000000100001" // beyond uint64
	tests := []struct {
		name  string
		redo  string
		fork  string
		sets  []backupSet
		apply []string
		reach string
		skips []string // "ref: why" prefixes, in order
		gap   string   // the gap's message prefix
	}{
		{name: "the next ones in LSN order, not name order", redo: redo, fork: forkA,
			sets: []backupSet{
				logSet("mgc_20240301021500.trn", "1000000000000000300001", "1000000000000000400001"),
				logSet("mgc_20240301020000.trn", "1000000000000000200001", "1000000000000000300001"),
				logSet("mgc_20240301014500.trn", "1000000000000000090001", "1000000000000000200001"),
			},
			apply: []string{"mgc_20240301014500.trn", "mgc_20240301020000.trn", "mgc_20240301021500.trn"},
			reach: "1000000000000000400001"},
		{name: "already applied: ends at the restore point exactly (LastLSN > redo, not >=)", redo: redo, fork: forkA,
			sets: []backupSet{
				logSet("old.trn", "1000000000000000000001", "1000000000000000100001"),
				logSet("next.trn", "1000000000000000100001", "1000000000000000200001"),
			},
			apply: []string{"next.trn"}, reach: "1000000000000000200001",
			skips: []string{"old.trn: already applied (LSN 1000000000000000000001–1000000000000000100001; the database is at 1000000000000000100001)"}},
		{name: "gap: retention deleted the file after the next", redo: redo, fork: forkA,
			sets: []backupSet{
				logSet("a.trn", "1000000000000000100001", "1000000000000000200001"),
				logSet("c.trn", "1000000000000000300001", "1000000000000000400001"),
				logSet("d.trn", "1000000000000000400001", "1000000000000000500001"),
			},
			apply: []string{"a.trn"}, reach: redo,
			skips: []string{"c.trn: beyond the gap at LSN 1000000000000000200001", "d.trn: beyond the gap"},
			gap: "the log chain of mgc breaks: no log backup holds LSN 1000000000000000200001 up to 1000000000000000300001; " +
				"the last backup before the gap is a.trn (LSN 1000000000000000100001–1000000000000000200001), the next one is c.trn " +
				"(LSN 1000000000000000300001–1000000000000000400001), and 1 more lie beyond it"},
		{name: "gap at the restore point", redo: redo, fork: forkA,
			sets:  []backupSet{logSet("late.trn", "1000000000000000150001", "1000000000000000200001")},
			reach: redo, skips: []string{"late.trn: beyond the gap"},
			gap: "the log chain of mgc breaks: no log backup holds LSN 1000000000000000100001 up to 1000000000000000150001; " +
				"the last backup before the gap is the database's restore point (redo_start_lsn 1000000000000000100001)"},
		{name: "several sets in one file", redo: redo, fork: forkA,
			sets: []backupSet{
				with(logSet("multi.trn", "1000000000000000200001", "1000000000000000300001"), func(s *backupSet) { s.Position = 2 }),
				logSet("multi.trn", "1000000000000000100001", "1000000000000000200001"),
			},
			apply: []string{"multi.trn", "multi.trn (set 2)"}, reach: "1000000000000000300001"},
		{name: "empty log backup", redo: redo, fork: forkA,
			sets: []backupSet{
				logSet("a.trn", "1000000000000000100001", "1000000000000000200001"),
				logSet("empty.trn", "1000000000000000200001", "1000000000000000200001"),
				logSet("b.trn", "1000000000000000200001", "1000000000000000300001"),
			},
			apply: []string{"a.trn", "b.trn"}, reach: "1000000000000000300001",
			skips: []string{"empty.trn: an empty log backup (FirstLSN = LastLSN = 1000000000000000200001)"}},
		{name: "fork mismatch: a stale file that looks like the next one", redo: redo, fork: forkA,
			sets: []backupSet{
				with(logSet("stale.trn", "1000000000000000100001", "1000000000000000190001"), func(s *backupSet) { s.FirstForkID, s.ForkID = forkB, forkB }),
				logSet("a.trn", "1000000000000000100001", "1000000000000000200001"),
			},
			apply: []string{"a.trn"}, reach: "1000000000000000200001",
			skips: []string{"stale.trn: on another recovery fork (FirstRecoveryForkID " + forkB + "; the database needs " + forkA + ")"}},
		{name: "another database and a full backup among the logs", redo: redo, fork: forkA,
			sets: []backupSet{
				with(logSet("mgccomp_1.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.Database = "mgccomp" }),
				with(logSet("mgc_full.trn", "1000000000000000100001", "1000000000000000150001"), func(s *backupSet) { s.Type, s.TypeDesc = 1, "Database" }),
				logSet("mgc_1.trn", "1000000000000000100001", "1000000000000000200001"),
			},
			apply: []string{"mgc_1.trn"}, reach: "1000000000000000200001",
			skips: []string{"mgccomp_1.trn: a backup of database mgccomp, not mgc", "mgc_full.trn: not a log backup (Database, BackupType 1)"}},
		{name: "two servers' files: the mirror continues the chain", redo: redo, fork: forkA,
			sets: []backupSet{
				with(logSet("mgc_20240301010000.trn", "1000000000000000200001", "1000000000000000300001"), func(s *backupSet) { s.Server = "DC1-SQL02" }),
				with(logSet("mgc_20240301020000.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.Server = "DC1-SQL01" }),
			},
			apply: []string{"mgc_20240301020000.trn", "mgc_20240301010000.trn"}, reach: "1000000000000000300001"},
		{name: "the same set copied twice", redo: redo, fork: forkA,
			sets: []backupSet{
				logSet("a.trn", "1000000000000000100001", "1000000000000000200001"),
				with(logSet("a.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.DirIndex = 1 }),
			},
			apply: []string{"a.trn"}, reach: "1000000000000000200001", skips: []string{"a.trn: the same backup set as a.trn"}},
		{name: "password-protected and damaged sets", redo: redo, fork: forkA,
			sets: []backupSet{
				{File: "locked.trn", Position: 1, PasswordProtected: true},
				with(logSet("bad.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.Damaged = true }),
			},
			reach: redo, skips: []string{"locked.trn: password-protected", "bad.trn: marked damaged"}},
		{name: "unknown fork: no fork check", redo: redo, fork: "",
			sets:  []backupSet{with(logSet("a.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.FirstForkID = forkB })},
			apply: []string{"a.trn"}, reach: "1000000000000000200001"},
		{name: "the fork moves with the chain", redo: redo, fork: forkA,
			sets: []backupSet{
				with(logSet("a.trn", "1000000000000000100001", "1000000000000000200001"), func(s *backupSet) { s.ForkID = forkB }),
				with(logSet("b.trn", "1000000000000000200001", "1000000000000000300001"), func(s *backupSet) { s.FirstForkID, s.ForkID = forkB, forkB }),
			},
			apply: []string{"a.trn", "b.trn"}, reach: "1000000000000000300001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := planChain(lsn.MustParse(tt.redo), tt.fork, "mgc", tt.sets)
			if got := refs(plan.Apply); !reflect.DeepEqual(got, append([]string{}, tt.apply...)) {
				t.Errorf("apply %v, want %v", got, tt.apply)
			}
			if plan.Gap == nil && plan.Reach.String() != tt.reach {
				t.Errorf("reaches %s, want %s", plan.Reach, tt.reach)
			}
			if len(plan.Skips) != len(tt.skips) {
				t.Errorf("skips %v, want %v", plan.Skips, tt.skips)
			}
			for i := 0; i < len(plan.Skips) && i < len(tt.skips); i++ {
				if got := plan.Skips[i].Ref + ": " + plan.Skips[i].Why; !strings.HasPrefix(got, tt.skips[i]) {
					t.Errorf("skip %d: %q, want %q…", i, got, tt.skips[i])
				}
			}
			switch {
			case tt.gap == "" && plan.Gap != nil:
				t.Errorf("unexpected gap: %s", plan.Gap.message("mgc", nil))
			case tt.gap != "" && (plan.Gap == nil || !strings.HasPrefix(plan.Gap.message("mgc", nil), tt.gap)):
				t.Errorf("gap %v\nwant %s", plan.Gap, tt.gap)
			}
		})
	}
}

func TestGapMessageNamesUnreadableFiles(t *testing.T) {
	plan := planChain(lsn.MustParse("100"), forkA, "mgc", []backupSet{logSet("b.trn", "300", "400")})
	got := plan.Gap.message("mgc", []skipped{{Ref: "a.trn", Why: "truncated (3203)"}})
	want := "the log chain of mgc breaks: no log backup holds LSN 100 up to 300; the last backup before the gap is the database's " +
		"restore point (redo_start_lsn 100), the next one is b.trn (LSN 300–400); files whose headers could not be read, " +
		"which may hold it: a.trn (truncated (3203))"
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func BenchmarkPlanChain(b *testing.B) {
	sets := make([]backupSet, 10000)
	for i := range sets {
		sets[len(sets)-1-i] = logSet(fmt.Sprintf("mgc_%05d.trn", i), fmt.Sprintf("10000000000%011d", i*1000), fmt.Sprintf("10000000000%011d", (i+1)*1000))
	}
	for b.Loop() {
		planChain(lsn.MustParse("1000000000000000000000"), forkA, "mgc", sets)
	}
}

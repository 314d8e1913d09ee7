package lab

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// winCopy is the copy folder as SQL Server names it.
const winCopy = `D:\LSCopy\mgc\`

// hdr is one HEADERONLY row a failover needs.
type hdr struct {
	file        string
	pos, typ    int
	db, server  string
	first, last lsn.LSN
}

// rowsOf returns the rows of the first result set as maps by column.
func rowsOf(w *recWriter) []map[string]any {
	if len(w.results) == 0 {
		return nil
	}
	rs := w.results[0]
	out := make([]map[string]any, len(rs.Rows))
	for i, r := range rs.Rows {
		m := map[string]any{}
		for j, c := range rs.Columns {
			m[c.Name] = r[j]
		}
		out[i] = m
	}
	return out
}

// headersVia reads the headers of every file in the copy folder through
// its Windows path; unreadable files go to errs with their error number.
func headersVia(t *testing.T, tl *testLab, s *fakeSession) (hs []hdr, errs map[string]int32) {
	t.Helper()
	in, errs := tl.backup(), map[string]int32{}
	for _, e := range mustReadDir(t, tl.copyDir()) {
		w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = "+quote(winCopy+e.Name()))
		if len(w.errors) > 0 {
			errs[e.Name()] = w.errors[0].Number
			continue
		}
		for _, r := range rowsOf(w) {
			hs = append(hs, hdr{file: e.Name(), pos: int(r["Position"].(int64)), typ: int(r["BackupType"].(int64)),
				db: r["DatabaseName"].(string), server: r["ServerName"].(string),
				first: lsn.MustParse(r["FirstLSN"].(string)), last: lsn.MustParse(r["LastLSN"].(string))})
		}
	}
	return hs, errs
}

func redoOf(t *testing.T, in *instance, s *fakeSession) lsn.LSN {
	t.Helper()
	w := run(t, in, s, "SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(N'mgc') AND file_id = 1")
	v := cell(t, w, 0, "redo_start_lsn")
	if v == nil {
		return lsn.LSN{}
	}
	return lsn.MustParse(v.(string))
}

// restoreSet restores one set by its Windows path and returns the error
// numbers (nil on success).
func restoreSet(t *testing.T, in *instance, s *fakeSession, h hdr, with string) []int32 {
	t.Helper()
	w := run(t, in, s, fmtSQL("RESTORE LOG mgc FROM DISK = %s WITH FILE = %d, NORECOVERY%s", quote(winCopy+h.file), h.pos, with))
	if len(w.errors) == 0 {
		return nil
	}
	return w.errorNumbers()
}

// applyByLSN applies the mgc log backups by LSN, as logship.apply does,
// until none moves the database forward; it returns how many it applied.
func applyByLSN(t *testing.T, tl *testLab, s *fakeSession, hs []hdr) int {
	t.Helper()
	in, n := tl.backup(), 0
	for {
		redo := redoOf(t, in, s)
		i := slicesIndex(hs, func(h hdr) bool {
			return h.typ == labfile.TypeLog && h.db == "mgc" && h.first.Cmp(redo) <= 0 && h.last.Cmp(redo) > 0
		})
		if i < 0 {
			return n
		}
		if errs := restoreSet(t, in, s, hs[i], ""); errs != nil {
			t.Fatalf("restore %s:%d at %s: %v", hs[i].file, hs[i].pos, redo, errs)
		}
		n++
	}
}

func slicesIndex(hs []hdr, f func(hdr) bool) int {
	for i, h := range hs {
		if f(h) {
			return i
		}
	}
	return -1
}

// copyAll copies the share into the copy folder, as fs.copy would.
func copyAll(t *testing.T, tl *testLab) {
	t.Helper()
	for _, e := range mustReadDir(t, tl.share()) {
		b, err := os.ReadFile(filepath.Join(tl.share(), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tl.copyDir(), e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEdgeCasesThroughThePathMap runs domain.md's file and LSN edge cases
// against the lab's scenario switches, every path a Windows path: what a
// correct failover meets, with SQL Server's error numbers.
func TestEdgeCasesThroughThePathMap(t *testing.T) {
	tests := []struct {
		name  string
		sc    Scenario
		check func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, errs map[string]int32)
	}{
		{name: "already applied (4326)", check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			if got := restoreSet(t, tl.backup(), s, hs[0], ""); !reflect.DeepEqual(got, []int32{4326, 3013}) {
				t.Errorf("the oldest, restored file again: %v, want 4326", got)
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "gap (4305)", sc: Scenario{Gap: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			applyByLSN(t, tl, s, hs)
			redo := redoOf(t, tl.backup(), s)
			after := slicesIndex(hs, func(h hdr) bool { return h.db == "mgc" && h.first.Cmp(redo) > 0 })
			if after < 0 {
				t.Fatal("no file beyond the gap")
			}
			if got := restoreSet(t, tl.backup(), s, hs[after], ""); !reflect.DeepEqual(got, []int32{4305, 3013}) {
				t.Errorf("the file after the gap: %v, want 4305", got)
			}
		}},
		{name: "truncated file (3203)", sc: Scenario{Truncated: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, errs map[string]int32) {
			if wantErrs(t, errs, 3203) == 1 {
				applyByLSN(t, tl, s, hs)
			}
		}},
		{name: "a full backup among the logs (3135)", sc: Scenario{FullAmongLogs: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			i := slicesIndex(hs, func(h hdr) bool { return h.typ == labfile.TypeFull })
			if i < 0 || !strings.HasSuffix(hs[i].file, ".trn") {
				t.Fatalf("no full backup named .trn among %v", hs)
			}
			if got := restoreSet(t, tl.backup(), s, hs[i], ""); !reflect.DeepEqual(got, []int32{3135, 3013}) {
				t.Errorf("RESTORE LOG of the full backup: %v, want 3135", got)
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "another database's files (3154)", sc: Scenario{OtherDatabaseFiles: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			i := slicesIndex(hs, func(h hdr) bool { return h.db == "mgccomp" })
			if i < 0 || !strings.HasPrefix(hs[i].file, "mgccomp_") {
				t.Fatal("no mgccomp file")
			}
			if got := restoreSet(t, tl.backup(), s, hs[i], ""); !reflect.DeepEqual(got, []int32{3154, 3013}) {
				t.Errorf("an mgccomp log into mgc: %v, want 3154", got)
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "two servers' files, by name: 4305", sc: Scenario{MirrorFiles: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			byName := append([]hdr(nil), hs...)
			sort.Slice(byName, func(i, j int) bool { return byName[i].file < byName[j].file })
			var got []int32
			redo := redoOf(t, tl.backup(), s)
			for _, h := range byName {
				if h.last.Cmp(redo) > 0 && got == nil {
					got = restoreSet(t, tl.backup(), s, h, "")
					redo = redoOf(t, tl.backup(), s)
				}
			}
			if !reflect.DeepEqual(got, []int32{4305, 3013}) {
				t.Errorf("applying in name order: %v, want 4305 where the mirror's file sorts first", got)
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "several sets in one file", sc: Scenario{MultiSetFile: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			if slicesIndex(hs, func(h hdr) bool { return h.pos == 2 }) < 0 {
				t.Error("no set at position 2")
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "an empty log backup", sc: Scenario{EmptyLogBackup: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			if slicesIndex(hs, func(h hdr) bool { return h.first == h.last }) < 0 {
				t.Error("no empty log backup")
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "fork mismatch (4330)", sc: Scenario{ForkMismatch: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			redo := redoOf(t, tl.backup(), s)
			var got [][]int32
			for _, h := range hs {
				if h.first.Cmp(redo) <= 0 && h.last.Cmp(redo) > 0 {
					if e := restoreSet(t, tl.backup(), s, h, ""); e != nil {
						got = append(got, e)
					}
				}
			}
			if !reflect.DeepEqual(got, [][]int32{{4330, 3013}}) {
				t.Errorf("the two sets that start at the restore point: errors %v, want one 4330 (the stale fork)", got)
			}
		}},
		{name: "interrupted restore (4319)", sc: Scenario{InterruptedRestore: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			in := tl.backup()
			if w := run(t, in, s, "RESTORE DATABASE mgc WITH RECOVERY"); !reflect.DeepEqual(w.errorNumbers(), []int32{4319, 3013}) {
				t.Errorf("recovery with an interrupted restore: %v, want 4319", w.errors)
			}
			redo := redoOf(t, in, s)
			next := slicesIndex(hs, func(h hdr) bool { return h.first.Cmp(redo) <= 0 && h.last.Cmp(redo) > 0 })
			other := slicesIndex(hs, func(h hdr) bool { return h.first.Cmp(redo) > 0 })
			if got := restoreSet(t, in, s, hs[other], ""); !reflect.DeepEqual(got, []int32{4319, 3013}) {
				t.Errorf("another set: %v, want 4319", got)
			}
			if got := restoreSet(t, in, s, hs[next], ", RESTART"); got != nil {
				t.Errorf("the interrupted set WITH RESTART: %v", got)
			}
			wantTip(t, tl, s, hs)
		}},
		{name: "already recovered (3117)", sc: Scenario{AlreadyRecovered: true}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			if got := restoreSet(t, tl.backup(), s, hs[len(hs)-1], ""); !reflect.DeepEqual(got, []int32{3117, 3013}) {
				t.Errorf("RESTORE LOG into a recovered database: %v, want 3117", got)
			}
		}},
		// A RESTORING database has no session inside it; what blocks
		// RESTORE is a session elsewhere holding a lock on it.
		{name: "exclusive access (3101)", sc: Scenario{UserSessions: UserSessions{LockHolders: 2}}, check: func(t *testing.T, tl *testLab, s *fakeSession, hs []hdr, _ map[string]int32) {
			in := tl.backup()
			redo := redoOf(t, in, s)
			next := slicesIndex(hs, func(h hdr) bool { return h.first.Cmp(redo) <= 0 && h.last.Cmp(redo) > 0 })
			if got := restoreSet(t, in, s, hs[next], ""); !reflect.DeepEqual(got, []int32{3101, 3013}) {
				t.Errorf("restore with Lync sessions holding locks on mgc: %v, want 3101", got)
			}
			for _, spid := range []string{"300", "301"} {
				if w := run(t, in, s, "KILL "+spid); len(w.errors) > 0 {
					t.Fatal(w.errors)
				}
			}
			wantTip(t, tl, s, hs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Scenario = tt.sc
			tl := newTestLab(t, cfg)
			copyAll(t, tl)
			s := open(tl.backup(), 51, "master")
			hs, errs := headersVia(t, tl, s)
			tt.check(t, tl, s, hs, errs)
		})
	}
}

// wantTip applies by LSN and checks that the database reached the end of
// the mgc chain: the highest LastLSN of its log backups on its fork.
func wantTip(t *testing.T, tl *testLab, s *fakeSession, hs []hdr) {
	t.Helper()
	if n := applyByLSN(t, tl, s, hs); n == 0 {
		t.Error("applied nothing")
	}
	redo, tip := redoOf(t, tl.backup(), s), lsn.LSN{}
	for _, h := range hs {
		if h.db == "mgc" && h.typ == labfile.TypeLog && h.last.Cmp(tip) > 0 {
			tip = h.last
		}
	}
	if redo != tip {
		t.Errorf("redo_start_lsn %s after applying by LSN, want the tip %s", redo, tip)
	}
}

// wantErrs checks that the unreadable files all gave want, and returns
// how many there were.
func wantErrs(t *testing.T, errs map[string]int32, want int32) int {
	t.Helper()
	if len(errs) == 0 {
		t.Errorf("no unreadable file, want %d", want)
	}
	for f, n := range errs {
		if n != want {
			t.Errorf("%s: %d, want %d", f, n, want)
		}
	}
	return len(errs)
}

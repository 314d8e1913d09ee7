package lab

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
)

// newFileLab is a test lab whose instances see the file-system faults,
// with the fileRun a served lab drives (tests call its tick with their
// own clock).
func newFileLab(t *testing.T, cfg Config) (*testLab, *fileRun) {
	t.Helper()
	tl := newTestLab(t, cfg)
	r := newFileRun(tl.dir, cfg, nil)
	for _, in := range tl.ins {
		in.files, in.onLive = r.faults, r.onLive
		if in.st.LogBackups != nil {
			r.primary = in
		}
	}
	t.Cleanup(func() {
		r.opens.close()
		undoAllFileFaults(tl.dir)
	})
	r.refresh()
	return tl, r
}

// addFault adds f as `failover-lab fault add` does and refreshes what the
// instances see, as a served lab does when faults.yaml changes.
func addFault(t *testing.T, tl *testLab, r *fileRun, f Fault) Fault {
	t.Helper()
	got, err := AddFault(tl.dir, f)
	if err != nil {
		t.Fatalf("add %s: %v", f.Kind, err)
	}
	r.refresh()
	return got
}

func clearFault(t *testing.T, tl *testLab, r *fileRun, id string) {
	t.Helper()
	if removed, err := ClearFaults(tl.dir, id); err != nil || !removed {
		t.Fatalf("clear %s: %v (removed %v)", id, err, removed)
	}
	r.refresh()
}

// headerErr runs HEADERONLY of a Windows path and returns its first error
// (nil when it worked).
func headerErr(t *testing.T, tl *testLab, path string) *string {
	t.Helper()
	in := tl.backup()
	w := run(t, in, open(in, 60, "master"), "RESTORE HEADERONLY FROM DISK = "+quote(path))
	in.Close(newFakeSession(60, "master"))
	if len(w.errors) == 0 {
		return nil
	}
	s := w.errors[0].Text
	return &s
}

func TestFileFaultValidate(t *testing.T) {
	tests := []struct {
		name string
		f    Fault
		want string // "" valid
	}{
		{"share gone", Fault{Kind: FaultShareGone}, ""},
		{"share gone with a path", Fault{Kind: FaultShareGone, Path: `D:\LSCopy\mgc`}, ""},
		{"hang with a delay", Fault{Kind: FaultShareHang, Delay: time.Second}, ""},
		{"growing", Fault{Kind: FaultFileGrowing, Delay: time.Second}, ""},
		{"disk full", Fault{Kind: FaultDiskFull, Free: 4096}, ""},
		{"live, timed", Fault{Kind: FaultLivePrimary, Delay: time.Second, Times: 3}, ""},
		{"live, on statements", Fault{Kind: FaultLivePrimary, Match: "RESTORE LOG", Nth: 2, Times: -1}, ""},
		{"gone with a delay", Fault{Kind: FaultShareGone, Delay: time.Second}, "delay does not go with kind share-gone"},
		{"free on a hang", Fault{Kind: FaultShareHang, Free: 1}, "free goes with kind disk-full"},
		{"instance on a file fault", Fault{Kind: FaultFileLocked, Instance: "BACKUP"}, "file-system faults act on folders"},
		{"match on a growing file", Fault{Kind: FaultFileGrowing, Match: "x"}, "match, nth and times go with"},
		{"live with match and delay", Fault{Kind: FaultLivePrimary, Match: "x", Delay: time.Second}, "does not go with match"},
		{"live, nth without match", Fault{Kind: FaultLivePrimary, Nth: 2}, "nth goes with match"},
		{"live, bad match", Fault{Kind: FaultLivePrimary, Match: "("}, "compile match"},
		{"error number", Fault{Kind: FaultShareGone, Error: 1205}, "error 1205 goes with kind error"},
		{"path on a statement fault", Fault{Kind: FaultDrop, Match: "x", Path: "share"}, "path and free go with the file-system kinds"},
		{"unknown kind lists file kinds", Fault{Kind: "flood", Match: "x"}, "share-gone, share-hang, file-growing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestFaultListSaysWhatEachDoes: fault list names the target and what the
// fault does, with SQL Server's error where there is one.
func TestFaultListSaysWhatEachDoes(t *testing.T) {
	want := map[FaultKind]string{
		FaultShareGone: "OS error 53", FaultShareHang: "OS error 121", FaultFileGrowing: "3203",
		FaultFileLocked: "OS error 32", FaultFileVanish: "inotify", FaultDiskFull: "ENOSPC", FaultLivePrimary: "continuing the LSN chain",
	}
	for _, k := range fileKinds {
		s := Fault{ID: "f1", Kind: k, Path: `\\DC1-FS01\LSBackup`}.String()
		if !strings.HasPrefix(s, `f1: `+string(k)+` \\DC1-FS01\LSBackup: `) || !strings.Contains(s, want[k]) {
			t.Errorf("%s: %q, want the path and %q", k, s, want[k])
		}
	}
}

func TestShareGone(t *testing.T) {
	tests := []struct {
		name, path string
		folder     func(*testLab) string
		oserr      string
	}{
		{"the share", "", (*testLab).share, "Operating system error 53(The network path was not found.)"},
		{"the copy folder on D:", `D:\LSCopy\mgc`, (*testLab).copyDir, "Operating system error 3(The system cannot find the path specified.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, r := newFileLab(t, DefaultConfig())
			folder := tt.folder(tl)
			name := firstFile(t, folder)
			win, _ := labfile.ParseWinPath(`\\DC1-FS01\LSBackup`)
			if tt.path != "" {
				win, _ = labfile.ParseWinPath(tt.path)
			}
			dev := win.Join(name).String()
			before := len(mustReadDir(t, folder))
			f := addFault(t, tl, r, Fault{Kind: FaultShareGone, Path: tt.path})
			if f.Path != win.String() {
				t.Errorf("fault path %q, want %s", f.Path, win)
			}
			if _, err := os.Stat(folder); !os.IsNotExist(err) {
				t.Errorf("the folder is still there for file steps: %v", err)
			}
			if e := headerErr(t, tl, dev); e == nil || !strings.HasSuffix(*e, tt.oserr+".") {
				t.Errorf("HEADERONLY: %v, want %s", deref(e), tt.oserr)
			}
			clearFault(t, tl, r, f.ID)
			if e := headerErr(t, tl, dev); e != nil {
				t.Errorf("after clear: %s", *e)
			}
			if after := len(mustReadDir(t, folder)); after != before {
				t.Errorf("%d files after clear, want %d", after, before)
			}
		})
	}
}

func TestFileLocked(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	f := addFault(t, tl, r, Fault{Kind: FaultFileLocked})
	name := f.Path[strings.LastIndex(f.Path, `\`)+1:]
	if e := headerErr(t, tl, f.Path); e == nil || !strings.HasSuffix(*e, "Operating system error 32(The process cannot access the file because it is being used by another process.).") {
		t.Errorf("HEADERONLY of a locked file: %v", deref(e))
	}
	local := filepath.Join(tl.share(), name)
	if _, err := os.ReadFile(local); err == nil && !strings.Contains(FaultNote(tl.dir, f), "not simulated here") {
		t.Errorf("file steps read a locked file, and fault list does not say so")
	}
	if !contains(mustReadDir(t, tl.share()), name) {
		t.Errorf("the locked file %s is not listed", name)
	}
	clearFault(t, tl, r, f.ID)
	if _, err := labfile.ReadFile(local); err != nil {
		t.Errorf("after clear: %v", err)
	}
}

func deref(s *string) string {
	if s == nil {
		return "(no error)"
	}
	return *s
}

func contains(entries []os.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}

// TestFileGrowing drives the growth with the test's clock: a third at
// once, the whole file after the fault's time, HEADERONLY 3203 until then.
func TestFileGrowing(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	f := addFault(t, tl, r, Fault{Kind: FaultFileGrowing, Delay: 10 * time.Second})
	st, _, _ := readFaultState(tl.dir, f.ID)
	size := func() int64 {
		fi, err := os.Stat(st.Local)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	if got := size(); got != st.Size/3 {
		t.Errorf("size at once %d, want a third of %d", got, st.Size)
	}
	if e := headerErr(t, tl, f.Path); e == nil || !strings.Contains(*e, "Read on") {
		t.Errorf("HEADERONLY of a growing file: %v, want 3203", e)
	}
	r.tick(st.Applied.Add(5 * time.Second))
	if got := size(); got <= st.Size/3 || got >= st.Size {
		t.Errorf("size halfway %d, want between %d and %d", got, st.Size/3, st.Size)
	}
	r.tick(st.Applied.Add(10 * time.Second))
	if got := size(); got != st.Size {
		t.Errorf("size at the end %d, want %d", got, st.Size)
	}
	if e := headerErr(t, tl, f.Path); e != nil {
		t.Errorf("HEADERONLY of the complete file: %s", *e)
	}
	if st, _, _ := readFaultState(tl.dir, f.ID); !st.Done {
		t.Error("the fault is not marked complete")
	}
}

func TestGrowth(t *testing.T) {
	for _, tt := range []struct {
		elapsed time.Duration
		want    int64
	}{{0, 33}, {5 * time.Second, 66}, {10 * time.Second, 99}, {time.Hour, 99}} {
		if got := growth(99, tt.elapsed, 10*time.Second); got != tt.want {
			t.Errorf("growth at %s = %d, want %d", tt.elapsed, got, tt.want)
		}
	}
}

func TestFileVanishAfterDelay(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	f := addFault(t, tl, r, Fault{Kind: FaultFileVanish, Delay: time.Minute})
	st, _, _ := readFaultState(tl.dir, f.ID)
	r.tick(st.Applied.Add(59 * time.Second))
	if _, err := os.Stat(st.Local); err != nil {
		t.Fatalf("gone before its time: %v", err)
	}
	r.tick(st.Applied.Add(time.Minute))
	if _, err := os.Stat(st.Local); !os.IsNotExist(err) {
		t.Errorf("still there after its time: %v", err)
	}
	if e := headerErr(t, tl, f.Path); e == nil || !strings.Contains(*e, "Operating system error 2(") {
		t.Errorf("HEADERONLY of the vanished file: %v, want OS error 2", e)
	}
	clearFault(t, tl, r, f.ID)
	if _, err := labfile.ReadFile(st.Local); err != nil {
		t.Errorf("not back after clear: %v", err)
	}
}

// TestLivePrimaryTimed: a live primary writes the next log backups to the
// share on its schedule, the chain stays continuous, and applying by LSN
// reaches its last backup.
func TestLivePrimaryTimed(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	tip := tl.ins["PRIMARY"].st.LogBackups.Last
	f := addFault(t, tl, r, Fault{Kind: FaultLivePrimary, Delay: time.Minute, Times: 2})
	before := len(mustReadDir(t, tl.share()))
	now := time.Now()
	r.tick(now)
	if n := len(mustReadDir(t, tl.share())); n != before {
		t.Fatalf("wrote before its time: %d files, want %d", n, before)
	}
	for i := 1; i <= 3; i++ {
		r.tick(now.Add(time.Duration(i) * time.Minute))
	}
	if n := len(mustReadDir(t, tl.share())); n != before+2 {
		t.Fatalf("%d files after three intervals, want %d (times: 2)", n, before+2)
	}
	last := tl.ins["PRIMARY"].st.LogBackups.Last
	if last.FirstLSN == tip.LastLSN || last.LastLSN.Cmp(tip.LastLSN) <= 0 {
		t.Errorf("the chain did not move on from %s: %s..%s", tip.LastLSN, last.FirstLSN, last.LastLSN)
	}
	copyAll(t, tl)
	s := open(tl.backup(), 51, "master")
	hs, errs := headersVia(t, tl, s)
	if len(errs) > 0 {
		t.Fatalf("unreadable: %v", errs)
	}
	applyByLSN(t, tl, s, hs)
	if redo := redoOf(t, tl.backup(), s); redo != last.LastLSN {
		t.Errorf("applied by LSN to %s, want the live primary's last backup %s", redo, last.LastLSN)
	}
	clearFault(t, tl, r, f.ID)
}

// TestLivePrimaryOnStatements: the next backup arrives while the failover
// applies: on the 2nd RESTORE LOG and each after.
func TestLivePrimaryOnStatements(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	f := addFault(t, tl, r, Fault{Kind: FaultLivePrimary, Match: `RESTORE\s+LOG`, Nth: 2, Times: 3})
	in := tl.backup()
	if err := in.faults.replace([]Fault{f}); err != nil {
		t.Fatal(err)
	}
	copyAll(t, tl)
	s := open(in, 51, "master")
	rounds, applied := 0, 0
	for ; rounds < 10; rounds++ {
		copyAll(t, tl) // the copy job of the drill: what arrived is copied
		hs, _ := headersVia(t, tl, s)
		n := applyByLSN(t, tl, s, hs)
		if n == 0 {
			break
		}
		applied += n
	}
	if written := tl.ins["PRIMARY"].st.LogBackups.Taken; written != 3 || applied != 6+3 || rounds < 2 {
		t.Errorf("applied %d sets in %d rounds, the primary wrote %d while they applied; want 6 + 3 in 2 rounds or more", applied, rounds, written)
	}
	if redo, last := redoOf(t, in, s), tl.ins["PRIMARY"].st.LogBackups.Last.LastLSN; redo != last {
		t.Errorf("redo %s, want the primary's last backup %s: the chain broke", redo, last)
	}
}

func TestAddFileFaultRefuses(t *testing.T) {
	tl, _ := newFileLab(t, DefaultConfig())
	tests := []struct {
		name string
		f    Fault
		want string
	}{
		{"the lab's own state", Fault{Kind: FaultShareGone, Path: "state"}, "not in one of the lab's folders"},
		{"outside the lab dir", Fault{Kind: FaultShareGone, Path: filepath.Dir(tl.dir)}, "not in one of the lab's folders"},
		{"a drive the lab does not have", Fault{Kind: FaultShareGone, Path: `E:\Data`}, "not in the lab's path map"},
		{"a folder for a file fault", Fault{Kind: FaultFileLocked, Path: `D:\LSCopy\mgc`}, "acts on a file"},
		{"a file for a folder fault", Fault{Kind: FaultShareHang, Path: `\\DC1-FS01\LSBackup\` + firstFile(t, tl.share())}, "acts on a folder"},
		{"a missing file", Fault{Kind: FaultFileVanish, Path: `D:\LSCopy\mgc\nope.trn`}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AddFault(tl.dir, tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("AddFault = %v, want %q", err, tt.want)
			}
			if list, _ := ListFaults(tl.dir); len(list) != 0 {
				t.Errorf("a refused fault was listed: %v", list)
			}
		})
	}
	if _, err := AddFault(t.TempDir(), Fault{Kind: FaultShareGone}); err == nil || !strings.Contains(err.Error(), "initialised lab") {
		t.Errorf("a file fault in a dir without a lab: %v", err)
	}
}

// TestTickFollowsTheFaultsFile: a running lab applies a file-system fault
// written into faults.yaml by hand, and undoes one removed from it.
func TestTickFollowsTheFaultsFile(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	if err := writeFaults(tl.dir, []Fault{{ID: "hand", Kind: FaultShareGone}}); err != nil {
		t.Fatal(err)
	}
	r.tick(time.Now())
	if _, err := os.Stat(tl.share()); !os.IsNotExist(err) {
		t.Fatalf("the lab did not apply the fault from faults.yaml: %v", err)
	}
	if err := writeFaults(tl.dir, nil); err != nil {
		t.Fatal(err)
	}
	r.tick(time.Now())
	if _, err := os.Stat(tl.share()); err != nil {
		t.Errorf("the lab did not undo the removed fault: %v", err)
	}
}

func TestGrowingFileScenarioAndReset(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.GrowingFile = true
	cfg.Faults = []Fault{{Kind: FaultShareGone, Path: `D:\`}}
	tl, _ := newFileLab(t, cfg)
	ids := []string{}
	for _, st := range faultStates(tl.dir) {
		ids = append(ids, st.ID+" "+string(st.Kind))
	}
	if want := []string{"config-1 share-gone", "scenario-growing-file file-growing"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("faults in force at the start: %v, want %v", ids, want)
	}
	if err := Reset(tl.dir, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if st := faultStates(tl.dir); len(st) != 0 {
		t.Errorf("after Reset: %v", st)
	}
	if _, err := os.Stat(filepath.Join(tl.dir, "backup-d")); err != nil {
		t.Errorf("D:\\ is not back after Reset: %v", err)
	}
}

// TestClearStackedFileFaults: a file made to grow, then its share moved
// away; clearing every fault puts the share back before the growing
// file, so one clear leaves the share whole and no fault listed.
func TestClearStackedFileFaults(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	before := mustReadDir(t, tl.share())
	grow := addFault(t, tl, r, Fault{Kind: FaultFileGrowing, Delay: 10 * time.Second})
	st, _, _ := readFaultState(tl.dir, grow.ID)
	addFault(t, tl, r, Fault{Kind: FaultShareGone})
	if removed, err := ClearFaults(tl.dir, ""); err != nil || !removed {
		t.Fatalf("clear: %v (removed %v)", err, removed)
	}
	if left, err := ListFaults(tl.dir); err != nil || len(left) != 0 {
		t.Errorf("faults left: %v, %v", left, err)
	}
	if after := mustReadDir(t, tl.share()); len(after) != len(before) {
		t.Errorf("share holds %d files after the clear, %d before", len(after), len(before))
	}
	if fi, err := os.Stat(st.Local); err != nil || fi.Size() != st.Size {
		t.Errorf("the growing file after the clear: %v, %v; want its whole %d bytes", fi, err, st.Size)
	}
}

package lab

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFaultFiring(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		// want is, per run of "SELECT 1", the error numbers (nil: ok) or
		// "drop".
		want []string
	}{
		{"error twice", Fault{Match: `^select 1$`, Kind: FaultError, Error: 1205, Times: 2},
			[]string{"1205", "1205", "ok"}},
		{"drop on the third", Fault{Match: `SELECT`, Kind: FaultDrop, Nth: 3},
			[]string{"ok", "ok", "drop", "ok"}},
		{"every time", Fault{Match: `select`, Kind: FaultError, Error: 1222, Times: -1},
			[]string{"1222", "1222", "1222"}},
		{"other instance", Fault{Instance: "PRIMARY", Match: `select`, Kind: FaultError, Error: 1205},
			[]string{"ok", "ok"}},
		{"no match", Fault{Match: `RESTORE`, Kind: FaultError, Error: 1205},
			[]string{"ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			if err := in.faults.add(tt.fault); err != nil {
				t.Fatal(err)
			}
			var got []string
			for range tt.want {
				s := open(in, 51, "master")
				w := run(t, in, s, "SELECT 1")
				switch {
				case s.wasKilled():
					got = append(got, "drop")
				case len(w.errors) > 0:
					got = append(got, itoa(int(w.errors[0].Number)))
				default:
					got = append(got, "ok")
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("outcomes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFaultDeadlockText(t *testing.T) {
	m := knownError(1205, 57)
	if m.Class != 13 || !strings.HasPrefix(m.Text, "Transaction (Process ID 57) was deadlocked") {
		t.Errorf("1205 = %+v", m)
	}
}

func TestFaultDelay(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	in.faults.add(Fault{Match: "SELECT", Kind: FaultDelay, Delay: 30 * time.Millisecond})
	s := open(in, 51, "master")
	start := time.Now()
	w := run(t, in, s, "SELECT 1 AS x")
	if got := cell(t, w, 0, "x"); got != int64(1) {
		t.Errorf("delayed statement answered %v", got)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Error("the delay fault did not delay")
	}
}

func TestDropFaultInterruptsRestore(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	a := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID)
	b := logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 200), r.RedoStartForkID)
	pa, pb := writeSets(t, tl, "a.trn", a), writeSets(t, tl, "b.trn", b)
	in.faults.add(Fault{Match: `RESTORE LOG`, Kind: FaultDrop})
	s := open(in, 51, "master")
	run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(pa)+" WITH NORECOVERY")
	if !s.wasKilled() {
		t.Fatal("the drop fault did not drop the connection")
	}
	s2 := open(in, 52, "master")
	if got := run(t, in, s2, "RESTORE LOG mgc FROM DISK = "+quote(pb)+" WITH NORECOVERY").errorNumbers(); !reflect.DeepEqual(got, []int32{4319, 3013}) {
		t.Errorf("another set after the interruption: %v, want 4319 then 3013", got)
	}
	if w := run(t, in, s2, "RESTORE LOG mgc FROM DISK = "+quote(pa)+" WITH NORECOVERY"); len(w.errors) > 0 {
		t.Errorf("the interrupted set again: %v", w.errors)
	}
}

// TestDroppedRestoreFreesTheDatabaseAtOnce: when a drop fault closes a
// restore's connection, the database is free by the time the client sees
// the connection close: a restore sent at once on a new connection gets
// the interruption's 4319, never a 3101 from the session that is gone.
func TestDroppedRestoreFreesTheDatabaseAtOnce(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	r := in.st.database("mgc").Restore
	pa := writeSets(t, tl, "a.trn", logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 100), r.RedoStartForkID))
	in.faults.add(Fault{Match: `RESTORE LOG`, Kind: FaultDrop})
	s := open(in, 51, "master")
	var busy, checked bool
	s.onKill = func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		_, busy = in.restoring["mgc"]
		checked = true
	}
	run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(pa)+" WITH NORECOVERY")
	if !checked {
		t.Fatal("the drop fault did not drop the connection")
	}
	if busy {
		t.Error("mgc was still held by the dropped session when its connection closed")
	}
}

func TestFaultsFileAddListClear(t *testing.T) {
	dir := t.TempDir()
	if _, err := AddFault(filepath.Join(dir, "nosuch"), Fault{Match: "RESTORE", Kind: FaultDrop}); !errors.Is(err, ErrNotInitialised) {
		t.Fatalf("a fault in a dir that does not exist: %v, want ErrNotInitialised", err)
	}
	// A fault may be prepared before the lab's first start.
	if _, err := AddFault(dir, Fault{ID: "early", Match: "RESTORE", Kind: FaultDrop, Instance: "ANY"}); err != nil {
		t.Fatalf("a fault before the first up: %v", err)
	}
	ClearFaults(dir, "")
	if err := Init(dir, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	f1, err := AddFault(dir, Fault{Match: "RESTORE", Kind: FaultError, Error: 1205, Times: 2})
	if err != nil {
		t.Fatal(err)
	}
	f2, err := AddFault(dir, Fault{Match: "KILL", Kind: FaultDelay, Delay: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if f1.ID != "f1" || f2.ID != "f2" {
		t.Errorf("ids = %s, %s", f1.ID, f2.ID)
	}
	list, err := ListFaults(dir)
	if err != nil || len(list) != 2 || list[1].Delay != time.Second {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if removed, err := ClearFaults(dir, "f1"); err != nil || !removed {
		t.Fatalf("clear f1: %v %v", removed, err)
	}
	if list, _ := ListFaults(dir); len(list) != 1 || list[0].ID != "f2" {
		t.Errorf("after clearing f1: %+v", list)
	}
	if _, err := AddFault(dir, Fault{Match: "(", Kind: FaultDrop}); err == nil {
		t.Error("a bad regular expression was accepted")
	}
	if _, err := AddFault(dir, Fault{Match: "x", Kind: FaultError}); err == nil {
		t.Error("an error fault without a number was accepted")
	}
	// A fault for an instance the lab lacks would never fire.
	if _, err := AddFault(dir, Fault{Match: "x", Kind: FaultDrop, Instance: "NOPE"}); err == nil ||
		!strings.Contains(err.Error(), `no instance "NOPE" in this lab (PRIMARY, BACKUP, BACKUP_MIRROR)`) {
		t.Errorf("a fault for an unknown instance: %v", err)
	}
	if _, err := AddFault(dir, Fault{Match: "x", Kind: FaultDrop, Instance: "backup"}); err != nil {
		t.Errorf("instance names are case-insensitive: %v", err)
	}
	os.WriteFile(filepath.Join(dir, FaultsFile), []byte("faults:\n  - match: x\n    kind: drop\n    bogus: 1\n"), 0o644)
	if _, err := ListFaults(dir); err == nil {
		t.Error("an unknown key in faults.yaml was accepted")
	}
}

func TestFaultSetKeepsCountersOnReload(t *testing.T) {
	fs := &faultSet{}
	f := Fault{ID: "f1", Match: "x", Kind: FaultError, Error: 1205}
	fs.replace([]Fault{f})
	if _, ok := fs.fire("A", "x"); !ok {
		t.Fatal("the fault did not fire")
	}
	fs.replace([]Fault{f, {ID: "f2", Match: "y", Kind: FaultDrop}})
	if _, ok := fs.fire("A", "x"); ok {
		t.Error("a spent fault fired again after the faults file was re-read")
	}
}

func TestRunningLabSeesEveryFaultsFileEdit(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	l := &Lab{dir: tl.dir, faults: &faultSet{}, watch: faultWatch{path: filepath.Join(tl.dir, FaultsFile)}}
	in := tl.backup()
	in.faults, in.beforeStatement = l.faults, l.checkFaultsFile
	s := open(in, 51, "master")
	for i, n := range []int32{1205, 1222} {
		ClearFaults(tl.dir, "")
		if _, err := AddFault(tl.dir, Fault{ID: "f", Match: "select", Kind: FaultError, Error: n}); err != nil {
			t.Fatal(err)
		}
		if got := run(t, in, s, "SELECT 1").errorNumbers(); !reflect.DeepEqual(got, []int32{n}) {
			t.Errorf("edit %d: %v, want [%d]", i+1, got, n)
		}
	}
}

// Validate refuses what a fault's kind would silently ignore.
func TestFaultValidate(t *testing.T) {
	tests := []struct {
		name string
		f    Fault
		want string // "" for valid
	}{
		{"down", Fault{Kind: FaultDown, Instance: "PRIMARY"}, ""},
		{"down without instance", Fault{Kind: FaultDown}, "needs instance"},
		{"down with match", Fault{Kind: FaultDown, Instance: "PRIMARY", Match: "RESTORE"}, `match "RESTORE" does not go with kind down`},
		{"down with error", Fault{Kind: FaultDown, Instance: "PRIMARY", Error: 1205}, "error 1205 goes with kind error"},
		{"down with delay", Fault{Kind: FaultDown, Instance: "PRIMARY", Delay: time.Second}, "goes with kind delay"},
		{"error", Fault{Kind: FaultError, Match: "RESTORE", Error: 1205}, ""},
		{"error without number", Fault{Kind: FaultError, Match: "RESTORE"}, "needs error"},
		{"drop without match", Fault{Kind: FaultDrop}, "needs match"},
		{"bad pattern", Fault{Kind: FaultDrop, Match: "("}, "compile match"},
		{"delay on drop", Fault{Kind: FaultDrop, Match: "x", Delay: time.Second}, "goes with kind delay"},
		{"unknown kind", Fault{Kind: "melt", Match: "x"}, `unknown fault kind "melt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("valid fault refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

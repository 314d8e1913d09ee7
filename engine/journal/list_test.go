package journal

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestListRuns(t *testing.T) {
	state := t.TempDir()
	mk := func(plan, id string, n int, tail []byte) {
		t.Helper()
		h := testHeader()
		h.PlanName, h.RunID = plan, id
		w, err := Create(OSFS{}, Path(state, plan, id), h)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if _, err := w.Append(testRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.f.Write(tail); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	mk("b-plan", "20261126T031500Z-0001", 2, nil)
	mk("a-plan", "20261126T041500Z-0002", 0, nil)
	mk("a-plan", "20261126T031500Z-0003", 3, []byte{1, 2, 3})
	for _, junk := range []string{"a-plan/lock", "a-plan/20261126T031500Z-0003.journal.torn-20261126T050000Z", "a-plan/notes.journal"} {
		if err := os.WriteFile(filepath.Join(state, junk), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := List(state)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		plan, id string
		records  int
		damaged  bool
	}{
		{"a-plan", "20261126T031500Z-0003", 3, true},
		{"a-plan", "20261126T041500Z-0002", 0, false},
		{"b-plan", "20261126T031500Z-0001", 2, false},
	}
	if len(runs) != len(want) {
		t.Fatalf("List found %d runs, want %d: %+v", len(runs), len(want), runs)
	}
	for i, w := range want {
		r := runs[i]
		if r.Plan != w.plan || r.RunID != w.id || r.Records != w.records || (r.Damage != nil) != w.damaged || r.Err != nil {
			t.Errorf("run %d = %s/%s %d records damage %+v err %v; want %+v", i, r.Plan, r.RunID, r.Records, r.Damage, r.Err, w)
		}
		if r.Header.RunID != w.id || r.Path != Path(state, w.plan, w.id) {
			t.Errorf("run %d: header run id %q, path %q", i, r.Header.RunID, r.Path)
		}
	}
	if got, want := runs[0].LastTime, testStart.Add(2*time.Second); !got.Equal(want) {
		t.Errorf("LastTime = %v, want the last record's %v", got, want)
	}
	if got := runs[1].LastTime; !got.Equal(testStart) || runs[1].Last != nil {
		t.Errorf("run without records: LastTime %v, Last %+v; want the start, nil", got, runs[1].Last)
	}
	plan, err := ListPlan(state, "b-plan")
	if err != nil || len(plan) != 1 || plan[0].RunID != "20261126T031500Z-0001" {
		t.Errorf("ListPlan(b-plan) = %+v, %v", plan, err)
	}
}

func TestListMissingStateDir(t *testing.T) {
	runs, err := List(filepath.Join(t.TempDir(), "nope"))
	if err != nil || len(runs) != 0 {
		t.Errorf("List of a missing state dir = %+v, %v; want none, nil", runs, err)
	}
	runs, err = ListPlan(filepath.Join(t.TempDir(), "nope"), "p")
	if err != nil || len(runs) != 0 {
		t.Errorf("ListPlan of a missing plan = %+v, %v; want none, nil", runs, err)
	}
}

func TestListReportsUnreadableRun(t *testing.T) {
	state := t.TempDir()
	p := Path(state, "p", "20261126T031500Z-0001")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	runs, err := List(state)
	if err != nil || len(runs) != 1 || runs[0].Err == nil {
		t.Fatalf("List = %+v, %v; want the run listed with its error", runs, err)
	}
}

func TestListFSUsesTheGivenFS(t *testing.T) {
	fsys := newMemFS()
	writeJournal(t, fsys, Path("state", "p", "20261126T031500Z-0001"), 2)
	writeJournal(t, fsys, Path("state", "q", "20261126T041500Z-0002"), 1)
	runs, err := ListPlanFS(fsys, "state", "p")
	if err != nil || len(runs) != 1 || runs[0].Records != 2 {
		t.Fatalf("ListPlanFS = %+v, %v; want one run of 2 records", runs, err)
	}
	all, err := ListFS(fsys, "state")
	if err != nil || len(all) != 2 || all[0].Plan != "p" || all[1].Plan != "q" || all[1].Records != 1 {
		t.Fatalf("ListFS = %+v, %v; want the runs of p and q", all, err)
	}
}

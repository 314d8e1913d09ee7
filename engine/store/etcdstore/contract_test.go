package etcdstore_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// The contract tests run the same scenarios against the state dir and
// etcd: every command reads and writes state through these operations.

var t0 = time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)

func runID(n int) string {
	return t0.Add(time.Duration(n)*time.Second).Format("20060102T150405Z") + "-00aa"
}

func mustAcquire(t *testing.T, b store.Backend, plan string, info lock.Info) store.Held {
	t.Helper()
	h, err := b.Acquire(plan, info)
	if err != nil {
		t.Fatalf("Acquire %s: %v", info.RunID, err)
	}
	t.Cleanup(func() { _ = h.Release() })
	return h
}

// newRun takes the plan's lock and creates a run's journal with n
// records, each synced.
func newRun(t *testing.T, b store.Backend, plan, id string, n int) (store.Held, store.Journal) {
	t.Helper()
	h := mustAcquire(t, b, plan, lock.Info{RunID: id, Host: "host-a"})
	w, err := b.Create(journal.Header{PlanName: plan, RunID: id, PlanHash: "h1", Started: t0}, h)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := w.KeepMark(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := w.AppendSync(rec(i)); err != nil {
			t.Fatalf("AppendSync: %v", err)
		}
	}
	return h, w
}

func rec(i int) journal.Record {
	return journal.Record{Type: "step-started", Step: "s" + string(rune('a'+i%26)), Attempt: 1, Time: t0.Add(time.Duration(i) * time.Minute)}
}

func TestJournalRoundTrip(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			_, w := newRun(t, b, "plan", runID(1), 1)
			for i := 1; i < 4; i++ {
				if _, err := w.Append(rec(i)); err != nil {
					t.Fatal(err)
				}
			}
			if w.Synced() != 1 {
				t.Errorf("Synced before Sync = %d, want 1", w.Synced())
			}
			if err := w.Sync(); err != nil {
				t.Fatal(err)
			}
			if w.Synced() != 4 {
				t.Errorf("Synced = %d, want 4", w.Synced())
			}
			if _, err := w.AppendSync(rec(4)); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			rp, err := b.Read(w.Path())
			if err != nil || len(rp.Records) != 5 || rp.Header.RunID != runID(1) || rp.Records[4].Seq != 5 {
				t.Fatalf("Read = %+v, %v; want 5 records of run %s", rp, err, runID(1))
			}
			if seq, err := b.ReadMark(w.Path()); err != nil || seq != 5 {
				t.Errorf("ReadMark = %d, %v; want 5", seq, err)
			}
			if plan, id := b.RunOf(w.Path()); plan != "plan" || id != runID(1) {
				t.Errorf("RunOf(%s) = %s, %s", w.Path(), plan, id)
			}
			if _, err := b.Read(b.JournalName("plan", runID(9))); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Read of no run: %v, want fs.ErrNotExist", err)
			}
		})
	}
}

// TestImageIsTheFile: etcd keeps the very bytes of the file, one record
// per key: the same journal written to both reads back byte for byte.
func TestImageIsTheFile(t *testing.T) {
	var images [][]byte
	for _, bk := range backends() {
		b := bk.open(t)
		_, w := newRun(t, b, "plan", runID(1), 3)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		img, err := b.ReadImage(w.Path())
		if err != nil {
			t.Fatal(err)
		}
		images = append(images, img)
	}
	if !bytes.Equal(images[0], images[1]) {
		t.Errorf("the etcd image differs from the file:\n%q\n%q", images[0], images[1])
	}
}

func TestListAndSetAside(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			for i, plan := range []string{"b-plan", "a-plan", "b-plan"} {
				h, w := newRun(t, b, plan, runID(i), i+1)
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if err := h.Release(); err != nil {
					t.Fatal(err)
				}
			}
			runs, err := b.List("")
			if err != nil || len(runs) != 3 {
				t.Fatalf("List = %d runs, %v", len(runs), err)
			}
			want := []string{"a-plan " + runID(1), "b-plan " + runID(0), "b-plan " + runID(2)}
			for i, r := range runs {
				if got := r.Plan + " " + r.RunID; got != want[i] || r.Err != nil {
					t.Errorf("run %d = %s (%v), want %s", i, got, r.Err, want[i])
				}
			}
			if runs[2].Records != 3 || runs[2].Last == nil || runs[2].Last.Seq != 3 || runs[2].Header.PlanHash != "h1" {
				t.Errorf("listed run: %+v", runs[2])
			}
			name := runs[2].Path
			keptAs := b.AsideName(name, ".set-aside")
			if err := b.SetAside(name, keptAs); err != nil {
				t.Fatal(err)
			}
			if runs, _ := b.List("b-plan"); len(runs) != 1 || runs[0].RunID != runID(0) {
				t.Errorf("after set aside, List(b-plan) = %+v", runs)
			}
			if rp, err := b.Read(keptAs); err != nil || len(rp.Records) != 3 {
				t.Errorf("the run set aside reads %v, %v", rp, err)
			}
			if seq, err := b.ReadMark(keptAs); err != nil || seq != 3 {
				t.Errorf("its sync mark: %d, %v", seq, err)
			}
			if got, err := b.Locate(keptAs); err != nil || got != keptAs {
				t.Errorf("Locate(%s) = %s, %v", keptAs, got, err)
			}
		})
	}
}

func TestLockContract(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			h := mustAcquire(t, b, "plan", lock.Info{RunID: "r1", Host: "host-a", PID: 42, Lease: 30 * time.Second})
			_, err := b.Acquire("plan", lock.Info{RunID: "r2", Host: "host-b"})
			var held *lock.HeldError
			if !errors.As(err, &held) || held.Holder.RunID != "r1" || held.Holder.Host != "host-a" || held.Holder.PID != 42 || held.Gone() {
				t.Fatalf("second Acquire: %v, want held by r1 on host-a, alive", err)
			}
			if got, err := b.ReadLock("plan"); err != nil || got.RunID != "r1" || got.Lease < 30*time.Second {
				t.Errorf("ReadLock = %+v, %v", got, err)
			}
			if err := b.BreakLock("plan", "r9"); !errors.Is(err, lock.ErrChanged) {
				t.Errorf("BreakLock of another run: %v, want ErrChanged", err)
			}
			if err := b.BreakLock("plan", "r1"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.ReadLock("plan"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadLock after BreakLock: %v, want fs.ErrNotExist", err)
			}
			if err := h.Release(); !errors.Is(err, lock.ErrLost) {
				t.Errorf("Release of a broken lock: %v, want ErrLost", err)
			}
			h2 := mustAcquire(t, b, "plan", lock.Info{RunID: "r2", Host: "host-b"})
			if err := h2.Release(); err != nil {
				t.Fatal(err)
			}
			if _, err := b.ReadLock("plan"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("ReadLock after Release: %v, want fs.ErrNotExist", err)
			}
		})
	}
}

// TestTakeOverDeadProcess: a holder on this host whose process is gone
// is taken over at once, on etcd too (its lease revoked: it renews it no
// more anyway).
func TestTakeOverDeadProcess(t *testing.T) {
	dead := deadPID(t)
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			old := mustAcquire(t, b, "plan", lock.Info{RunID: "crashed", Host: lock.Hostname(), PID: dead, Synced: 7})
			_, err := b.Acquire("plan", lock.Info{RunID: "resumer"})
			var held *lock.HeldError
			if !errors.As(err, &held) || !held.DeadSameHost {
				t.Fatalf("Acquire beside a dead process: %v, want DeadSameHost", err)
			}
			if _, err := b.TakeOver("plan", lock.Info{RunID: "resumer"}, lock.Info{RunID: "someone"}); !errors.Is(err, lock.ErrChanged) {
				t.Errorf("TakeOver expecting another holder: %v, want ErrChanged", err)
			}
			h, err := b.TakeOver("plan", lock.Info{RunID: "resumer"}, held.Holder)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := b.ReadLock("plan"); err != nil || got.RunID != "resumer" {
				t.Errorf("ReadLock = %+v, %v", got, err)
			}
			waitFor(t, "the old holder to see its lock lost", func() bool { return errors.Is(old.Err(), lock.ErrLost) || bk.name == "local" })
			if err := h.Release(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run child: %v", err)
	}
	return cmd.Process.Pid
}

// waitFor waits for cond, checking every few milliseconds, for at most
// ten seconds: for what another goroutine or the cluster does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

package etcdstore_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
)

// localImage writes a run of n records to a state dir and returns its
// image.
func localImage(t *testing.T, n int, hash string) []byte {
	t.Helper()
	b := store.NewLocal(t.TempDir(), nil)
	h := mustAcquire(t, b, "plan", lock.Info{RunID: runID(1)})
	w, err := b.Create(journal.Header{PlanName: "plan", RunID: runID(1), PlanHash: hash, Started: t0}, h)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := w.AppendSync(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	img, err := b.ReadImage(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// cut returns the image of the header and the first n records of img.
func cut(t *testing.T, img []byte, n int) []byte {
	t.Helper()
	head, frames, err := journal.SplitImage(img)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Join(append([][]byte{head}, frames[:n]...), nil)
}

func TestImport(t *testing.T) {
	s := etcdStore(t)
	img := localImage(t, 250, "h1")
	name := s.JournalName("plan", runID(1))
	steps := []struct {
		name string
		img  []byte
		mark uint64
		want etcdstore.Imported
	}{
		{"the first 120 records, a push cut short", cut(t, img, 120), 0, etcdstore.ImportedNew},
		{"the whole run: the rest is written", img, 250, etcdstore.ImportedRest},
		{"again: nothing to do", img, 250, etcdstore.ImportedAlready},
		{"fewer records than the store holds", cut(t, img, 10), 0, etcdstore.ImportedAlready},
	}
	for _, st := range steps {
		got, err := s.Import("plan", runID(1), st.img, st.mark)
		if err != nil || got != st.want {
			t.Fatalf("%s: Import = %v, %v; want %v", st.name, got, err, st.want)
		}
	}
	if got, err := s.ReadImage(name); err != nil || !bytes.Equal(got, img) {
		t.Fatalf("the store's image differs from the state dir's (%v)", err)
	}
	if seq, _ := s.ReadMark(name); seq != 250 {
		t.Errorf("sync mark %d, want 250", seq)
	}
	other := localImage(t, 3, "another plan hash")
	if _, err := s.Import("plan", runID(1), other, 0); !errors.Is(err, etcdstore.ErrDifferentRun) {
		t.Fatalf("a different run of the same id: %v, want ErrDifferentRun", err)
	}
	if got, _ := s.ReadImage(name); !bytes.Equal(got, img) {
		t.Error("a refused import changed the run")
	}
	mustAcquire(t, s, "plan", lock.Info{RunID: runID(2)})
	if _, err := s.Import("plan", runID(2), localImage(t, 1, "h2"), 0); err == nil {
		t.Error("a run that holds its plan's lock on the store was imported over")
	}
}

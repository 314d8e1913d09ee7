package journal

import (
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// TestConcurrentAppends appends from many goroutines, some syncing, then
// reads everything back: sequence numbers are dense, every record is there
// exactly once, and each goroutine's records keep their order.
func TestConcurrentAppends(t *testing.T) {
	const workers, each = 16, 100
	path := filepath.Join(t.TempDir(), "p", "r.journal")
	w, err := Create(OSFS{}, path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- appendMany(w, g, each)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rp, err := Read(OSFS{}, path)
	if err != nil || rp.Damage != nil {
		t.Fatalf("Read: damage %+v, %v", rp.Damage, err)
	}
	checkAllOnce(t, rp.Records, workers, each)
}

// appendMany appends n records for worker g; every fourth is synced.
func appendMany(w *Writer, g, n int) error {
	for i := range n {
		r := Record{Type: "step-started", Step: fmt.Sprintf("w%02d-%03d", g, i)}
		var err error
		if i%4 == 3 {
			_, err = w.AppendSync(r)
		} else {
			_, err = w.Append(r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkAllOnce(t *testing.T, recs []Record, workers, each int) {
	t.Helper()
	if len(recs) != workers*each {
		t.Fatalf("read %d records, want %d", len(recs), workers*each)
	}
	var steps []string
	last := map[string]string{}
	for i, r := range recs {
		if r.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Seq)
		}
		g := r.Step[:3]
		if r.Step <= last[g] {
			t.Errorf("%s came after %s: a worker's order was lost", r.Step, last[g])
		}
		last[g] = r.Step
		steps = append(steps, r.Step)
	}
	sort.Strings(steps)
	for i := 1; i < len(steps); i++ {
		if steps[i] == steps[i-1] {
			t.Errorf("record %s appears twice", steps[i])
		}
	}
}

// TestConcurrentSyncsShareFsyncs: goroutines that append and sync at the
// same time never need more fsyncs than syncs asked for, and every one of
// them returns only once its record is covered.
func TestConcurrentSyncsShareFsyncs(t *testing.T) {
	fsys := newMemFS()
	w, err := Create(fsys, "s/p/j", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.AppendSync(testRecord(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	w.syncMu.Lock()
	synced := w.synced
	w.syncMu.Unlock()
	if st, _ := fsys.Stat("s/p/j"); synced != st.Size() {
		t.Errorf("synced up to %d of %d bytes after every AppendSync returned", synced, st.Size())
	}
	if _, syncs := fsys.counts(); syncs > n+1 {
		t.Errorf("%d fsyncs for %d AppendSyncs", syncs-1, n)
	}
}

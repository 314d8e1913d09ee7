package journal

import (
	"errors"
	"fmt"
	"testing"
)

// scenario is what the engine does: an outcome appended without a sync,
// then the next step's start appended and synced with it.
var scenario = []bool{false, true, false, false, true} // true: AppendSync

type scenarioResult struct {
	createErr error
	appended  int   // records whose Append succeeded
	durable   int   // records acknowledged by a successful sync
	firstErr  error // first error of an append or sync
	laterErrs []error
	writesAt  int // fs write calls when the first error happened
}

// runScenario creates a journal and plays the scenario, continuing after
// the first error to observe that every later call fails the same way.
func runScenario(fsys *memFS) scenarioResult {
	var res scenarioResult
	w, err := Create(fsys, "s/p/j", testHeader())
	if err != nil {
		res.createErr = err
		return res
	}
	for i, synced := range scenario {
		var err error
		if synced {
			_, err = w.AppendSync(testRecord(i))
		} else {
			_, err = w.Append(testRecord(i))
		}
		switch {
		case err != nil && res.firstErr == nil:
			res.firstErr = err
			res.writesAt, _ = fsys.counts()
			w.mu.Lock()
			res.appended = int(w.seq)
			w.mu.Unlock()
		case err != nil:
			res.laterErrs = append(res.laterErrs, err)
		case synced:
			res.durable = i + 1
		}
	}
	res.laterErrs = append(res.laterErrs, w.Sync(), w.Close())
	return res
}

// TestFailEveryWriteOnce fails each write call of a run once: the error is
// surfaced where it happens, the Writer is poisoned (every later call
// returns that error and nothing more is written), and resuming recovers
// every record appended before it.
func TestFailEveryWriteOnce(t *testing.T) {
	for n := 1; n <= 1+len(scenario); n++ {
		t.Run(fmt.Sprintf("write %d", n), func(t *testing.T) {
			fsys := newMemFS()
			fsys.failWrite, fsys.partial = n, 5
			res := runScenario(fsys)
			if n == 1 {
				if !errors.Is(res.createErr, errInjectedWrite) {
					t.Fatalf("Create: err = %v, want the injected write failure", res.createErr)
				}
				return
			}
			checkPoisoned(t, fsys, res, errInjectedWrite)
			checkResume(t, fsys, res.appended, res.appended)
		})
	}
}

// TestFailEverySyncOnce fails each fsync of a run once: the same promises
// as for writes, and above all no write after the failed fsync.
func TestFailEverySyncOnce(t *testing.T) {
	syncs := 1
	for _, s := range scenario {
		if s {
			syncs++
		}
	}
	for n := 1; n <= syncs; n++ {
		t.Run(fmt.Sprintf("sync %d", n), func(t *testing.T) {
			fsys := newMemFS()
			fsys.failSync = n
			res := runScenario(fsys)
			if n == 1 {
				if !errors.Is(res.createErr, errInjectedSync) {
					t.Fatalf("Create: err = %v, want the injected sync failure", res.createErr)
				}
				return
			}
			checkPoisoned(t, fsys, res, errInjectedSync)
			checkResume(t, fsys, res.durable, res.appended)
		})
	}
}

func checkPoisoned(t *testing.T, fsys *memFS, res scenarioResult, injected error) {
	t.Helper()
	if res.createErr != nil {
		t.Fatalf("Create: %v", res.createErr)
	}
	if !errors.Is(res.firstErr, injected) {
		t.Fatalf("first error = %v, want the injected failure", res.firstErr)
	}
	for i, err := range res.laterErrs {
		if err != res.firstErr {
			t.Errorf("later call %d returned %v, want the first error %v", i, err, res.firstErr)
		}
	}
	if writes, _ := fsys.counts(); writes != res.writesAt {
		t.Errorf("%d writes after the failure, want none", writes-res.writesAt)
	}
}

// checkResume opens the journal as resume does and checks it holds at least
// the durable records and at most the appended ones, then takes appends.
func checkResume(t *testing.T, fsys *memFS, atLeast, atMost int) {
	t.Helper()
	w, rp, err := Open(fsys, "s/p/j")
	if err != nil {
		t.Fatalf("Open after failure: %v", err)
	}
	if n := len(rp.Records); n < atLeast || n > atMost {
		t.Fatalf("resume found %d records, want between %d and %d", n, atLeast, atMost)
	}
	if _, err := w.AppendSync(Record{Type: "run-resumed"}); err != nil {
		t.Fatalf("append after resume: %v", err)
	}
}

func TestCreateFailsOnDirSync(t *testing.T) {
	fsys := newMemFS()
	fsys.dirErr = errors.New("injected dir sync failure")
	if _, err := Create(fsys, "s/p/j", testHeader()); !errors.Is(err, fsys.dirErr) {
		t.Fatalf("Create: err = %v, want the dir sync failure", err)
	}
}

// TestSyncCoversEarlierAppends: one fsync makes every earlier append
// durable, and a Sync with nothing new to cover costs no fsync.
func TestSyncCoversEarlierAppends(t *testing.T) {
	fsys := newMemFS()
	w, err := Create(fsys, "s/p/j", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := w.Append(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, before := fsys.counts()
	for range 3 {
		if err := w.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if _, after := fsys.counts(); after-before != 1 {
		t.Errorf("three Syncs after three appends cost %d fsyncs, want 1", after-before)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, final := fsys.counts(); final != before+1 {
		t.Errorf("Close with nothing pending synced again")
	}
}

func TestCloseSyncsPendingAppends(t *testing.T) {
	fsys := newMemFS()
	w, err := Create(fsys, "s/p/j", testHeader())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Append(testRecord(0)); err != nil {
		t.Fatal(err)
	}
	_, before := fsys.counts()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, after := fsys.counts(); after != before+1 {
		t.Errorf("Close with a pending append made %d fsyncs, want 1", after-before)
	}
}

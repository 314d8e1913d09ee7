package journal

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// TestSyncMarkFollowsSyncs: the mark says the seq of the last record
// synced, never of one only appended; Open resumes it; a torn or garbled
// mark says nothing rather than a wrong number.
func TestSyncMarkFollowsSyncs(t *testing.T) {
	const path = "s/p/j.journal"
	m := newMemFS()
	w, err := Create(m, path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.KeepMark(); err != nil {
		t.Fatal(err)
	}
	mark := func() uint64 {
		t.Helper()
		seq, err := ReadMark(m, path)
		if err != nil {
			t.Fatalf("ReadMark: %v", err)
		}
		return seq
	}
	if got := mark(); got != 0 {
		t.Errorf("new journal: mark %d, want 0", got)
	}
	for i := range 3 {
		if _, err := w.AppendSync(testRecord(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Append(testRecord(3)); err != nil {
		t.Fatal(err)
	}
	if got := mark(); got != 3 || w.Synced() != 3 {
		t.Errorf("3 records synced, one more appended: mark %d, Synced %d; want 3", got, w.Synced())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := mark(); got != 4 {
		t.Errorf("after Close: mark %d, want 4", got)
	}
	w, _, err = Open(m, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.KeepMark(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.AppendSync(testRecord(4)); err != nil {
		t.Fatal(err)
	}
	if got := mark(); got != 5 {
		t.Errorf("after resume: mark %d, want 5", got)
	}
	_ = w.Close()
	good, _ := m.ReadFile(MarkPath(path))
	for _, bad := range [][]byte{good[:10], append([]byte("9"), good[1:]...), []byte("00000000000000000007\n")} {
		m.set(MarkPath(path), bad)
		if seq, err := ReadMark(m, path); err == nil {
			t.Errorf("mark %q read as %d", bad, seq)
		}
	}
	if _, err := ReadMark(m, "s/p/other.journal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no mark: err = %v, want fs.ErrNotExist", err)
	}
}

// TestSyncMarkFailureDoesNotFailTheJournal: the mark is evidence, not
// data: a failure to write it is reported by MarkErr, and every append
// and sync of the journal goes on.
func TestSyncMarkFailureDoesNotFailTheJournal(t *testing.T) {
	const path = "s/p/j.journal"
	m := newMemFS()
	w, err := Create(m, path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.KeepMark(); err != nil {
		t.Fatal(err)
	}
	writes, _ := m.counts()
	// The next write is the record's, the one after it the mark's.
	m.failWrite = writes + 2
	for i := range 3 {
		if _, err := w.AppendSync(testRecord(i)); err != nil {
			t.Fatalf("AppendSync %d with a failing mark: %v", i, err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.MarkErr(); err == nil || !strings.Contains(err.Error(), "sync mark") {
		t.Errorf("MarkErr = %v, want the mark's failure", err)
	}
	if rp, err := Read(m, path); err != nil || len(rp.Records) != 3 {
		t.Errorf("journal: %v; want 3 records", err)
	}
	if seq, err := ReadMark(m, path); err != nil || seq != 3 {
		t.Errorf("mark after later syncs: %d, %v; want 3", seq, err)
	}
}

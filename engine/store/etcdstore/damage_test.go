package etcdstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
)

// TestOpenCutsTornTail: a bad last record is cut back on Open, the
// journal as it was kept, and appends go on after the good records.
func TestOpenCutsTornTail(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			h, w := newRun(t, b, "plan", runID(1), 3)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			damaged := damage(t, b, w.Path(), 3, func(f []byte) []byte { return f[:len(f)-5] })
			w2, rp, err := b.Open(w.Path(), h)
			if err != nil {
				t.Fatal(err)
			}
			if d := rp.Damage; d == nil || !d.Repaired || d.Copy == "" || len(rp.Records) != 2 {
				t.Fatalf("Open: damage %+v, %d records; want a repaired tail and 2 records", rp.Damage, len(rp.Records))
			}
			if kept, err := b.ReadImage(rp.Damage.Copy); err != nil || !bytes.Equal(kept, damaged) {
				t.Errorf("the kept copy %s is not the journal as it was (%v)", rp.Damage.Copy, err)
			}
			if r, err := w2.AppendSync(rec(9)); err != nil || r.Seq != 3 {
				t.Fatalf("append after the cut: seq %d, %v", r.Seq, err)
			}
			if err := w2.Close(); err != nil {
				t.Fatal(err)
			}
			if rp, err := b.Read(w.Path()); err != nil || rp.Damage != nil || len(rp.Records) != 3 {
				t.Errorf("after: %+v, %v", rp, err)
			}
		})
	}
}

// TestCorruptionRefusedThenForced: a bad record followed by good ones is
// refused by Read, Open and an unforced repair; a forced repair drops
// them and appends the marks, a copy kept.
func TestCorruptionRefusedThenForced(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			h, w := newRun(t, b, "plan", runID(1), 4)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			damaged := damage(t, b, w.Path(), 2, func(f []byte) []byte {
				f = bytes.Clone(f)
				f[len(f)-3] ^= 0x01
				return f
			})
			var ce *journal.CorruptError
			if _, err := b.Read(w.Path()); !errors.As(err, &ce) {
				t.Fatalf("Read: %v, want CorruptError", err)
			}
			if _, _, err := b.Open(w.Path(), h); !errors.As(err, &ce) {
				t.Fatalf("Open: %v, want CorruptError", err)
			}
			if _, err := b.RepairMarking(w.Path(), false, nil); !errors.As(err, &ce) {
				t.Fatalf("unforced repair: %v, want CorruptError", err)
			}
			if img, _ := b.ReadImage(w.Path()); !bytes.Equal(img, damaged) {
				t.Fatal("a refused repair changed the journal")
			}
			mark := func(kept *journal.Replay, dropped []journal.Salvaged) []journal.Record {
				return []journal.Record{{Type: "journal-repaired", Note: "dropped " + string(rune('0'+len(dropped)))}}
			}
			d, err := b.RepairMarking(w.Path(), true, mark)
			if err != nil || !d.Repaired || d.Copy == "" {
				t.Fatalf("forced repair: %+v, %v", d, err)
			}
			rp, err := b.Read(w.Path())
			if err != nil || len(rp.Records) != 2 || rp.Records[1].Note != "dropped 2" {
				t.Fatalf("after the forced repair: %+v, %v", rp, err)
			}
			if seq, _ := b.ReadMark(w.Path()); seq != 2 {
				t.Errorf("sync mark %d after the repair, want 2", seq)
			}
			if kept, _ := b.ReadImage(d.Copy); !bytes.Equal(kept, damaged) {
				t.Error("the kept copy is not the journal as it was")
			}
		})
	}
}

// TestRewriteDamagedHeader: a journal whose header is damaged is refused
// as such, rescued, and rewritten with a rebuilt header.
func TestRewriteDamagedHeader(t *testing.T) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			b := bk.open(t)
			_, w := newRun(t, b, "plan", runID(1), 3)
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			damage(t, b, w.Path(), 0, func(f []byte) []byte {
				f = bytes.Clone(f)
				f[20] ^= 0x01
				return f
			})
			var he *journal.HeaderError
			if _, err := b.Read(w.Path()); !errors.As(err, &he) {
				t.Fatalf("Read: %v, want HeaderError", err)
			}
			rs, err := b.Rescue(w.Path())
			if err != nil || rs == nil || rs.Kept() != 3 {
				t.Fatalf("Rescue: %+v, %v", rs, err)
			}
			h := journal.Header{PlanName: "plan", RunID: runID(1), Started: t0}
			cp, err := b.Rewrite(w.Path(), h, 3, []journal.Record{{Type: "journal-repaired"}})
			if err != nil || cp == "" {
				t.Fatalf("Rewrite: %q, %v", cp, err)
			}
			if rp, err := b.Read(w.Path()); err != nil || len(rp.Records) != 4 || rp.Header.RunID != runID(1) {
				t.Errorf("after Rewrite: %+v, %v", rp, err)
			}
		})
	}
}

// damage changes the frame of record seq (0: the magic and header) with
// f and returns the journal's image as damaged.
func damage(t *testing.T, b store.Backend, name string, seq int, f func([]byte) []byte) []byte {
	t.Helper()
	img, err := b.ReadImage(name)
	if err != nil {
		t.Fatal(err)
	}
	head, frames, err := journal.SplitImage(img)
	if err != nil {
		t.Fatal(err)
	}
	parts := append([][]byte{head}, frames...)
	parts[seq] = f(parts[seq])
	out := bytes.Join(parts, nil)
	switch s := b.(type) {
	case *store.Local:
		if err := os.WriteFile(name, out, 0o600); err != nil {
			t.Fatal(err)
		}
	case *etcdstore.Store:
		key := name + "/head"
		if seq > 0 {
			key = fmt.Sprintf("%s/rec/%010d", name, seq)
		}
		if _, err := s.Client().Put(t.Context(), key, string(parts[seq])); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

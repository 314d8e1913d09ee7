package etcdstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
)

// TestFencingOnTheRecordNumber: the lease is not the only fence. Each
// append's transaction also requires the record before it and not the
// record it writes, so a writer whose idea of the journal is stale (a
// second writer of the same run appended first, or the journal was cut
// back behind its back) is refused with a clear error, writes nothing,
// and the journal read back afterwards is whole.
func TestFencingOnTheRecordNumber(t *testing.T) {
	tests := []struct {
		name string
		// behind changes the journal behind w's back (w has 2 records)
		// and returns the steps of the records it then holds.
		behind func(t *testing.T, s *etcdstore.Store, h store.Held, w store.Journal) []string
		want   string
	}{
		{
			name: "another writer of the run appended record 3 first",
			behind: func(t *testing.T, s *etcdstore.Store, h store.Held, w store.Journal) []string {
				other, _, err := s.Open(w.Path(), h)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := other.AppendSync(journal.Record{Type: "step-started", Step: "other", Attempt: 1, Time: t0}); err != nil {
					t.Fatal(err)
				}
				return []string{"sa", "sb", "other"}
			},
			want: "record 3 is already there: another process appends to this run",
		},
		{
			name: "the journal was cut back to record 1",
			behind: func(t *testing.T, s *etcdstore.Store, _ store.Held, w store.Journal) []string {
				rp, err := s.Read(w.Path())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Rewrite(w.Path(), rp.Header, 1, nil); err != nil {
					t.Fatal(err)
				}
				return []string{"sa"}
			},
			want: "record 2 is not there to append after",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := etcdStore(t)
			h, w := newRun(t, s, "plan", runID(1), 2)
			want := tt.behind(t, s, h, w)
			// Two records in one transaction: neither may land.
			if _, err := w.Append(rec(2)); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Append(rec(3)); err != nil {
				t.Fatal(err)
			}
			err := w.Sync()
			if err == nil || !strings.Contains(err.Error(), "append to journal "+w.Path()+" refused: "+tt.want) {
				t.Fatalf("Sync of a stale writer: %v, want refused: %s", err, tt.want)
			}
			if errors.Is(err, lock.ErrLost) {
				t.Errorf("refusal %v says the lock was lost: it was not", err)
			}
			if _, err := w.AppendSync(rec(4)); err == nil {
				t.Errorf("a later append of the refused writer succeeded: the writer must stay refused")
			}
			if w.Synced() != 2 {
				t.Errorf("Synced = %d, want 2: nothing of the refused appends is durable", w.Synced())
			}
			rp, err := s.Read(w.Path())
			if err != nil {
				t.Fatalf("read the journal back: %v", err)
			}
			if rp.Damage != nil {
				t.Errorf("journal damaged after a refused append: %+v", rp.Damage)
			}
			var got []string
			for i, r := range rp.Records {
				got = append(got, r.Step)
				if r.Seq != uint64(i+1) {
					t.Errorf("record %d has seq %d", i+1, r.Seq)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("journal read back holds steps %v, want %v (the refused records sc, sd, se must not be there)", got, want)
			}
			if seq, err := s.ReadMark(w.Path()); err != nil || seq != uint64(len(want)) {
				t.Errorf("sync mark = %d, %v; want %d", seq, err, len(want))
			}
		})
	}
}

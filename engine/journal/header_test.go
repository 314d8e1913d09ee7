package journal

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// TestDamagedHeaderIsRescued flips each byte of the header's frame in
// turn: Read refuses the file with a *HeaderError, Rescue finds every
// record whole after it, and Rewrite with the header as it was gives back
// the journal byte for byte (the records are kept as they were written),
// keeping the damaged file as a copy.
func TestDamagedHeaderIsRescued(t *testing.T) {
	const path = "s/p/j.journal"
	base := newMemFS()
	want := writeJournal(t, base, path, 4)
	full, _ := base.ReadFile(path)
	headerEnd := frameEnds(t, full)[0]
	for off := int64(len(magic)); off < headerEnd; off++ {
		t.Run(fmt.Sprintf("byte %d", off), func(t *testing.T) {
			damaged := bytes.Clone(full)
			damaged[off] ^= 0x10
			m := newMemFS()
			m.set(path, damaged)
			_, err := Read(m, path)
			var he *HeaderError
			if !errors.As(err, &he) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Read: err = %v, want a *HeaderError wrapping ErrCorrupt", err)
			}
			rs, err := Rescue(m, path)
			if err != nil || rs == nil {
				t.Fatalf("Rescue: %+v, %v", rs, err)
			}
			if rs.Kept() != len(want) || len(rs.Records) != len(want) {
				t.Fatalf("rescued %d records (%d from the first on), want %d", len(rs.Records), rs.Kept(), len(want))
			}
			if off >= 12 && off < 16 { // the checksum: the payload is intact
				if h := testHeader(); rs.Decoded == nil || rs.Decoded.PlanHash != h.PlanHash || rs.Decoded.RunID != h.RunID {
					t.Errorf("decoded header %+v, want the original", rs.Decoded)
				}
			}
			cp, err := Rewrite(m, path, testHeader(), rs.Kept(), nil)
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			if got, _ := m.ReadFile(path); !bytes.Equal(got, full) {
				t.Errorf("rewritten journal differs from the original")
			}
			if kept, _ := m.ReadFile(cp); !bytes.Equal(kept, damaged) {
				t.Errorf("copy %s is not the damaged file", cp)
			}
			if seq, err := ReadMark(m, path); err != nil || seq != uint64(len(want)) {
				t.Errorf("sync mark %d, %v; want %d", seq, err, len(want))
			}
		})
	}
}

// TestRescueAfterAGap: records after a second damage are found too, but
// only those numbered from 1 without a gap are kept by a rewrite; the
// rest are numbered on after them as the caller's records would be.
func TestRescueAfterAGap(t *testing.T) {
	const path = "s/p/j.journal"
	base := newMemFS()
	want := writeJournal(t, base, path, 5)
	full, _ := base.ReadFile(path)
	ends := frameEnds(t, full)
	damaged := bytes.Clone(full)
	damaged[10] ^= 0x01         // the header's length
	damaged[ends[2]+12] ^= 0x01 // record 3's payload
	m := newMemFS()
	m.set(path, damaged)
	rs, err := Rescue(m, path)
	if err != nil || rs == nil {
		t.Fatalf("Rescue: %+v, %v", rs, err)
	}
	var seqs []uint64
	for _, s := range rs.Records {
		seqs = append(seqs, s.Record.Seq)
	}
	if !reflect.DeepEqual(seqs, []uint64{1, 2, 4, 5}) || rs.Kept() != 2 {
		t.Fatalf("rescued seqs %v (kept %d), want [1 2 4 5] keeping 2", seqs, rs.Kept())
	}
	if rs.Raw == nil || rs.Decoded == nil {
		t.Errorf("the header's payload, intact behind a bad length, was not read: raw %q", rs.Raw)
	}
	if _, err := Rewrite(m, path, testHeader(), 3, nil); err == nil {
		t.Errorf("Rewrite kept record 3, which is not whole")
	}
	if _, err := Rewrite(m, path, testHeader(), 2, []Record{{Type: "journal-repaired"}}); err != nil {
		t.Fatalf("Rewrite: %v", err)
	}
	rp, err := Read(m, path)
	if err != nil || len(rp.Records) != 3 || rp.Records[1].Type != want[1].Type || rp.Records[2].Type != "journal-repaired" {
		t.Fatalf("rewritten: %+v, %v", rp, err)
	}
}

// TestRescueOfAGoodHeader: Rescue is for damaged headers only.
func TestRescueOfAGoodHeader(t *testing.T) {
	m := newMemFS()
	writeJournal(t, m, "j", 1)
	if rs, err := Rescue(m, "j"); rs != nil || err != nil {
		t.Errorf("Rescue of a good journal: %+v, %v; want nil, nil", rs, err)
	}
	m.set("j", []byte("hello, world"))
	if _, err := Rescue(m, "j"); err == nil {
		t.Errorf("Rescue of a file that is not a journal succeeded")
	}
}

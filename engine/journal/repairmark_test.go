package journal

import (
	"bytes"
	"strings"
	"testing"
)

// A forced repair marks what it drops, and is atomic: whichever write or sync fails,
// the journal is either as it was or cut back with every mark after the
// kept records, never cut back without them.
func TestRepairMarkingIsAtomic(t *testing.T) {
	const path = "state/p/run.journal"
	base := newMemFS()
	w, err := Create(base, path, Header{PlanName: "p", RunID: "20261126T010000Z-abcd"})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"a", "b", "c"} {
		if _, err := w.Append(Record{Type: "step-started", Step: step, Attempt: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	orig, _ := base.ReadFile(path)
	damaged := bytes.Clone(orig)
	// A flipped bit in b's start record's text: the frame is bad, but
	// what it said still reads, and b is marked too.
	i := bytes.Index(damaged, []byte(`"Step":"b"`))
	if i < 0 {
		t.Fatalf("no step b in %q", damaged)
	}
	damaged[i-3] ^= 0x01 // "step-started" → "step-startee"
	mark := func(kept *Replay, dropped []Salvaged) []Record {
		var out []Record
		for _, s := range dropped {
			out = append(out, Record{Type: "step-interrupted", Step: s.Record.Step})
		}
		return out
	}
	for fail := 0; fail <= 6; fail++ {
		for _, kind := range []string{"write", "sync"} {
			m := newMemFS()
			m.set(path, damaged)
			if kind == "write" {
				m.failWrite = fail
			} else {
				m.failSync = fail
			}
			_, err := RepairMarking(m, path, true, mark)
			got, _ := m.ReadFile(path)
			if err != nil && fail == 0 {
				t.Fatalf("repair with no failure: %v", err)
			}
			if err != nil {
				if !bytes.Equal(got, damaged) {
					t.Errorf("%s %d failed (%v): the journal changed", kind, fail, err)
				}
				continue
			}
			rp, rerr := Read(m, path)
			if rerr != nil {
				t.Fatalf("%s %d: repaired journal unreadable: %v", kind, fail, rerr)
			}
			var types []string
			for _, r := range rp.Records {
				types = append(types, r.Type+":"+r.Step)
			}
			if want := "step-started:a step-interrupted:b step-interrupted:c"; strings.Join(types, " ") != want {
				t.Errorf("%s %d: records %v, want %s", kind, fail, types, want)
			}
		}
	}
}

package journal

import (
	"errors"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader: it must never panic, and
// whatever it accepts must be consistent: dense sequence numbers, no record
// past the damage, trailing damage always reported as ErrCorrupt.
func FuzzRead(f *testing.F) {
	seed := newMemFS()
	writeJournal(f, seed, "j", 3)
	full, _ := seed.ReadFile("j")
	f.Add(full)
	f.Add(full[:len(full)-7])
	flipped := append([]byte(nil), full...)
	flipped[len(magic)+40] ^= 0xff
	f.Add(flipped)
	f.Add([]byte(magic))
	f.Add(append([]byte(magic), make([]byte, 32)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := newMemFS()
		fsys.set("j", data)
		rp, err := Read(fsys, "j")
		if _, serr := Salvage(fsys, "j"); (serr != nil) != (rp == nil) {
			t.Fatalf("Salvage err %v, but Read returned a replay: %v", serr, rp != nil)
		}
		if rp == nil {
			if err == nil {
				t.Fatal("no replay and no error")
			}
			return
		}
		for i, r := range rp.Records {
			if r.Seq != uint64(i+1) {
				t.Fatalf("record %d has seq %d", i, r.Seq)
			}
		}
		if d := rp.Damage; d != nil {
			if d.Offset < int64(len(magic)) || d.Offset > int64(len(data)) {
				t.Fatalf("damage offset %d outside the file of %d bytes", d.Offset, len(data))
			}
			if d.Trailing != errors.Is(err, ErrCorrupt) {
				t.Fatalf("trailing %v but err %v", d.Trailing, err)
			}
		}
		if err == nil && (rp.Damage == nil || !rp.Damage.Trailing) {
			if _, err := Repair(fsys, "j", false); err != nil {
				t.Fatalf("Repair of a readable journal: %v", err)
			}
			if again, err := Read(fsys, "j"); err != nil || again.Damage != nil || len(again.Records) != len(rp.Records) {
				t.Fatalf("after Repair: %+v, %v", again, err)
			}
		}
	})
}

package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// frameEnds returns the offset just after the header frame and after each
// record frame of a clean journal.
func frameEnds(t *testing.T, buf []byte) []int64 {
	t.Helper()
	var ends []int64
	for off := int64(len(magic)); off < int64(len(buf)); {
		_, next, reason := frameAt(buf, off)
		if reason != "" {
			t.Fatalf("frame at %d: %s", off, reason)
		}
		ends = append(ends, next)
		off = next
	}
	return ends
}

// wholeBefore returns how many records end at or before cut.
func wholeBefore(ends []int64, cut int64) int {
	n := 0
	for _, e := range ends[1:] {
		if e <= cut {
			n++
		}
	}
	return n
}

// TestCutAtEveryByte cuts a real journal at every byte offset: Read returns
// exactly the records wholly before the cut and reports the rest as a bad
// tail; Open repairs it, keeps the original, and appends after the last
// whole record. Every cut is read from a real file; Open runs on an
// in-memory copy at every cut, and on the real file just at and after each
// frame boundary, to keep the test from costing thousands of fsyncs.
func TestCutAtEveryByte(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.journal")
	want := writeJournal(t, OSFS{}, src, 6)
	full, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	ends := frameEnds(t, full)
	onDisk := map[int64]bool{}
	for _, e := range ends {
		onDisk[e], onDisk[e+1] = true, true
	}
	for cut := int64(0); cut <= int64(len(full)); cut++ {
		path := filepath.Join(dir, fmt.Sprintf("cut-%d.journal", cut))
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		rp, err := Read(OSFS{}, path)
		if cut < ends[0] {
			if err == nil {
				t.Fatalf("cut %d inside the header: Read succeeded", cut)
			}
			continue
		}
		n := wholeBefore(ends, cut)
		checkCutReplay(t, cut, rp, err, want[:n], cut == ends[n])
		mem := newMemFS()
		mem.set(path, full[:cut])
		checkCutOpen(t, mem, path, full[:cut], ends[n], n)
		if onDisk[cut] {
			checkCutOpen(t, OSFS{}, path, full[:cut], ends[n], n)
		}
	}
}

func checkCutReplay(t *testing.T, cut int64, rp *Replay, err error, want []Record, clean bool) {
	t.Helper()
	if err != nil {
		t.Fatalf("cut %d: Read: %v", cut, err)
	}
	if !reflect.DeepEqual(rp.Records, want) && len(rp.Records)+len(want) > 0 {
		t.Fatalf("cut %d: Read returned %d records, want the %d wholly before the cut", cut, len(rp.Records), len(want))
	}
	if clean != (rp.Damage == nil) {
		t.Fatalf("cut %d: Damage = %+v, want damage %v", cut, rp.Damage, !clean)
	}
	if rp.Damage != nil && (rp.Damage.Repaired || rp.Damage.Trailing) {
		t.Fatalf("cut %d: Read-only damage = %+v, want not repaired, not trailing", cut, rp.Damage)
	}
}

func checkCutOpen(t *testing.T, fsys FS, path string, before []byte, good int64, n int) {
	t.Helper()
	w, rp, err := Open(fsys, path)
	if err != nil {
		t.Fatalf("%s: Open: %v", path, err)
	}
	if d := rp.Damage; d != nil {
		kept, err := fsys.ReadFile(d.Copy)
		if err != nil || !bytes.Equal(kept, before) || !d.Repaired || d.Offset != good {
			t.Fatalf("%s: damage %+v: copy err %v, same as original %v", path, d, err, bytes.Equal(kept, before))
		}
	}
	r, err := w.AppendSync(Record{Type: "run-resumed"})
	if err != nil || r.Seq != uint64(n+1) {
		t.Fatalf("%s: append after Open = seq %d, %v; want seq %d", path, r.Seq, err, n+1)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rp, err = Read(fsys, path)
	if err != nil || rp.Damage != nil || len(rp.Records) != n+1 {
		t.Fatalf("%s: reread after resume: %d records, damage %+v, %v; want %d clean", path, len(rp.Records), rp.Damage, err, n+1)
	}
}

// TestDamageInTheMiddleIsRefused flips bits in and around a middle record:
// Read and Open refuse with ErrCorrupt naming the record's offset and leave
// the file alone. The same damage in the final record is a repairable tail.
func TestDamageInTheMiddleIsRefused(t *testing.T) {
	base := newMemFS()
	writeJournal(t, base, "j", 5)
	full, _ := base.ReadFile("j")
	ends := frameEnds(t, full)
	mid, last := ends[2], ends[len(ends)-2] // start of record 3, of the final record
	tests := []struct {
		name     string
		at       int64 // byte to flip
		recStart int64
		trailing bool
	}{
		{name: "middle length", at: mid, recStart: mid, trailing: true},
		{name: "middle length high byte", at: mid + 3, recStart: mid, trailing: true},
		{name: "middle checksum", at: mid + 5, recStart: mid, trailing: true},
		{name: "middle payload", at: mid + 20, recStart: mid, trailing: true},
		{name: "final payload", at: last + 20, recStart: last},
		{name: "final checksum", at: last + 4, recStart: last},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := append([]byte(nil), full...)
			bad[tt.at] ^= 0x10
			fsys := newMemFS()
			fsys.set("j", bad)
			rp, rerr := Read(fsys, "j")
			_, orp, oerr := Open(fsys, "j")
			if !tt.trailing {
				if rerr != nil || oerr != nil || !orp.Damage.Repaired || orp.Damage.Offset != tt.recStart {
					t.Fatalf("final-record damage: Read %v, Open %v, damage %+v", rerr, oerr, orp.Damage)
				}
				return
			}
			for _, err := range []error{rerr, oerr} {
				var ce *CorruptError
				if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) || ce.Offset != tt.recStart ||
					!strings.Contains(err.Error(), fmt.Sprintf("offset %d", tt.recStart)) {
					t.Fatalf("err = %v, want a CorruptError at offset %d", err, tt.recStart)
				}
			}
			if len(rp.Records) != 2 || !rp.Damage.Trailing {
				t.Errorf("Read kept %d records, damage %+v; want the 2 before it, trailing", len(rp.Records), rp.Damage)
			}
			if now, _ := fsys.ReadFile("j"); !bytes.Equal(now, bad) || len(fsys.files) != 1 {
				t.Errorf("refused Open changed the file or kept a copy")
			}
		})
	}
}

// TestSeqGapIsDamage: a well-framed record with the wrong sequence number
// (a record from elsewhere spliced in) is not accepted.
func TestSeqGapIsDamage(t *testing.T) {
	fsys := newMemFS()
	writeJournal(t, fsys, "j", 2)
	full, _ := fsys.ReadFile("j")
	forged := appendFrame(full, []byte(`{"Seq":7,"Time":"2026-11-26T03:15:00Z","Type":"x"}`))
	fsys.set("j", forged)
	rp, err := Read(fsys, "j")
	if err != nil || rp.Damage == nil || !strings.Contains(rp.Damage.Reason, "seq 7, want 3") {
		t.Fatalf("Read: damage %+v, %v; want a bad tail naming the seq", rp.Damage, err)
	}
}

func TestRepair(t *testing.T) {
	base := newMemFS()
	writeJournal(t, base, "j", 4)
	full, _ := base.ReadFile("j")
	ends := frameEnds(t, full)
	flipMid := append([]byte(nil), full...)
	flipMid[ends[2]+12] ^= 1
	tests := []struct {
		name      string
		content   []byte
		force     bool
		wantErr   error
		wantRecs  int
		wantCut   bool
		wantCount int // files after: journal + copies
	}{
		{name: "clean", content: full, wantRecs: 4, wantCount: 1},
		{name: "torn tail", content: full[:len(full)-3], wantRecs: 3, wantCut: true, wantCount: 2},
		{name: "zeroed tail", content: append(append([]byte(nil), full...), make([]byte, 64)...), wantRecs: 4, wantCut: true, wantCount: 2},
		{name: "middle damage refused", content: flipMid, wantErr: ErrCorrupt, wantRecs: -1, wantCount: 1},
		{name: "middle damage forced", content: flipMid, force: true, wantRecs: 2, wantCut: true, wantCount: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := newMemFS()
			fsys.set("j", tt.content)
			d, err := Repair(fsys, "j", tt.force)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Repair: err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantCut != (d != nil && d.Repaired) {
				t.Fatalf("Repair damage = %+v, want repaired %v", d, tt.wantCut)
			}
			if n := len(fsys.files) - markCount(fsys); n != tt.wantCount {
				t.Errorf("%d files after repair, want %d", n, tt.wantCount)
			}
			if tt.wantCut {
				kept, _ := fsys.ReadFile(d.Copy)
				if !bytes.Equal(kept, tt.content) {
					t.Errorf("copy %s differs from the original", d.Copy)
				}
				// The cut was asked for: the sync mark now says what
				// the journal holds, so it does not pass for cut short.
				if seq, err := ReadMark(fsys, "j"); err != nil || seq != uint64(tt.wantRecs) {
					t.Errorf("sync mark after the cut: %d, %v; want %d", seq, err, tt.wantRecs)
				}
			}
			checkRecords(t, fsys, tt.wantRecs)
		})
	}
}

// markCount is 1 when fsys holds the sync mark of "j", else 0.
func markCount(fsys *memFS) int {
	if _, err := fsys.Stat(MarkPath("j")); err == nil {
		return 1
	}
	return 0
}

// checkRecords reads "j" and checks it is clean with n records; n < 0
// expects it still refused.
func checkRecords(t *testing.T, fsys FS, n int) {
	t.Helper()
	rp, err := Read(fsys, "j")
	if n < 0 {
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("after refused repair: Read err = %v, want ErrCorrupt", err)
		}
		return
	}
	if err != nil || rp.Damage != nil || len(rp.Records) != n {
		t.Errorf("after repair: %d records, damage %+v, err %v; want %d clean", len(rp.Records), rp.Damage, err, n)
	}
}

func TestRepairKeepsEveryCopy(t *testing.T) {
	fsys := newMemFS()
	writeJournal(t, fsys, "j", 2)
	full, _ := fsys.ReadFile("j")
	copies := map[string]bool{}
	for i := range 3 {
		fsys.set("j", append(append([]byte(nil), full...), byte(i+1)))
		d, err := Repair(fsys, "j", false)
		if err != nil || d == nil {
			t.Fatalf("repair %d: %+v, %v", i, d, err)
		}
		copies[d.Copy] = true
	}
	if len(copies) != 3 {
		t.Errorf("three repairs kept %d distinct copies, want 3: %v", len(copies), copies)
	}
}

func TestFrameLengthIsLittleEndianAndChecked(t *testing.T) {
	f := appendFrame(nil, []byte(`{"a":1}`))
	if got := binary.LittleEndian.Uint32(f[:4]); got != 7 {
		t.Fatalf("length field = %d, want 7", got)
	}
	for i := range 4 {
		bad := append([]byte(nil), f...)
		bad[i] ^= 0x01
		if _, _, reason := frameAt(append(bad, make([]byte, 16)...), 0); reason == "" {
			t.Errorf("flipping length byte %d went unnoticed", i)
		}
	}
}

func TestSalvage(t *testing.T) {
	base := newMemFS()
	want := writeJournal(t, base, "j", 5)
	full, _ := base.ReadFile("j")
	ends := frameEnds(t, full)
	bad := append([]byte(nil), full...)
	bad[ends[2]+10] ^= 0x04 // damage record 3
	tests := []struct {
		name    string
		content []byte
		want    []Record
		offsets []int64
	}{
		{name: "clean", content: full},
		{name: "torn tail", content: full[:len(full)-2]},
		{name: "damage in the middle", content: bad, want: want[3:], offsets: ends[3:5]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := newMemFS()
			fsys.set("j", tt.content)
			got, err := Salvage(fsys, "j")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("salvaged %d records, want %d", len(got), len(tt.want))
			}
			for i, s := range got {
				if !reflect.DeepEqual(s.Record, tt.want[i]) || s.Offset != tt.offsets[i] {
					t.Errorf("salvaged %d = %+v at %d, want %+v at %d", i, s.Record, s.Offset, tt.want[i], tt.offsets[i])
				}
			}
		})
	}
}

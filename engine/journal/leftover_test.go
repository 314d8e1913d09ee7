package journal

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// repairOp is one way the journal is repaired, as a test drives it.
type repairOp struct {
	name    string
	content func(full []byte) []byte
	run     func(m *memFS) error
	// records is how many records the journal holds once repaired.
	records int
}

// repairOps are the repairs that write a copy and a new journal: a torn
// tail cut by Repair and by Open (resume), a forced cut that appends
// marks, and a rewrite with a new header.
func repairOps() []repairOp {
	torn := func(full []byte) []byte { return append(bytes.Clone(full), 0x20, 0, 0, 0, 1, 2) }
	return []repairOp{
		{name: "repair a torn tail", content: torn, records: 3, run: func(m *memFS) error {
			_, err := Repair(m, "s/p/j.journal", false)
			return err
		}},
		{name: "open a torn tail", content: torn, records: 3, run: func(m *memFS) error {
			w, _, err := Open(m, "s/p/j.journal")
			if err == nil {
				err = w.Close()
			}
			return err
		}},
		{name: "forced repair with marks", content: torn, records: 4, run: func(m *memFS) error {
			_, err := RepairMarking(m, "s/p/j.journal", true, func(*Replay, []Salvaged) []Record {
				return []Record{{Type: "journal-repaired"}}
			})
			return err
		}},
		{name: "rewrite", content: func(full []byte) []byte { return full }, records: 5, run: func(m *memFS) error {
			_, err := Rewrite(m, "s/p/j.journal", testHeader(), 3, []Record{{Type: "a"}, {Type: "b"}})
			return err
		}},
	}
}

// TestFullDiskLeavesNoPartialFile fails every write and every sync of each
// repair once, with nothing of a failed write reaching the disk (a full
// disk): whatever fails, no empty or partial copy (.torn-*) or temporary
// file is left, the journal is either as it was or wholly repaired, and
// its sync mark never says more records than it holds.
func TestFullDiskLeavesNoPartialFile(t *testing.T) {
	base := newMemFS()
	writeJournal(t, base, "s/p/j.journal", 3)
	full, _ := base.ReadFile("s/p/j.journal")
	for _, op := range repairOps() {
		damaged := op.content(full)
		for n := 1; n <= 8; n++ {
			for _, kind := range []string{"write", "sync"} {
				t.Run(fmt.Sprintf("%s/%s %d", op.name, kind, n), func(t *testing.T) {
					m := newMemFS()
					m.set("s/p/j.journal", damaged)
					if kind == "write" {
						m.failWrite = n
					} else {
						m.failSync = n
					}
					err := op.run(m)
					copies := checkLeftovers(t, m, damaged, err)
					got, _ := m.ReadFile("s/p/j.journal")
					switch rp, rerr := Read(m, "s/p/j.journal"); {
					case err != nil && !bytes.Equal(got, damaged) && copies == 0:
						// A cut whose sync failed has changed the file:
						// only with the copy made before it.
						t.Errorf("failed (%v), yet the journal changed and no copy was kept", err)
					case err == nil && (rerr != nil || rp.Damage != nil || len(rp.Records) != op.records):
						t.Errorf("repaired: %v, damage %+v; want %d clean records", rerr, rp.Damage, op.records)
					}
				})
			}
		}
	}
}

// checkLeftovers checks that the only files are the journal, its sync
// mark, and, after a repair that changed it, one whole copy of it as it
// was; and that the mark is not ahead of the journal. It returns the
// number of copies.
func checkLeftovers(t *testing.T, m *memFS, orig []byte, opErr error) int {
	t.Helper()
	copies := 0
	for _, name := range m.names() {
		switch {
		case name == "s/p/j.journal", name == MarkPath("s/p/j.journal"):
		case strings.Contains(name, ".torn-"):
			copies++
			if b, _ := m.ReadFile(name); !bytes.Equal(b, orig) {
				t.Errorf("copy %s holds %d bytes, not the journal as it was (%d bytes)", name, len(b), len(orig))
			}
		default:
			t.Errorf("left behind: %s", name)
		}
	}
	if got, _ := m.ReadFile("s/p/j.journal"); copies > 0 && bytes.Equal(got, orig) && opErr != nil {
		t.Errorf("the journal is unchanged (%v), yet a copy of it is said to be kept", opErr)
	}
	if copies > 1 {
		t.Errorf("%d copies kept, want at most 1", copies)
	}
	rp, _ := Read(m, "s/p/j.journal")
	if seq, err := ReadMark(m, "s/p/j.journal"); err == nil && rp != nil && seq > uint64(len(rp.Records)) {
		t.Errorf("sync mark says %d, the journal holds %d records", seq, len(rp.Records))
	}
	return copies
}

// TestCreateOnFullDiskLeavesNoJournal: a journal whose header could not
// be written is removed, not left empty for the next apply to take for a
// run that died.
func TestCreateOnFullDiskLeavesNoJournal(t *testing.T) {
	for _, kind := range []string{"write", "sync", "dir sync"} {
		t.Run(kind, func(t *testing.T) {
			m := newMemFS()
			switch kind {
			case "write":
				m.failWrite = 1
			case "sync":
				m.failSync = 1
			default:
				m.dirErr = errInjectedSync
			}
			if _, err := Create(m, "s/p/j.journal", testHeader()); err == nil {
				t.Fatal("Create succeeded")
			}
			if names := m.names(); len(names) != 0 {
				t.Errorf("left behind: %v", names)
			}
		})
	}
}

package lab

import (
	"io/fs"
	"maps"
	"path/filepath"
	"testing"
	"time"
)

// TestReadInstancesBesideFileFaults: the Lync shell's read-only view of
// the lab agrees with the SQL state and sees a down fault while the
// share is gone (a file-system fault in the same faults file) and the
// servers run in another time zone, and reading changes nothing in the
// lab dir.
func TestReadInstancesBesideFileFaults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.TimeZone = "America/New_York"
	tl, r := newFileLab(t, cfg)
	s := open(tl.backup(), 51, "master")
	if w := run(t, tl.backup(), s, "RESTORE DATABASE mgc WITH STANDBY = N'D:\\LSCopy\\mgc\\mgc.tuf'"); len(w.errors) > 0 {
		t.Fatalf("RESTORE … WITH STANDBY: %v", w.errors)
	}
	addFault(t, tl, r, Fault{Kind: FaultShareGone})
	addFault(t, tl, r, Fault{Kind: FaultDown, Instance: "PRIMARY"})

	before := snapshotDir(t, tl.dir)
	insts, err := ReadInstances(tl.dir)
	if err != nil {
		t.Fatalf("read instances: %v", err)
	}
	if after := snapshotDir(t, tl.dir); !maps.Equal(before, after) {
		t.Errorf("reading the instances changed the lab dir:\nbefore %v\nafter  %v", before, after)
	}
	if len(insts) != 3 || insts[0].Name != "PRIMARY" || insts[1].Name != "BACKUP" || insts[2].Name != "BACKUP_MIRROR" || insts[2].MirrorOf != "BACKUP" {
		t.Fatalf("instances = %+v, want PRIMARY, BACKUP and BACKUP_MIRROR (mirror of BACKUP) in config order", insts)
	}
	if !insts[0].Down || insts[1].Down {
		t.Errorf("down = %v, %v; want PRIMARY down (its fault), BACKUP up", insts[0].Down, insts[1].Down)
	}
	want := DatabaseView{Name: "mgc", State: "ONLINE", Standby: true}
	var got DatabaseView
	for _, d := range insts[1].Databases {
		if d.Name == want.Name {
			got = d
		}
	}
	if got != want {
		t.Errorf("BACKUP's mgc = %+v, want %+v as the RESTORE left it", got, want)
	}
}

// snapshotDir maps every path under dir to its size and modification time.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[p] = fi.Mode().String() + " " + fi.ModTime().Format(time.RFC3339Nano) + " " + itoa64(fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

package logship

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/lab"
)

// TestApplyLockedFileOnTheShare: the newest backup is open in another
// process (3201, OS error 32): skipped for now, not cached, the rest
// applied.
func TestApplyLockedFileOnTheShare(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.bothDirs()
	f, err := lab.AddFault(lc.lab.Dir, lab.Fault{Kind: lab.FaultFileLocked})
	if err != nil {
		t.Fatal(err)
	}
	name := f.Path[strings.LastIndexAny(f.Path, `\/`)+1:]
	out := lc.mustRun(t)
	wantSkip(t, out, name, "in use by another process, as a backup still being written is (3201, OS error 32)")
	if out["files_applied"] != int64(5) {
		t.Errorf("applied %v, want the 5 before it", out["applied"])
	}
	if _, err := lab.ClearFaults(lc.lab.Dir, f.ID); err != nil {
		t.Fatal(err)
	}
	out = lc.mustRun(t)
	if got := strs(out["applied"]); len(got) != 1 || got[0] != name {
		t.Errorf("after the writer let go: applied %v, want %s", got, name)
	}
}

// TestApplyLivePrimary: the primary is alive and writes its next log
// backup to the share on each RESTORE LOG; the step's re-scans apply
// them too, in the same run.
func TestApplyLivePrimary(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.bothDirs()
	if _, err := lab.AddFault(lc.lab.Dir, lab.Fault{Kind: lab.FaultLivePrimary, Match: "RESTORE LOG", Times: 2}); err != nil {
		t.Fatal(err)
	}
	out := lc.mustRun(t)
	if out["files_applied"] != int64(8) {
		t.Errorf("applied %v, want the 6 on the share and the 2 the primary wrote during the run", out["applied"])
	}
	wantAtTip(t, lc, out)
}

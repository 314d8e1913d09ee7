package fs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/lab"
)

// labDirs initialises a lab (twelve log backups on the share, eight in
// the copy folder) and returns its dir, share and copy folder.
func labDirs(t *testing.T) (dir, share, copyDir string) {
	t.Helper()
	dir = t.TempDir()
	cfg := lab.DefaultConfig()
	if err := lab.Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	return dir, cfg.ShareFolder(dir), cfg.CopyFolder(dir)
}

func addLabFault(t *testing.T, dir string, f lab.Fault) lab.Fault {
	t.Helper()
	f, err := lab.AddFault(dir, f)
	if err != nil && strings.Contains(err.Error(), "this system refused it") {
		t.Skipf("the lab cannot make this fault here: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.ClearFaults(dir, f.ID) })
	return f
}

// TestCopyLabShareGone: the share is in the failed datacenter.
func TestCopyLabShareGone(t *testing.T) {
	dir, share, copyDir := labDirs(t)
	addLabFault(t, dir, lab.Fault{Kind: lab.FaultShareGone})
	p := params(t, map[string]any{"from": share, "to": copyDir, "include": []any{"mgc_*.trn"}})
	_, err := newCopyAction().Run(context.Background(), &actions.Env{}, p)
	if err == nil || !strings.Contains(err.Error(), "is unreachable") || !strings.Contains(err.Error(), "allow_missing_source") {
		t.Errorf("err = %v, want the share unreachable", err)
	}
	p.AllowMissingSource = true
	out, err := newCopyAction().Run(context.Background(), &actions.Env{}, p)
	if err != nil || out["source_unreachable"] != true || !strings.Contains(out["warning"].(string), "holds 8 matching file(s)") {
		t.Errorf("with allow_missing_source: %v, %v; want a warning naming the 8 files the copy folder holds", out, err)
	}
}

// TestCopyLabDiskFull: the copy folder has 64 KiB left (a size-limited
// tmpfs): a real ENOSPC, the partial copy removed.
func TestCopyLabDiskFull(t *testing.T) {
	dir, share, copyDir := labDirs(t)
	addLabFault(t, dir, lab.Fault{Kind: lab.FaultDiskFull, Free: 64 << 10})
	big := filepath.Join(share, "mgc_bigger_than_the_disk.trn")
	if err := os.WriteFile(big, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	p := params(t, map[string]any{"from": share, "to": copyDir, "include": []any{"mgc_bigger*"}})
	_, err := newCopyAction().Run(context.Background(), &actions.Env{}, p)
	if err == nil || !strings.Contains(err.Error(), "the destination disk is full") || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("err = %v (%s), want a permanent disk-full error", err, actions.ClassOf(err))
	}
	entries, _ := os.ReadDir(copyDir)
	for _, e := range entries {
		if isPartial(e.Name()) || strings.HasPrefix(e.Name(), "mgc_bigger") {
			t.Errorf("%s left in the full folder", e.Name())
		}
	}
}

// TestCopyLabFileLocked: the newest log backup is open in another
// process: copied again and again, then a clear error (or a skip).
func TestCopyLabFileLocked(t *testing.T) {
	dir, share, copyDir := labDirs(t)
	f := addLabFault(t, dir, lab.Fault{Kind: lab.FaultFileLocked})
	name := f.Path[strings.LastIndexAny(f.Path, `\/`)+1:]
	p := params(t, map[string]any{"from": share, "to": copyDir, "include": []any{"mgc_*.trn"}})
	_, err := testAction(osFS{}).Run(context.Background(), &actions.Env{}, p)
	if err == nil || !strings.Contains(err.Error(), "locked by another process") || !strings.Contains(err.Error(), name) {
		t.Errorf("err = %v, want %s named as locked", err, name)
	}
	if _, err := os.Lstat(filepath.Join(copyDir, name)); err == nil {
		t.Errorf("%s copied while locked", name)
	}
	if n := len(mustGlob(t, copyDir, "mgc_*.trn")); n != 11 {
		t.Errorf("the copy folder holds %d log backups, want the 11 others", n)
	}
	p.AllowChanging = true
	out, err := testAction(osFS{}).Run(context.Background(), &actions.Env{}, p)
	if err != nil || !strings.Contains(out["warning"].(string), name) {
		t.Errorf("with allow_changing: %v, %v", out, err)
	}
}

func mustGlob(t *testing.T, dir, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

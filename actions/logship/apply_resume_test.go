package logship

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/journaltest"
	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/labfile"
)

// TestApplyResumesAtTheNextSet interrupts the step after k checkpoints
// (the journal cancels the attempt), then runs it again with the same
// journal: no set is restored twice, and the outputs count every set.
func TestApplyResumesAtTheNextSet(t *testing.T) {
	for _, k := range []int{1, 3} {
		lc := newLabCase(t, nil)
		lc.bothDirs()
		ctx, cancel := context.WithCancel(context.Background())
		j := &journaltest.Journal{CancelAfter: k, Cancel: cancel}
		lc.env.Journal = j
		mark := lc.lab.Mark(t)
		_, err := applyAction{}.Run(ctx, lc.env, lc.p)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("k=%d: interrupted run: err = %v, want it cancelled", k, err)
		}
		if got := len(lc.restores(t, mark)); got != k {
			t.Fatalf("k=%d: the interrupted run restored %d set(s), want %d", k, got, k)
		}
		j.CancelAfter = 0
		out, err := applyAction{}.Run(context.Background(), lc.env, lc.p)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, r := range lc.restores(t, mark) {
			seen[r]++
		}
		for r, n := range seen {
			if n > 1 {
				t.Errorf("k=%d: restored %d times: %s", k, n, r)
			}
		}
		if len(seen) != 6 || out["files_applied"] != int64(6) || len(strs(out["applied"])) != 6-k {
			t.Errorf("k=%d: %d distinct restores, outputs %v; want 6 over both runs, %d in the second", k, len(seen), out, 6-k)
		}
		// The 8 copied files are also on the share.
		if n := out["files_skipped"].(int64); n != 6+8 {
			t.Errorf("k=%d: %d skipped (%v); want the 6 restored before the step and the 8 duplicates, not the step's own", k, n, out["skipped"])
		}
	}
}

// TestApplyGrowingFile: the newest file on the share is still being
// written (a live primary). It is skipped while it is cut short; once
// it is complete a re-run (its size changed: the cache reads it again)
// applies it.
func TestApplyGrowingFile(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.bothDirs()
	newest := newestFile(t, lc.lab.ShareFolder())
	full, err := os.ReadFile(newest)
	if err != nil {
		t.Fatal(err)
	}
	if err := labfile.WriteBytes(newest, full[:len(full)/2]); err != nil {
		t.Fatal(err)
	}
	out := lc.mustRun(t)
	wantSkip(t, out, filepath.Base(newest), "truncated: a partial copy, or a backup still being written")
	if out["files_applied"] != int64(5) {
		t.Errorf("applied %v, want the 5 complete ones", out["applied"])
	}
	if err := labfile.WriteBytes(newest, full); err != nil {
		t.Fatal(err)
	}
	out = lc.mustRun(t)
	if got := strs(out["applied"]); len(got) != 1 || got[0] != filepath.Base(newest) {
		t.Errorf("second run applied %v, want the now complete %s", got, filepath.Base(newest))
	}
}

// TestApplyRescansForLateFiles: files that reach the folder while the
// step applies (a live primary's new log backups) are applied by the
// same run.
func TestApplyRescansForLateFiles(t *testing.T) {
	lc := newLabCase(t, nil)
	arrived := false
	lc.env.Progress = actions.NewProgressSink(0, func(p actions.Progress) {
		if !arrived && p.Done == 1 {
			arrived = true
			lc.copyShare(t) // the copy job (or fs.copy) brings the rest
		}
	})
	out := lc.mustRun(t)
	if !arrived || out["files_applied"] != int64(6) {
		t.Errorf("applied %v, want the 2 there at the start and the 4 that arrived", out["applied"])
	}
	wantAtTip(t, lc, out)
}

// TestApplyFolderSQLServerCannotSee: dir names a folder the SQL Server
// host does not have (OS error 3): a clear, permanent error about the
// service account's view of the path.
func TestApplyFolderSQLServerCannotSee(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.p.Dir = `E:\Elsewhere\mgc`
	_, err := lc.run(t)
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), `SQL Server cannot open E:\Elsewhere\mgc\mgc_`) ||
		!strings.Contains(err.Error(), "as the SQL Server service account") {
		t.Errorf("err = %v (%s)", err, actions.ClassOf(err))
	}
}

// TestApplyHeaderCache: a second scan of the same run reads no header
// again; a changed file is read again.
func TestApplyHeaderCache(t *testing.T) {
	lc := newLabCase(t, func(c *lab.Config) { c.LogShipping.Copied = 12 })
	ctx := context.Background()
	a, err := newApplier(ctx, lc.env, lc.p)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	mark := lc.lab.Mark(t)
	if _, err := a.scan(ctx); err != nil {
		t.Fatal(err)
	}
	first := headerReads(t, lc, mark)
	mark = lc.lab.Mark(t)
	if _, err := a.scan(ctx); err != nil {
		t.Fatal(err)
	}
	if first != 12 || headerReads(t, lc, mark) != 0 {
		t.Errorf("header reads: %d then %d, want 12 then 0", first, headerReads(t, lc, mark))
	}
	newest := newestFile(t, lc.lab.CopyFolder())
	b, _ := os.ReadFile(newest)
	labfile.WriteBytes(newest, b[:len(b)-1])
	mark = lc.lab.Mark(t)
	if _, err := a.scan(ctx); err != nil {
		t.Fatal(err)
	}
	if n := headerReads(t, lc, mark); n != 1 {
		t.Errorf("after one file changed: %d header reads, want 1", n)
	}
}

func headerReads(t *testing.T, lc *labCase, mark int) int {
	t.Helper()
	n := 0
	for _, s := range lc.lab.Since(t, mark) {
		if s.Kind != "dynamic" && strings.Contains(s.Text, "RESTORE HEADERONLY") {
			n++
		}
	}
	return n
}

// newestFile is the last mgc_*.trn of dir by name.
func newestFile(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "mgc_*.trn"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no mgc_*.trn in %s: %v", dir, err)
	}
	return m[len(m)-1]
}

package fs

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/journaltest"
)

// TestCopyResumesAtTheNextFile interrupts a copy after k checkpoints (the
// journal cancels the attempt, as Ctrl-C or a timeout does), then runs
// the step again with the same journal: every file is renamed into place
// exactly once over both runs, and the outputs count all of them.
func TestCopyResumesAtTheNextFile(t *testing.T) {
	for _, tc := range []struct {
		files, parallel, k int
		syncEach           bool
	}{{6, 1, 2, false}, {6, 1, 1, false}, {24, 4, 2, false}, {6, 1, 2, true}, {24, 4, 2, true}} {
		t.Run(fmt.Sprintf("%d files, %d workers, interrupted after %d checkpoints, sync each %v", tc.files, tc.parallel, tc.k, tc.syncEach), func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			var total int64
			for i := range tc.files {
				content := fmt.Sprintf("log backup %02d", i)
				writeFile(t, src, fmt.Sprintf("mgc_%02d.trn", i), content, i)
				total += int64(len(content))
			}
			p := params(t, map[string]any{"from": src, "to": dst, "parallel": tc.parallel})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			j := &journaltest.Journal{CancelAfter: tc.k, Cancel: cancel}
			tokens := make(chan struct{}, tc.files)
			for range tc.parallel {
				tokens <- struct{}{}
			}
			// A source file opens only when a token is free, and a rename
			// frees one: at most parallel files are copied ahead of the
			// commits, so the interruption always comes before the end.
			fsys := &faultFS{onRename: func() { tokens <- struct{}{} }}
			fsys.open = func(name string) (srcFile, error) {
				if filepath.Dir(name) == src {
					select {
					case <-tokens:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				return osFS{}.Open(name)
			}
			a := testAction(fsys)
			a.syncEach = tc.syncEach
			_, err := a.Run(ctx, &actions.Env{Journal: j}, p)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted run: err = %v, want it cancelled", err)
			}
			for name := range dirFiles(t, dst) {
				if isPartial(name) {
					t.Errorf("the interrupted run left the partial copy %s", name)
				}
			}
			first := fsys.renamed()
			if len(first) < tc.k || len(first) == tc.files {
				t.Fatalf("the interrupted run copied %d file(s), want at least %d and not all", len(first), tc.k)
			}

			j.CancelAfter = 0
			fsys.open = nil
			out, err := a.Run(context.Background(), &actions.Env{Journal: j}, p)
			if err != nil {
				t.Fatal(err)
			}
			for name, n := range fsys.renamed() {
				if n != 1 {
					t.Errorf("%s was copied %d times", name, n)
				}
			}
			if len(fsys.renamed()) != tc.files {
				t.Errorf("%d files copied over both runs, want %d", len(fsys.renamed()), tc.files)
			}
			for _, name := range out["copied"].([]any) {
				if first[name.(string)] > 0 {
					t.Errorf("the resumed run copied %s again", name)
				}
			}
			if out["files_copied"] != int64(tc.files) || out["bytes_copied"] != total || out["files_skipped"] != int64(0) {
				t.Errorf("outputs %v, want %d files and %d bytes copied over both runs, none skipped", out, tc.files, total)
			}
			pr, err := testAction(fsys).Probe(context.Background(), &actions.Env{Journal: j}, p)
			if err != nil || pr.State != actions.ProbeDone || pr.Outputs["files_copied"] != int64(tc.files) {
				t.Errorf("probe after the resumed run = %+v, %v; want done with the step's outputs", pr, err)
			}
		})
	}
}

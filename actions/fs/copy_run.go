package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/failover-dev/failover/actions"
)

// copyCheckpoint is what fs.copy journals after each file (or group of
// files finished together): the step's totals so far. Resume needs no
// list of files: a copied file is at the destination with the source's
// size and time, so a resumed copy skips it by itself; the totals make
// the outputs of a resumed step count the files of every attempt.
type copyCheckpoint struct {
	Copied int64  `json:"copied"`
	Bytes  int64  `json:"bytes"`
	Last   string `json:"last,omitempty"`
}

// copyRun is the state of one attempt's copying.
type copyRun struct {
	base    copyCheckpoint // from the step's last checkpoint
	copied  []string
	bytes   int64
	skipped []skipNote
	// changing are files that kept changing (allow_changing not set).
	changing []skipNote
	// pending are files renamed into place whose names a crash could
	// still take back: the next sync makes them durable, and only then a
	// checkpoint counts them. Every other file of copied is durable.
	pending []string
}

// copyAll copies the planned files with c.p.Parallel workers. Finished
// files are committed in groups (commit), and the files renamed last are
// made durable and checkpointed at the end, on every path (flush), so a
// resumed step continues at the next file. The first error stops the
// other workers.
func (c *copier) copyAll(parent context.Context, plan copyPlan, run *copyRun) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	jobs := make(chan fileDecision)
	// Buffered so that workers never wait for a commit: files finished
	// meanwhile join the next group.
	results := make(chan fileResult, len(plan.toCopy))
	var wg sync.WaitGroup
	for range min(int(c.p.Parallel), len(plan.toCopy)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range jobs {
				results <- c.copyFile(ctx, d)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, d := range plan.toCopy {
			select {
			case jobs <- d:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var first error
	finished := 0
	for r := range results {
		batch := drain(r, results)
		finished += len(batch)
		if err := c.commit(ctx, batch, run); err != nil && first == nil {
			first = err
			cancel()
		}
	}
	if err := c.flush(run); err != nil && first == nil {
		first = err
	}
	if first == nil && finished < len(plan.toCopy) {
		// Cancelled between files: no file failed, but not all were
		// copied; never a success.
		first = fmt.Errorf("copy stopped after %d of %d file(s): %w", finished, len(plan.toCopy), context.Cause(parent))
	}
	return first
}

// drain returns r and every further result ready now: the files that
// finished together share one directory sync and one checkpoint.
func drain(r fileResult, results <-chan fileResult) []fileResult {
	batch := []fileResult{r}
	for {
		select {
		case r, ok := <-results:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
}

// outputs are the step's outputs: totals of every attempt of the step
// (from the checkpoint), the lists of this attempt.
func (run *copyRun) outputs(plan copyPlan) map[string]any {
	copied := run.base.Copied + int64(len(run.copied))
	// Files an earlier attempt copied look up to date now: they count as
	// copied, not as skipped.
	upToDate := max(0, int64(len(plan.upToDate))-run.base.Copied)
	skipped := append(append([]skipNote(nil), plan.skipped...), run.skipped...)
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].rel < skipped[j].rel })
	list := make([]string, 0, len(skipped))
	for _, s := range skipped {
		list = append(list, s.rel+": "+s.why)
	}
	list = append(list, upToDateNote(plan.upToDate, upToDate)...)
	names := append([]string(nil), run.copied...)
	sort.Strings(names)
	return map[string]any{
		"files_copied":       copied,
		"bytes_copied":       run.base.Bytes + run.bytes,
		"files_skipped":      upToDate + int64(len(skipped)),
		"copied":             actions.CapList(names),
		"skipped":            actions.CapList(list),
		"source_unreachable": false,
		"warning":            warningOf(skipped),
	}
}

// upToDateNote lists the files the destination already had, as
// "name: already at the destination".
func upToDateNote(names []string, n int64) []string {
	if n == 0 {
		return nil
	}
	out := make([]string, 0, min(len(names), actions.MaxListed))
	for _, name := range names[:min(len(names), actions.MaxListed)] {
		out = append(out, name+": already at the destination")
	}
	return out
}

// warningOf says which files were not copied for a reason that may
// lose data ("" when none).
func warningOf(skipped []skipNote) string {
	if len(skipped) == 0 {
		return ""
	}
	names := make([]string, 0, len(skipped))
	for _, s := range skipped {
		names = append(names, s.rel)
	}
	return fmt.Sprintf("%d source file(s) not copied: %s (see skipped)", len(skipped), joinCapped(names, 10))
}

func joinCapped(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// changingFilesError returns the error of an attempt that left files out
// because they kept changing: the rest is copied and checkpointed, and a
// retry copies only those files.
func changingFilesError(run *copyRun, to string) error {
	if len(run.changing) == 0 {
		return nil
	}
	names := make([]string, len(run.changing))
	for i, s := range run.changing {
		names[i] = s.rel
	}
	err := fmt.Errorf("%d file(s) %s: %s; the other files were copied to %s; run the step again once the writer "+
		"(the primary's backup job) has finished, or set allow_changing: true to skip such files",
		len(names), run.changing[0].why, joinCapped(names, 10), to)
	return actions.MarkRetryable(err)
}

// classify marks a copy error for the engine: a full disk, a denied
// permission and an escaping link need a person; the rest may pass on
// another attempt.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return err
	case isDiskFull(err), errors.Is(err, errEscapes), errors.Is(err, iofs.ErrPermission):
		return actions.MarkPermanent(err)
	}
	return actions.MarkRetryable(err)
}

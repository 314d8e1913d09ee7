package fs

import (
	"context"
	"fmt"
)

// commit records a group of finished files: it makes their copies
// durable, renames them into place and journals a checkpoint for the
// files whose names are durable. It returns the group's first error;
// every temporary file of the group is renamed or removed.
//
// Synced one by one (c.syncEach: Windows, and other systems without
// syncfs), a group's copies are renamed, their directories synced, and
// the group checkpointed. Synced as a group (Linux), one syncfs makes
// this group's copies durable and, with them, the renames of the group
// before: that group is checkpointed then, and this group's renames wait
// for the next sync. One journal commit per group instead of two, and
// never a renamed file whose data a crash could lose.
//
// Once ctx ends (an error elsewhere, Ctrl-C, the step's timeout) nothing
// more is renamed: the copies in hand are removed, and a later run copies
// those files again.
func (c *copier) commit(ctx context.Context, batch []fileResult, run *copyRun) error {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	if !c.syncEach && (len(run.pending) > 0 || c.needsSync(batch)) {
		if err := c.fs.SyncFS(c.to); err != nil {
			keep(c.writeError("sync the copies in "+c.to, err))
		} else if err := c.checkpoint(run); err != nil {
			keep(err)
		}
	}
	if err := ctx.Err(); err != nil {
		keep(fmt.Errorf("copy stopped: %w", context.Cause(ctx)))
	}
	dirs := map[string]bool{}
	for _, r := range batch {
		c.settle(r, run, first, dirs, keep)
		c.prog.fileDone(r.rel)
	}
	if !c.syncEach || len(run.pending) == 0 {
		return first
	}
	for d := range dirs {
		// Synced before the checkpoint: a checkpoint must never count a
		// file whose name a crash could still take back.
		if err := c.fs.SyncDir(d); err != nil {
			return fmt.Errorf("sync directory %s: %w", d, err)
		}
	}
	if err := c.checkpoint(run); err != nil {
		return err
	}
	return first
}

// settle records one finished file: an error, a skip, or a copy renamed
// into place (removed instead once the group has failed).
func (c *copier) settle(r fileResult, run *copyRun, failed error, dirs map[string]bool, keep func(error)) {
	switch {
	case r.err != nil:
		keep(r.err)
	case r.changing:
		run.changing = append(run.changing, skipNote{rel: r.rel, why: r.skip})
	case r.skip != "":
		run.skipped = append(run.skipped, skipNote{rel: r.rel, why: r.skip})
		c.env.Log.Warn().Str("file", r.rel).Str("reason", r.skip).Msg("not copied")
	case failed != nil:
		c.fs.Remove(r.tmp)
	default:
		if err := c.fs.Rename(r.tmp, r.dst); err != nil {
			c.fs.Remove(r.tmp)
			keep(fmt.Errorf("rename %s to %s (is the file open in another program, such as a restore?): %w", r.tmp, r.dst, err))
			return
		}
		dirs[r.dir] = true
		run.copied = append(run.copied, r.rel)
		run.bytes += r.bytes
		run.pending = append(run.pending, r.rel)
	}
}

// needsSync reports whether a group holds copies not synced yet (small
// ones, in group mode).
func (c *copier) needsSync(batch []fileResult) bool {
	for _, r := range batch {
		if r.tmp != "" && r.bytes < groupSyncMax {
			return true
		}
	}
	return false
}

// flush makes the last renames durable and checkpoints them, at the end
// of the copy on every path.
func (c *copier) flush(run *copyRun) error {
	if len(run.pending) == 0 {
		return nil
	}
	var err error
	if c.syncEach {
		for _, d := range c.pendingDirs(run) {
			if err = c.fs.SyncDir(d); err != nil {
				return fmt.Errorf("sync directory %s: %w", d, err)
			}
		}
	} else if err = c.fs.SyncFS(c.to); err != nil {
		return c.writeError("sync the copies in "+c.to, err)
	}
	return c.checkpoint(run)
}

// pendingDirs are the destination directories of the pending files.
func (c *copier) pendingDirs(run *copyRun) []string {
	seen := map[string]bool{}
	var out []string
	for _, rel := range run.pending {
		d := c.dirOf(rel)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// checkpoint journals the pending files, now durable, with the totals:
// once they are durable, every file this attempt copied is.
func (c *copier) checkpoint(run *copyRun) error {
	if len(run.pending) == 0 {
		return nil
	}
	cp := copyCheckpoint{Copied: run.base.Copied + int64(len(run.copied)), Bytes: run.base.Bytes + run.bytes,
		Last: run.pending[len(run.pending)-1]}
	run.pending = nil
	if err := c.env.Checkpoint(cp); err != nil {
		return fmt.Errorf("journal the files copied: %w", err)
	}
	return nil
}

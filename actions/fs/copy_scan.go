package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/failover-dev/failover/actions"
)

// copier is one call of fs.copy: its params with the paths made
// absolute, and what the action gives it.
type copier struct {
	fs    copyFS
	env   *actions.Env
	p     *CopyParams
	match matcher
	fold  bool
	// from and to are absolute; fromReal and toReal are resolved (links
	// followed), with slashes, for the nesting and escape checks.
	from, to         string
	fromReal, toReal string
	attempts         int
	changeWait       time.Duration
	sleep            func(context.Context, time.Duration) error
	prog             *copyProgress
	// syncEach syncs each copy by itself; otherwise a commit syncs its
	// whole group with one SyncFS.
	syncEach bool
	// alive is called after each directory listed (the source answers).
	alive func()
}

func (a copyAction) newCopier(env *actions.Env, p *CopyParams) (*copier, error) {
	from, err := filepath.Abs(p.From)
	if err != nil {
		return nil, fmt.Errorf("make %s absolute: %w", p.From, err)
	}
	to, err := filepath.Abs(p.To)
	if err != nil {
		return nil, fmt.Errorf("make %s absolute: %w", p.To, err)
	}
	if env == nil {
		env = &actions.Env{}
	}
	return &copier{fs: a.fs, env: env, p: p, match: newMatcher(p.Include, p.Exclude, a.fold), fold: a.fold,
		from: from, to: to, attempts: max(1, a.attempts), changeWait: a.changeWait, sleep: a.sleep,
		prog: newCopyProgress(env, 0, 0), alive: func() {}, syncEach: !a.fs.CanSyncFS() || a.syncEach}, nil
}

// unreachableError says the source could not be listed: missing, a share
// that does not answer, a network error. A failure after the source was
// listed is a failed copy, not this.
type unreachableError struct {
	from string
	err  error
	// missing: the path does not exist (a typo in the plan, or a share
	// that is gone); another attempt will not help.
	missing bool
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("source %s is unreachable: %v", e.from, e.err)
}
func (e *unreachableError) Unwrap() error { return e.err }

// scan lists the source (bounded by source_timeout without an answer)
// and compares it with the destination.
func (c *copier) scan(ctx context.Context) (copyPlan, error) {
	files, notes, err := c.listWithTimeout(ctx)
	if err != nil {
		return copyPlan{}, err
	}
	plan, err := c.decide(files)
	if err != nil {
		return copyPlan{}, err
	}
	plan.skipped = notes
	plan.partials = c.findPartials(files)
	return plan, nil
}

// listing is what a listing goroutine found.
type listing struct {
	files []srcEntry
	notes []skipNote
	err   error
}

// listWithTimeout lists the source in a goroutine and gives up when it
// goes source_timeout without listing a directory: a hung share blocks
// in the operating system, where no context reaches. The goroutine then
// ends whenever the share answers, with nobody waiting.
func (c *copier) listWithTimeout(ctx context.Context) ([]srcEntry, []skipNote, error) {
	done := make(chan listing, 1)
	aliveCh := make(chan struct{}, 1)
	c.alive = func() {
		select {
		case aliveCh <- struct{}{}:
		default:
		}
	}
	go func() {
		if err := c.checkSource(); err != nil {
			done <- listing{err: err}
			return
		}
		files, notes, err := c.listSource()
		done <- listing{files, notes, err}
	}()
	timer := time.NewTimer(c.p.SourceTimeout)
	defer timer.Stop()
	for {
		select {
		case l := <-done:
			return l.files, l.notes, l.err
		case <-aliveCh:
			timer.Reset(c.p.SourceTimeout)
		case <-timer.C:
			return nil, nil, &unreachableError{from: c.p.From, err: fmt.Errorf("no answer within %s", c.p.SourceTimeout)}
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// checkSource checks that from is a reachable directory, resolves it and
// refuses nested directories.
func (c *copier) checkSource() error {
	fi, err := c.fs.Stat(c.from)
	switch {
	case errors.Is(err, iofs.ErrPermission):
		return fmt.Errorf("read source %s: permission denied: the account running failover needs read access: %w", c.p.From, err)
	case errors.Is(err, iofs.ErrNotExist):
		return &unreachableError{from: c.p.From, err: errors.New("it does not exist"), missing: true}
	case err != nil:
		return &unreachableError{from: c.p.From, err: err}
	case !fi.IsDir():
		return fmt.Errorf("source %s is a file, not a directory", c.p.From)
	}
	c.alive()
	if c.fromReal, err = resolveDir(c.fs, c.from); err != nil {
		return err
	}
	if c.toReal, err = resolveDir(c.fs, c.to); err != nil {
		return err
	}
	if err := checkNesting(c.foldKey(c.fromReal), c.foldKey(c.toReal), c.p.From, c.p.To); err != nil {
		return fmt.Errorf("%w (after following links: %s and %s)", err, c.fromReal, c.toReal)
	}
	return nil
}

// recheckSource tells, after a failed copy, whether the source has gone
// away meanwhile (the datacenter went dark during the copy).
func (c *copier) recheckSource(ctx context.Context) *unreachableError {
	done := make(chan error, 1)
	go func() { _, err := c.fs.Stat(c.from); done <- err }()
	t := time.NewTimer(c.p.SourceTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, iofs.ErrPermission) {
			return &unreachableError{from: c.p.From, err: err}
		}
		return nil
	case <-t.C:
		return &unreachableError{from: c.p.From, err: fmt.Errorf("no answer within %s", c.p.SourceTimeout)}
	case <-ctx.Done():
		return nil
	}
}

// prepare creates the destination directories, checks that none leads
// outside to through a link, and removes the partial files an
// interrupted copy of the same files left.
func (c *copier) prepare(plan copyPlan) error {
	seen := map[string]bool{}
	for _, d := range plan.toCopy {
		dir := filepath.Dir(d.dst)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		if err := c.fs.MkdirAll(dir, 0o755); err != nil {
			return c.writeError("create directory "+dir, err)
		}
		real, err := resolveDir(c.fs, dir)
		if err != nil {
			return err
		}
		if !within(c.foldKey(real), c.foldKey(c.toReal)) {
			return fmt.Errorf("destination directory %s leads to %s, outside to (%s), through a link: %w", dir, real, c.to, errEscapes)
		}
	}
	for _, p := range plan.partials {
		if err := c.fs.Remove(p); err != nil && !errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("remove the partial copy %s of an interrupted run: %w", p, err)
		}
		c.env.Log.Info().Str("file", p).Msg("removed the partial copy of an interrupted run")
	}
	return nil
}

// sourceMissing handles a source that could not be listed: an error, or
// with allow_missing_source a success that says what the destination
// holds and warns that anything not in it is lost.
func (c *copier) sourceMissing(ue *unreachableError) (map[string]any, error) {
	if !c.p.AllowMissingSource {
		err := fmt.Errorf("%w; if it is in the failed datacenter, set allow_missing_source: true to go on with the files %s already holds", ue, c.p.To)
		if ue.missing {
			return nil, actions.MarkPermanent(err)
		}
		return nil, actions.MarkRetryable(err)
	}
	held := c.destinationHolds()
	warning := fmt.Sprintf("%s; nothing was copied; %s; log backups that never reached %s are lost", ue, held, c.p.To)
	c.env.Log.Warn().Str("source", c.p.From).Str("destination", c.p.To).Msg(warning)
	run := &copyRun{}
	_, _ = c.env.LastCheckpoint(&run.base)
	out := run.outputs(copyPlan{})
	out["source_unreachable"], out["warning"] = true, warning
	return out, nil
}

// sourceLost ends a copy whose source went away during it, with
// allow_missing_source: what was copied stays, with a warning.
func (c *copier) sourceLost(plan copyPlan, run *copyRun, ue *unreachableError) map[string]any {
	out := run.outputs(plan)
	warning := fmt.Sprintf("%s during the copy, after %d of %d file(s); %s; log backups that never reached %s are lost",
		ue, len(run.copied), len(plan.toCopy), c.destinationHolds(), c.p.To)
	c.env.Log.Warn().Str("source", c.p.From).Msg(warning)
	out["source_unreachable"], out["warning"] = true, warning
	return out
}

// destinationHolds says which files matching the patterns the
// destination holds, naming the newest by modification time.
func (c *copier) destinationHolds() string {
	files, err := c.listTree(c.to)
	switch {
	case err != nil:
		return fmt.Sprintf("the destination %s cannot be listed either: %v", c.p.To, err)
	case len(files) == 0:
		return fmt.Sprintf("the destination %s holds no matching file", c.p.To)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].mtime.Before(files[j].mtime) })
	newest := files[len(files)-1]
	for _, f := range files {
		c.env.Log.Info().Str("file", f.rel).Int64("size", f.size).Time("modified", f.mtime).Msg("held by the destination")
	}
	return fmt.Sprintf("the destination %s holds %d matching file(s), the newest %s (modified %s)",
		c.p.To, len(files), newest.rel, newest.mtime.UTC().Format(time.RFC3339))
}

// listTree lists the regular files under root that the patterns take
// (no links followed), for the destination report.
func (c *copier) listTree(root string) ([]srcEntry, error) {
	var out []srcEntry
	deep := recursive(c.p.Include)
	var walk func(dir, rel string) error
	walk = func(dir, rel string) error {
		entries, err := c.fs.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			r := path.Join(rel, e.Name())
			switch {
			case e.IsDir() && deep:
				if err := walk(filepath.Join(dir, e.Name()), r); err != nil {
					return err
				}
			case e.Type().IsRegular() && !isPartial(e.Name()) && c.match.match(r):
				if fi, err := e.Info(); err == nil {
					out = append(out, srcEntry{rel: r, path: filepath.Join(dir, e.Name()), size: fi.Size(), mtime: fi.ModTime()})
				}
			}
		}
		return nil
	}
	return out, walk(root, "")
}

package fs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/actions"
)

// CopyParams are the parameters of fs.copy.
type CopyParams struct {
	From               string        `param:"from,required" doc:"Directory to copy from: a local path, a Windows path such as D:\\LogShip\\mgc, or a UNC share such as \\\\dc1-fs01\\logship\\mgc; may come from a step output (${steps.ID.outputs.KEY})."`
	To                 string        `param:"to,required" doc:"Directory to copy into (created if missing); may come from a step output. Must not be inside from, nor from inside it."`
	Include            []string      `param:"include" doc:"Globs of the files to copy, relative to from, with / between directories (*, **, ?, [a-z], {a,b}); case-insensitive on Windows. A pattern without / takes files directly in from. Omitted: every file at any depth."`
	Exclude            []string      `param:"exclude" doc:"Globs of files not to copy, as include."`
	Verify             string        `param:"verify,enum=none|sha256" default:"none" doc:"sha256: re-read each copy after it is synced and compare its SHA-256 with the source's, as read during the copy."`
	Parallel           int           `param:"parallel" default:"4" doc:"Files copied at the same time (1 to 64)."`
	AllowMissingSource bool          `param:"allow_missing_source" doc:"A missing or unreachable from (the share may be in the failed datacenter) is not an error: the step logs what the destination already holds and succeeds with source_unreachable and a data-loss warning."`
	AllowChanging      bool          `param:"allow_changing" doc:"A source file that keeps changing while it is copied (still being written) is skipped with a warning instead of failing the step after the other files are copied."`
	SourceTimeout      time.Duration `param:"source_timeout" default:"30s" doc:"How long listing the source may go without an answer before the source counts as unreachable (a hung share)."`
}

// copyAction is fs.copy. Its fields are what tests replace: the file
// system, how many copies a changing file gets and how long to wait
// between them.
type copyAction struct {
	fs   copyFS
	fold bool
	// attempts is how many times a file that changes while it is copied
	// is copied before it counts as still being written.
	attempts   int
	changeWait time.Duration
	sleep      func(ctx context.Context, d time.Duration) error
	// syncEach syncs every copy by itself even where one sync of the
	// file system per group would do (tests of that path).
	syncEach bool
}

func newCopyAction() copyAction {
	return copyAction{fs: osFS{}, fold: foldNames(), attempts: 3, changeWait: 2 * time.Second, sleep: sleepCtx}
}

func copyType() *actions.Type {
	return actions.Define[CopyParams](actions.Type{
		Name: "fs.copy",
		Kind: actions.KindAction,
		Doc: "Copies the files of a directory that the destination lacks, or holds with another size or " +
			"modification time (runbook step 2: the backup share to the copy folder). Each file is written " +
			"to a temporary name beside its destination, synced, given the source's modification time and " +
			"renamed, so a half-copied file never looks complete; a source file that changes while it is " +
			"copied is copied again, never used torn. Files are copied by `parallel` workers, each finished " +
			"file checkpointed, so an interrupted copy resumes at the next file. A missing or unreachable " +
			"source fails the step unless `allow_missing_source` is set. Idempotent: a second run copies " +
			"nothing.",
		Outputs: []actions.Output{
			{Name: "files_copied", Doc: "Files copied (over every attempt of the step)."},
			{Name: "bytes_copied", Doc: "Bytes copied (over every attempt of the step)."},
			{Name: "files_skipped", Doc: "Source files not copied: already at the destination, or skipped with a reason."},
			{Name: "copied", Doc: "Names of the files this attempt copied (at most 100, then a count)."},
			{Name: "skipped", Doc: "\"name: reason\" of the files not copied (at most 100, then a count)."},
			{Name: "source_unreachable", Doc: "True when from was missing or unreachable and allow_missing_source let the step succeed."},
			{Name: "warning", Doc: "A data-loss warning: the source was unreachable, or files were skipped; \"\" when none."},
		},
		Idempotent: true,
	}, newCopyAction())
}

// Validate checks the paths and patterns.
func (copyAction) Validate(p *CopyParams) error { return validateCopy(p) }

// Preview says what a run would copy, and how.
func (copyAction) Preview(_ *actions.Env, p *CopyParams) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "copy from %s to %s", p.From, p.To)
	if len(p.Include) > 0 {
		fmt.Fprintf(&b, "\n  include: %s", strings.Join(p.Include, ", "))
	}
	if len(p.Exclude) > 0 {
		fmt.Fprintf(&b, "\n  exclude: %s", strings.Join(p.Exclude, ", "))
	}
	b.WriteString("\n  only files missing at the destination or differing in size or modification time;" +
		" each to a temporary name, synced, renamed; modification times kept")
	if p.Verify == "sha256" {
		b.WriteString("\n  each copy verified by SHA-256")
	}
	fmt.Fprintf(&b, "\n  %d at a time", p.Parallel)
	if p.AllowMissingSource {
		b.WriteString("\n  an unreachable source is a warning (allow_missing_source)")
	}
	return b.String(), nil
}

// Run copies once: everything the destination lacks.
func (a copyAction) Run(ctx context.Context, env *actions.Env, p *CopyParams) (map[string]any, error) {
	c, err := a.newCopier(env, p)
	if err != nil {
		return nil, actions.MarkPermanent(err)
	}
	plan, err := c.scan(ctx)
	var ue *unreachableError
	switch {
	case errors.As(err, &ue):
		return c.sourceMissing(ue)
	case err != nil:
		return nil, classify(err)
	}
	run := &copyRun{}
	if _, err := env.LastCheckpoint(&run.base); err != nil {
		return nil, err
	}
	if err := c.prepare(plan); err != nil {
		return nil, classify(err)
	}
	c.prog = newCopyProgress(env, len(plan.toCopy), plan.bytes)
	if err := c.copyAll(ctx, plan, run); err != nil {
		if ue := c.recheckSource(ctx); ue != nil && p.AllowMissingSource && ctx.Err() == nil {
			return c.sourceLost(plan, run, ue), nil
		}
		return nil, classify(err)
	}
	if err := changingFilesError(run, c.to); err != nil {
		return nil, err
	}
	out := run.outputs(plan)
	env.Log.Info().Int64("copied", out["files_copied"].(int64)).Int64("bytes", out["bytes_copied"].(int64)).
		Int64("skipped", out["files_skipped"].(int64)).Str("from", p.From).Str("to", p.To).Msg("copy done")
	return out, nil
}

// Probe says Done when the destination holds every source file as it is.
// A copy never leaves a half-done file under a real name, so NotDone is
// always safe to run.
func (a copyAction) Probe(ctx context.Context, env *actions.Env, p *CopyParams) (actions.Probe, error) {
	c, err := a.newCopier(env, p)
	if err != nil {
		return actions.Probe{}, err
	}
	plan, err := c.scan(ctx)
	var ue *unreachableError
	switch {
	case errors.As(err, &ue):
		return actions.Probe{State: actions.ProbeNotDone, Detail: ue.Error()}, nil
	case err != nil:
		return actions.Probe{State: actions.ProbeUnknown, Detail: err.Error()}, nil
	case len(plan.toCopy) > 0:
		return actions.Probe{State: actions.ProbeNotDone, Detail: fmt.Sprintf("%d file(s) (%s) to copy, the first %s: %s",
			len(plan.toCopy), sizeText(plan.bytes), plan.toCopy[0].rel, plan.toCopy[0].why)}, nil
	}
	run := &copyRun{}
	if _, err := env.LastCheckpoint(&run.base); err != nil {
		return actions.Probe{}, err
	}
	return actions.Probe{State: actions.ProbeDone, Outputs: run.outputs(plan),
		Detail: fmt.Sprintf("%s holds all %d file(s) of %s", p.To, len(plan.upToDate), p.From)}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sizeText writes a byte count for people: 1.5 GiB, 12 KiB, 100 bytes.
func sizeText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/failover-dev/failover/engine/journal"
)

// ResumeOptions are the operator's decisions for a resume.
type ResumeOptions struct {
	// RunID picks the run; "" takes the plan's latest unfinished run.
	RunID string
	// Retry lists in-doubt (or failed) steps to run again.
	Retry []string
	// MarkDone lists in-doubt (or failed) steps the operator checked and
	// found done; Note (required with MarkDone) says why.
	MarkDone []string
	Note     string
	// Force resumes although the plan changed since the run started.
	Force bool
}

// Resume continues a run: succeeded and satisfied steps never run again,
// in-doubt steps are re-run only when idempotent or skipped when their
// skip_if says done; otherwise the run waits for the operator (exit 3).
func Resume(ctx context.Context, cfg Config, opts ResumeOptions) (*Summary, error) {
	cfg = cfg.withDefaults()
	if err := checkResume(cfg, opts); err != nil {
		return nil, cannotRun(err)
	}
	ri, err := findRun(cfg, opts.RunID)
	if err != nil {
		return nil, err
	}
	path := ri.Path
	if errors.Is(ri.Err, fs.ErrNotExist) {
		return nil, cannotRun(fmt.Errorf("no run %s of plan %s in %s (`failover status` lists the runs)",
			ri.RunID, cfg.Plan.Name, cfg.State))
	}
	if ri.Err != nil {
		return nil, cannotRun(JournalHint(planArg(cfg.Plan), path, ri.Err))
	}
	r, err := newRun(withRetried(cfg, opts.Retry), ri.Header.RunID)
	if err != nil {
		return nil, err
	}
	defer r.c.targets.close(r.log)
	lk, err := acquireLock(cfg, r.id, true)
	if err != nil {
		return nil, err
	}
	defer lk.release(r.log)
	r.lock = lk
	r.warnTakeOver(lk)
	rs, err := r.openJournal(path)
	if err != nil {
		return nil, err
	}
	defer r.closeJournal()
	if err := r.startResume(rs, lk, opts); err != nil {
		return nil, err
	}
	prior, err := r.settleInDoubt(ctx, rs)
	if err != nil {
		return nil, err
	}
	r.log.Info().Str("journal", r.jw.Path()).Msg("run resumed")
	return r.schedule(ctx, prior)
}

// withRetried adds the steps the operator asked to run again (--retry) to
// a targeted run's --only: asked to run, they must not be left out.
func withRetried(cfg Config, retry []string) Config {
	if len(cfg.Only) == 0 && cfg.From == "" {
		return cfg
	}
	only := append([]string(nil), cfg.Only...)
	for _, id := range retry {
		// An unknown step is reported as a --retry error by decisions.
		if cfg.Plan.Step(id) != nil && !contains(only, id) {
			only = append(only, id)
		}
	}
	cfg.Only = only
	return cfg
}

func checkResume(cfg Config, opts ResumeOptions) error {
	if err := checkConfig(cfg); err != nil {
		return err
	}
	if len(opts.MarkDone) > 0 && strings.TrimSpace(opts.Note) == "" {
		return errors.New("--mark-done needs --note saying what you checked")
	}
	for _, id := range opts.Retry {
		if contains(opts.MarkDone, id) {
			return fmt.Errorf("--retry %s and --mark-done %s contradict each other: either it did not happen (run it again) or it did (record it as done)", id, id)
		}
	}
	return nil
}

// openJournal opens the run's journal for appending, now that the lock is
// ours; a torn tail is cut back (the original kept) with a warning. A
// journal holding fewer records than the run synced is refused first,
// and nothing is written to it.
func (r *run) openJournal(path string) (*RunState, error) {
	if err := r.checkSynced(path); err != nil {
		return nil, err
	}
	jw, rep, err := r.cfg.State.Open(path, r.lock.l)
	if err != nil {
		return nil, cannotRun(JournalHint(r.planArg(), path, err))
	}
	r.jw = jw
	r.lock.track(jw, r.log)
	if d := rep.Damage; d != nil && d.Repaired {
		r.log.Warn().Int64("offset", d.Offset).Str("reason", d.Reason).Str("copy", d.Copy).
			Msg("journal had a torn tail: cut back to the last good record, the original kept")
	}
	return Fold(rep), nil
}

// startResume checks the plan, journals the resume and the operator's
// decisions, and loads the journaled outputs.
func (r *run) startResume(rs *RunState, lk *runLock, opts ResumeOptions) error {
	// The takeover is journaled first and synced, so that it is on record
	// even when this resume refuses below (a changed plan, a bad flag).
	for _, rec := range r.takeOverRecords(lk) {
		if _, err := r.jw.AppendSync(rec); err != nil {
			return fmt.Errorf("journal lock takeover: %w", err)
		}
	}
	diff := diffPlan(rs.Header.StepHashes, r.plan)
	if rs.Header.PlanHash == "" && !opts.Force {
		return cannotRun(fmt.Errorf("the header of run %s was rebuilt by `journal repair` without the plan's hash: "+
			"whether plan %s changed since the run started cannot be told; if %s is the plan it ran, resume with --force (journaled)",
			r.id, r.plan.Name, r.planArg()))
	}
	if rs.Header.PlanHash != r.plan.Hash && !opts.Force {
		err := error(&PlanChangedError{Plan: r.plan.Name, RunID: r.id, Diff: diff})
		if headerRebuilt(rs) {
			err = fmt.Errorf("%w (its header was rebuilt by `journal repair` from a damaged one: the plan hash it kept "+
				"may be what the damage hit)", err)
		}
		return cannotRun(err)
	}
	recs := []journal.Record{{Type: RecRunResumed, User: r.cfg.User, Run: r.runStart()}}
	if rs.Header.PlanHash != r.plan.Hash {
		r.log.Warn().Str("changes", diff.String()).Msg("resuming a changed plan (--force)")
		recs = append(recs, journal.Record{Type: RecPlanChanged, User: r.cfg.User, Note: diff.String(),
			PlanChange: &journal.PlanChange{OldHash: rs.Header.PlanHash, NewHash: r.plan.Hash}})
	}
	for _, rec := range recs {
		if err := r.appendRec(rec); err != nil {
			return err
		}
		rs.apply(&rec)
	}
	// Leftovers first: no decision of the operator's is taken, nor any
	// step started, beside a program a dead run left running.
	if err := r.leftoversOrWait(rs, append(append([]string(nil), opts.Retry...), opts.MarkDone...)); err != nil {
		return err
	}
	recs, err := r.decisions(rs, opts)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if err := r.appendRec(rec); err != nil {
			return err
		}
		rs.apply(&rec)
	}
	// Synced: the operator's decisions are on disk before any step runs.
	if err := r.jw.Sync(); err != nil {
		return fmt.Errorf("journal resume: %w", err)
	}
	for id, st := range rs.Steps {
		if st.Outputs != nil {
			r.res.outputs.set(id, st.Outputs)
		}
		if ss := r.steps[id]; ss != nil && st.Checkpoint != nil {
			ss.cp.set(st.Checkpoint)
		}
	}
	return nil
}

// decisions turns --retry and --mark-done into records. Succeeded and
// satisfied steps never run again, so neither applies to them.
func (r *run) decisions(rs *RunState, opts ResumeOptions) ([]journal.Record, error) {
	var recs []journal.Record
	add := func(ids []string, typ, flag string) error {
		for _, id := range ids {
			if r.steps[id] == nil {
				return cannotRun(fmt.Errorf("%s %s: no such step in plan %s", flag, id, r.plan.Name))
			}
			st := rs.Steps[id]
			if st != nil && (st.State == StateSucceeded || st.State == StateSatisfied) {
				return cannotRun(fmt.Errorf("%s %s: the step already %s; it never runs again", flag, id, st.State))
			}
			if typ == RecMarkedDone && (st == nil || (st.State != StateInDoubt && st.State != StateFailed)) {
				// Marking a step that never ran done would skip it on a word.
				state := StatePending
				if st != nil {
					state = st.State
				}
				return cannotRun(fmt.Errorf("%s %s: the step is %s, not in doubt or failed: only a step that ran can "+
					"be marked done (a step already done by hand is what its skip_if is for)", flag, id, state))
			}
			recs = append(recs, journal.Record{Type: typ, Step: id, User: r.cfg.User, Note: opts.Note})
		}
		return nil
	}
	if err := add(opts.Retry, RecRetryRequested, "--retry"); err != nil {
		return nil, err
	}
	return recs, add(opts.MarkDone, RecMarkedDone, "--mark-done")
}

// findRun returns the run to resume, as read: the given run, or the
// plan's latest run if it is not finished (read once, by the listing).
func findRun(cfg Config, runID string) (journal.RunInfo, error) {
	if runID != "" {
		if !journal.ValidRunID(runID) {
			return journal.RunInfo{}, cannotRun(fmt.Errorf("%q is not a run id (want e.g. 20261126T031500Z-3f9a)", runID))
		}
		path := cfg.State.JournalName(cfg.Plan.Name, runID)
		rep, err := cfg.State.Read(path)
		return journal.Describe(cfg.Plan.Name, runID, path, rep, err), nil
	}
	runs, err := cfg.State.List(cfg.Plan.Name)
	if err != nil {
		return journal.RunInfo{}, fmt.Errorf("list runs of %s: %w", cfg.Plan.Name, err)
	}
	if len(runs) == 0 {
		return journal.RunInfo{}, cannotRun(fmt.Errorf("no run of plan %s in %s to resume; start one with `failover apply %s`",
			cfg.Plan.Name, cfg.State, planArg(cfg.Plan)))
	}
	last := LatestRun(runs)
	if tornAtCreate(cfg.State, last, nil) {
		return journal.RunInfo{}, cannotRun(fmt.Errorf("no run of plan %s to resume: run %s died while creating its journal, "+
			"before any step ran; start again with `failover apply %s`", cfg.Plan.Name, last.RunID, planArg(cfg.Plan)))
	}
	if last.Err == nil && Complete(last.Last) {
		return journal.RunInfo{}, cannotRun(fmt.Errorf("the latest run %s of plan %s has finished; nothing to resume "+
			"(start a new one with `failover apply %s`)", last.RunID, cfg.Plan.Name, planArg(cfg.Plan)))
	}
	return last, nil
}

// headerRebuilt reports whether a repair rebuilt the run's header.
func headerRebuilt(rs *RunState) bool {
	for _, rp := range rs.Repairs {
		if rp.Header != "" {
			return true
		}
	}
	return false
}

// checkSynced refuses the journal at path when it holds fewer records
// than the run synced, as its sync mark and its lock (ours now, carrying
// what a dead holder saw) say. The journal is read again here, under the
// lock: no one appends to it now. Refused, the lock's number is kept in
// the sync mark: the lock goes when this resume ends, the refusal must
// not go with it.
func (r *run) checkSynced(path string) error {
	info := r.lock.l.Info()
	s := syncedOf(r.cfg.State, journal.RunInfo{Plan: r.plan.Name, RunID: r.id, Path: path}, &info)
	rep, err := r.cfg.State.Read(path)
	if rep == nil {
		return cannotRun(JournalHint(r.planArg(), path, err))
	}
	err = cutShort(r.planArg(), r.id, len(rep.Records), s)
	if err == nil {
		return nil
	}
	if s.Mark < s.Seq() {
		if merr := r.cfg.State.WriteMark(path, s.Seq()); merr != nil {
			r.log.Warn().Err(merr).Msg("cannot keep the lock's sequence number in the journal's sync mark")
		}
	}
	return cannotRun(err)
}

// JournalHint explains a journal that resume cannot continue (err, from
// reading it), naming the commands with the run and the plan (a file or
// a name) they apply to: dump it, repair it, or set the run aside with a
// new one. Other errors are returned as they are.
func JournalHint(plan, path string, err error) error {
	run := strings.TrimSuffix(filepath.Base(path), journal.Extension)
	var he *journal.HeaderError
	if errors.As(err, &he) {
		return fmt.Errorf("%w: the header, which says what plan and run the records are of, cannot be read. "+
			"`failover journal dump %s` shows what can; then either `failover journal repair %s --force` rebuilds the "+
			"header from the records and the file's name and keeps every whole record (a copy of the file is kept), or "+
			"`failover apply %s --new-run` sets the run aside and starts afresh", err, run, run, plan)
	}
	var ce *journal.CorruptError
	if errors.As(err, &ce) {
		return fmt.Errorf("%w; or `failover apply %s --new-run` sets the run aside and starts afresh", readHint(path, err), plan)
	}
	return err
}

// readHint explains a journal that cannot be read, naming the commands
// with the run they apply to.
func readHint(path string, err error) error {
	var ce *journal.CorruptError
	if errors.As(err, &ce) {
		run := strings.TrimSuffix(filepath.Base(path), journal.Extension)
		return fmt.Errorf("%w: inspect it with `failover journal dump %s`, then `failover journal repair %s --force` "+
			"drops everything from the bad record on (a copy of the file is kept)", err, run, run)
	}
	return err
}

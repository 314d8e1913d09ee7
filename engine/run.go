package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/plans"
)

// run is one execution of a plan (an apply or a resume).
type run struct {
	cfg  Config
	plan *plans.Plan
	id   string
	res  *resolver
	red  *redactor
	jw   store.Journal
	log  zerolog.Logger
	// approver is handed to every action through actions.Env.
	approver actions.Approver
	// dependents maps a step id to the ids that need it, in file order.
	dependents map[string][]string
	steps      map[string]*stepState
	started    time.Time
	// lock is the plan's lock; a step starts only while it is held.
	lock *runLock
	// c prepares and makes every ability call of the run; its targets
	// are opened once and closed when the run ends.
	c *caller
	// emitMu serialises state-change lines and Observer calls: workers
	// report "running" while the scheduler reports outcomes.
	emitMu sync.Mutex
	// progressMu serialises progress events (steps report in parallel).
	progressMu sync.Mutex
}

// stepState is the scheduler's view of one step.
type stepState struct {
	step  *plans.Step
	typ   *actions.Type
	index int
	// Fields below belong to the scheduler goroutine; a worker reads
	// attempts only while it runs the step (handed over by channel).
	state    State
	attempts int
	waitFor  int  // dependencies still to finish
	blocked  bool // an upstream step failed
	selected bool
	result   StepResult
	// cp is the action's last checkpoint (from the journal on resume).
	cp checkpoints
}

// Run applies a plan: it resolves secrets, takes the plan's lock, refuses
// when an unfinished run of the plan exists, runs the preflight checks,
// creates the journal and runs every step. The error maps to an exit code
// through ExitCode.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	return startRun(ctx, cfg, nil)
}

// startRun starts a new run of a plan; aside, when not nil, names the
// unfinished run the operator confirmed to set aside for it.
func startRun(ctx context.Context, cfg Config, aside *SetAside) (*Summary, error) {
	cfg = cfg.withDefaults()
	if err := checkConfig(cfg); err != nil {
		return nil, cannotRun(err)
	}
	now := cfg.Clock.Now()
	r, err := newRun(cfg, journal.NewRunID(now))
	if err != nil {
		return nil, err
	}
	defer r.c.targets.close(r.log)
	lk, err := r.applyLock(aside)
	if err != nil {
		return nil, err
	}
	defer lk.release(r.log)
	r.lock = lk
	old, err := refuseUnfinished(cfg, aside)
	if err != nil {
		return nil, err
	}
	if err := r.preflight(ctx); err != nil {
		return nil, err
	}
	h := journal.Header{PlanName: cfg.Plan.Name, PlanHash: cfg.Plan.Hash, RunID: r.id, User: cfg.User,
		Host: cfg.Host, PlanFile: cfg.Plan.File, StepHashes: stepHashes(cfg.Plan), Started: now.UTC()}
	jw, err := cfg.State.Create(h, lk.l)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	r.jw = jw
	defer r.closeJournal()
	lk.track(jw, r.log)
	recs := append([]journal.Record{{Type: RecRunStarted, User: cfg.User, Run: r.runStart()}}, r.takeOverRecords(lk)...)
	var keptAs string
	if old != nil {
		keptAs = cfg.State.AsideName(old.Path, setAsideSuffix)
		recs = append(recs, r.setAsideRecord(*old, aside, keptAs))
	}
	for _, rec := range recs {
		if err := r.appendRec(rec); err != nil {
			return nil, err
		}
	}
	if err := jw.Sync(); err != nil {
		return nil, fmt.Errorf("journal run start: %w", err)
	}
	if old != nil {
		// Moved once this run's record of it is durable: the old
		// journal is never out of the way without a word.
		r.moveAside(*old, keptAs)
	}
	r.log.Info().Str("journal", jw.Path()).Int("steps", len(cfg.Plan.Steps)).Msg("run started")
	return r.schedule(ctx, nil)
}

// newRun resolves what a run needs before anything runs: the step types,
// the selection, secrets and environment variables.
func newRun(cfg Config, runID string) (*run, error) {
	r := &run{cfg: cfg, plan: cfg.Plan, id: runID, steps: map[string]*stepState{},
		dependents: map[string][]string{}, started: cfg.Clock.Now()}
	r.log = cfg.Log.With().Str("run", runID).Logger()
	r.approver = approver{r: r}
	for i, s := range cfg.Plan.Steps {
		typ := cfg.Registry.Type(s.Action)
		if typ == nil || typ.Kind != actions.KindAction {
			return nil, cannotRun(fmt.Errorf("step %s: unknown action %q", s.ID, s.Action))
		}
		r.steps[s.ID] = &stepState{step: s, typ: typ, index: i, state: StatePending}
		for _, d := range s.Deps {
			r.dependents[d] = append(r.dependents[d], s.ID)
		}
	}
	if err := r.selectSteps(); err != nil {
		return nil, cannotRun(err)
	}
	for _, id := range cfg.Approve {
		if r.steps[id] == nil {
			return nil, cannotRun(fmt.Errorf("--approve %s: no such step in plan %s", id, cfg.Plan.Name))
		}
	}
	res, err := newResolver(cfg, runID)
	if err != nil {
		return nil, cannotRun(fmt.Errorf("cannot resolve the plan's secrets and environment variables: %w", err))
	}
	r.res, r.red = res, newRedactor(res.secrets)
	for _, name := range shortSecrets(res.secrets) {
		r.log.Warn().Str("secret", name).Int("min_length", shortSecret).
			Msg("secret is shorter than 4 characters: it is masked only where it stands alone as a word")
	}
	r.c = &caller{reg: cfg.Registry, plan: cfg.Plan, mode: actions.ModeRun, red: r.red, log: r.log, runID: runID,
		version: cfg.Version, now: cfg.Clock.Now, approver: r.approver}
	r.c.targets = newTargetSet(r.c, r.res, true)
	return r, nil
}

func checkConfig(cfg Config) error {
	switch {
	case cfg.Plan == nil:
		return errors.New("no plan given")
	case cfg.Registry == nil:
		return errors.New("no action registry given")
	}
	return nil
}

// selectSteps applies --only and --from; without them every step is selected.
func (r *run) selectSteps() error {
	all := len(r.cfg.Only) == 0 && r.cfg.From == ""
	for _, id := range r.cfg.Only {
		st := r.steps[id]
		if st == nil {
			return fmt.Errorf("--only %s: no such step in plan %s", id, r.plan.Name)
		}
		st.selected = true
	}
	if r.cfg.From != "" {
		if r.steps[r.cfg.From] == nil {
			return fmt.Errorf("--from %s: no such step in plan %s", r.cfg.From, r.plan.Name)
		}
		r.markDescendants(r.cfg.From)
	}
	for _, st := range r.steps {
		st.selected = st.selected || all
	}
	return nil
}

func (r *run) markDescendants(id string) {
	st := r.steps[id]
	if st.selected {
		return
	}
	st.selected = true
	for _, d := range r.dependents[id] {
		r.markDescendants(d)
	}
}

// runStart is what a run-started or run-resumed record says: the settings
// a reader of the journal needs, and the step order (status shows steps in
// it).
func (r *run) runStart() *journal.RunStart {
	rs := &journal.RunStart{Parallelism: r.cfg.Parallelism, Only: r.cfg.Only, From: r.cfg.From,
		Host: r.cfg.Host, PID: os.Getpid(), Version: r.cfg.Version}
	for _, s := range r.plan.Steps {
		rs.Steps = append(rs.Steps, journal.StepRef{ID: s.ID, Action: s.Action})
	}
	return rs
}

func (r *run) closeJournal() {
	if err := r.jw.Close(); err != nil {
		r.log.Error().Err(err).Msg("close journal")
	}
	if err := r.jw.MarkErr(); err != nil {
		r.log.Warn().Err(err).Msg("the journal's sync mark could not be kept up to date: " +
			"a journal cut short may not be told from a stopped run")
	}
}

func stepHashes(p *plans.Plan) map[string]string {
	m := make(map[string]string, len(p.Steps))
	for _, s := range p.Steps {
		m[s.ID] = s.Hash
	}
	return m
}

// applyLock takes the plan's lock for a new run. A lock left by a dead
// process on this host is taken over only when that process left no
// unfinished run (it died before its journal existed, and nothing else
// would ever clear the lock). If it left one, the lock is left as it is
// and the operator is sent to resume, which takes it over with a warning
// and a record in that run's journal: taken over here, the takeover would
// be journaled nowhere. The lock of a run the operator sets aside
// (aside) is taken over too, journaled in the new run.
func (r *run) applyLock(aside *SetAside) (*runLock, error) {
	cfg := r.cfg
	lk, err := acquireLock(cfg, r.id, false)
	var held *lock.HeldError
	if err == nil || !errors.As(err, &held) || !held.Gone() {
		return lk, err
	}
	last, unfinished, uerr := latestUnfinished(cfg)
	switch {
	case uerr != nil:
		return nil, uerr
	case unfinished && !tornAtCreate(cfg.State, last, &held.Holder) && !aside.names(last.RunID):
		return nil, unfinishedError(cfg, last, &held.Holder)
	}
	lk, err = acquireLock(cfg, r.id, true)
	if err == nil {
		r.warnTakeOver(lk)
	}
	return lk, err
}

// latestUnfinished returns the plan's latest run and whether it is
// unfinished: anything but Complete (failed, interrupted, waiting, left
// steps out, died, or unreadable).
func latestUnfinished(cfg Config) (journal.RunInfo, bool, error) {
	runs, err := cfg.State.List(cfg.Plan.Name)
	if err != nil {
		return journal.RunInfo{}, false, fmt.Errorf("list runs of %s: %w", cfg.Plan.Name, err)
	}
	if len(runs) == 0 {
		return journal.RunInfo{}, false, nil
	}
	last := LatestRun(runs)
	return last, last.Err != nil || !Complete(last.Last), nil
}

// refuseUnfinished refuses a new run while the plan's latest run is not
// finished: a new run would redo steps that already ran. The run the
// operator confirmed to set aside (aside) is returned instead, when it is
// still the latest unfinished one.
func refuseUnfinished(cfg Config, aside *SetAside) (*journal.RunInfo, error) {
	last, unfinished, err := latestUnfinished(cfg)
	switch {
	case err != nil:
		return nil, err
	case !unfinished && aside != nil:
		return nil, cannotRun(fmt.Errorf("--new-run: run %s is not an unfinished run of plan %s: nothing to set aside",
			aside.RunID, cfg.Plan.Name))
	case !unfinished:
		return nil, nil
	case tornAtCreate(cfg.State, last, nil):
		return nil, setAsideTorn(cfg, last)
	case aside.names(last.RunID):
		return &last, nil
	case aside != nil:
		return nil, cannotRun(fmt.Errorf("--new-run: the latest unfinished run of plan %s is now %s, not %s: nothing set aside",
			cfg.Plan.Name, last.RunID, aside.RunID))
	}
	return nil, unfinishedError(cfg, last, nil)
}

// unfinishedError refuses a new run beside an unfinished one, with the
// way on: resume it, or, when resume cannot (its journal is damaged or
// cut short), repair it or set it aside. holder is the plan's lock as
// read, when the caller did.
func unfinishedError(cfg Config, last journal.RunInfo, holder *lock.Info) error {
	plan := planArg(cfg.Plan)
	if last.Err == nil {
		if err := cutShort(plan, last.RunID, last.Records, syncedOf(cfg.State, last, holder)); err != nil {
			return cannotRun(fmt.Errorf("plan %s has an unfinished run %s that resume cannot continue: %w",
				cfg.Plan.Name, last.RunID, err))
		}
	}
	if errors.Is(last.Err, journal.ErrCorrupt) {
		return cannotRun(fmt.Errorf("plan %s has an unfinished run %s that resume cannot continue: %w",
			cfg.Plan.Name, last.RunID, JournalHint(plan, last.Path, last.Err)))
	}
	return cannotRun(fmt.Errorf("plan %s has an unfinished run %s (%s); continue it with `failover resume %s` — "+
		"`failover status %s` shows where it stopped", cfg.Plan.Name, last.RunID, describeLast(last), plan, last.RunID))
}

func describeLast(ri journal.RunInfo) string {
	end := EndOf(ri.Last)
	switch {
	case ri.Err != nil:
		return "journal unreadable: " + ri.Err.Error()
	case ri.Last == nil:
		return "no step ran"
	case end.Ended != "" && len(end.Left) > 0:
		return "ended " + end.Ended + ", leaving out " + strings.Join(end.Left, ", ")
	case end.Ended != "":
		return "ended " + end.Ended
	}
	return "last record " + ri.Last.Type + " at " + ri.LastTime.Format("2006-01-02 15:04:05Z07:00")
}

func planArg(p *plans.Plan) string {
	if p.File != "" {
		return p.File
	}
	return p.Name
}

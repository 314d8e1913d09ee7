package engine

import (
	"container/heap"
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/failover-dev/failover/engine/journal"
)

// scheduler is the state of one schedule call. Only the scheduler's own
// goroutine touches it; workers get a *stepState and send an outcome back.
type scheduler struct {
	r        *run
	ready    readyQueue
	inflight int
	stopping bool
	fatal    error
	waiting  *WaitingError
	failures []*StepError
}

// schedule runs the selected steps that are not done yet: a ready queue in
// file order and a bounded pool of cfg.Parallelism workers. A step is
// ready when every step it needs has succeeded, been skipped or was
// already satisfied. prior holds the states of steps from the journal
// (resume); nil for a fresh run.
func (r *run) schedule(ctx context.Context, prior map[string]State) (*Summary, error) {
	if r.cfg.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.cfg.Deadline)
		defer cancel()
	}
	sc := &scheduler{r: r}
	sc.init(prior)
	workCh := make(chan *stepState)
	resultCh := make(chan outcome)
	for i := 0; i < r.cfg.Parallelism; i++ {
		go func() {
			for st := range workCh {
				resultCh <- r.execute(ctx, st)
			}
		}()
	}
	sc.loop(ctx, workCh, resultCh)
	close(workCh)
	return sc.finish(ctx)
}

// init sets each step's starting state and counts the dependencies each
// selected step still waits for.
func (sc *scheduler) init(prior map[string]State) {
	r := sc.r
	for _, s := range r.plan.Steps {
		st := r.steps[s.ID]
		if p, ok := prior[s.ID]; ok {
			st.state = p
		}
		if st.result.ID == "" {
			st.result = StepResult{ID: s.ID, Action: s.Action, Attempts: st.attempts}
		}
		st.result.State = st.state
	}
	for _, s := range r.plan.Steps {
		st := r.steps[s.ID]
		if !sc.toRun(st) {
			continue
		}
		for _, d := range s.Deps {
			dep := r.steps[d]
			switch {
			case dep == nil:
			case sc.toRun(dep):
				st.waitFor++
			case !dep.state.done():
				// Left out by --only/--from and not done: the operator
				// asked for this; say so rather than pass it silently.
				r.log.Warn().Str("step", s.ID).Str("needs", d).Str("needs_state", string(dep.state)).
					Msg("runs without a step it needs, which this targeted run leaves out and which is not done")
			}
		}
	}
	for _, s := range r.plan.Steps {
		if st := r.steps[s.ID]; sc.toRun(st) && st.waitFor == 0 {
			heap.Push(&sc.ready, st)
		}
	}
}

// toRun reports whether a step runs in this schedule: selected, and not
// already succeeded or satisfied (those never run again).
func (sc *scheduler) toRun(st *stepState) bool {
	return st.selected && st.state != StateSucceeded && st.state != StateSatisfied
}

// loop hands ready steps to the workers and takes their outcomes until
// nothing runs and nothing more may start.
func (sc *scheduler) loop(ctx context.Context, workCh chan<- *stepState, resultCh <-chan outcome) {
	doneCh := ctx.Done()
	for {
		var sendCh chan<- *stepState
		var next *stepState
		if !sc.stopping && sc.ready.Len() > 0 {
			sendCh, next = workCh, sc.ready[0]
		}
		if sendCh == nil && sc.inflight == 0 {
			return
		}
		select {
		case sendCh <- next:
			heap.Pop(&sc.ready)
			sc.inflight++
		case o := <-resultCh:
			sc.inflight--
			sc.done(o)
		case <-doneCh:
			// Cancelled or past the deadline: start nothing more; running
			// steps see the same context and end.
			doneCh = nil
			sc.stopping = true
		}
	}
}

// done records a step's outcome and releases or skips its dependents.
func (sc *scheduler) done(o outcome) {
	r, st := sc.r, o.st
	st.state, st.attempts, st.result = o.result.State, o.result.Attempts, o.result
	r.emit(o.result)
	switch {
	case o.fatal != nil:
		sc.fatal = errors.Join(sc.fatal, o.fatal)
		sc.stopping = true
		return
	case o.waiting != nil:
		if sc.waiting == nil {
			sc.waiting = o.waiting
		}
		sc.stopping = true
	case o.interrupted:
		sc.stopping = true
	case st.state == StateFailed:
		sc.failures = append(sc.failures, &StepError{Step: st.step.ID, Target: st.step.Target, Pos: st.step.Pos, Attempts: st.attempts, Err: o.rootErr})
		sc.skipDependents(st, st.step.ID)
		if !st.step.ContinueOnFailure {
			sc.stopping = true
		}
	case st.state.done():
		sc.release(st)
	}
}

// release makes ready every dependent whose last dependency just finished.
func (sc *scheduler) release(st *stepState) {
	for _, id := range sc.r.dependents[st.step.ID] {
		d := sc.r.steps[id]
		if !sc.toRun(d) || d.blocked {
			continue
		}
		d.waitFor--
		if d.waitFor == 0 {
			heap.Push(&sc.ready, d)
		}
	}
}

// skipDependents ends every step downstream of a failed one as "skipped:
// upstream failed", naming the root cause once; its own error is not
// repeated for each of them.
func (sc *scheduler) skipDependents(st *stepState, root string) {
	r := sc.r
	for _, id := range r.dependents[st.step.ID] {
		d := r.steps[id]
		if !sc.toRun(d) || d.blocked {
			continue
		}
		d.blocked = true
		note := "upstream failed: " + root
		d.state = StateSkipped
		d.result = StepResult{ID: id, Action: d.step.Action, State: StateSkipped, Attempts: d.attempts, Note: note}
		if err := r.appendRec(journal.Record{Type: RecStepSkipped, Step: id, Note: note}); err != nil {
			sc.fatal = errors.Join(sc.fatal, err)
			sc.stopping = true
		}
		r.emit(d.result)
		sc.skipDependents(d, root)
	}
}

// finish journals how the run ended and builds the summary and the error.
func (sc *scheduler) finish(ctx context.Context) (*Summary, error) {
	r := sc.r
	sum := r.summary()
	if sc.fatal != nil {
		sum.State = RunFailed
		r.fromJournal(sum)
		return sum, fmt.Errorf("run %s stopped, nothing more was started: %w", r.id, sc.fatal)
	}
	state, err := sc.outcome(ctx)
	sum.State = state
	for _, f := range sc.failures {
		sum.RootCauses = append(sum.RootCauses, f.Step)
	}
	rec := journal.Record{Type: RecRunFinished, End: &journal.RunEnd{State: state}}
	if left := r.notDone(); state == RunSucceeded && len(left) > 0 {
		// A targeted run left these out: the run stays open for resume,
		// and a new apply, which would redo what this one did, is refused.
		rec.End.Left = left
		sum.Left = left
	}
	if state == RunInterrupted {
		rec = journal.Record{Type: RecRunInterrupted}
	}
	// Synced: the run's end must be on disk before we say so.
	_, jerr := r.jw.AppendSync(rec)
	r.fromJournal(sum)
	if jerr != nil {
		return sum, errors.Join(err, fmt.Errorf("journal end of run: %w", jerr))
	}
	r.log.Info().Str("state", state).Str("duration", logDur(sum.Finished.Sub(sum.Started))).Msg("run ended")
	return sum, err
}

// outcome decides how the run ended.
func (sc *scheduler) outcome(ctx context.Context) (string, error) {
	r := sc.r
	var undone *stepState
	for _, s := range r.plan.Steps {
		if st := r.steps[s.ID]; sc.toRun(st) && !st.state.done() {
			undone = st
			break
		}
	}
	switch {
	case undone == nil && sc.waiting == nil && len(sc.failures) == 0:
		// Every step is done: a Ctrl-C or the deadline that came after
		// the last outcome changes nothing.
		return RunSucceeded, nil
	case errors.Is(ctx.Err(), context.Canceled):
		// Cancelled (Ctrl-C) whether or not a step was running then.
		return RunInterrupted, &InterruptedError{RunID: r.id, Plan: r.planArg()}
	case sc.waiting != nil:
		return RunWaiting, sc.waiting
	case len(sc.failures) > 0:
		return RunFailed, stepErrors(sc.failures)
	case ctx.Err() != nil:
		return RunFailed, fmt.Errorf("run %s passed its deadline (%s): %w", r.id, r.cfg.Deadline, ctx.Err())
	}
	return RunFailed, fmt.Errorf("step %s did not run (state %s)", undone.step.ID, undone.state)
}

// notDone lists the steps, in file order, that neither succeeded, were
// satisfied nor skipped.
func (r *run) notDone() []string {
	var out []string
	for _, s := range r.plan.Steps {
		if !r.steps[s.ID].state.done() {
			out = append(out, s.ID)
		}
	}
	return out
}

// stepErrors returns the one failure as is, or all of them.
func stepErrors(fs []*StepError) error {
	if len(fs) == 1 {
		return fs[0]
	}
	var errs *multierror.Error
	for _, f := range fs {
		errs = multierror.Append(errs, f)
	}
	return errs.ErrorOrNil()
}

// fromJournal replaces the summary's steps with what the journal says of
// them, so that the end-of-run table shows the same states, attempts and
// durations as status, and never a success whose record could not be
// written. The journal is read back from the file: a record that never
// reached it is not there.
func (r *run) fromJournal(sum *Summary) {
	rep, err := r.cfg.State.Read(r.jw.Path())
	if rep == nil {
		r.log.Warn().Err(err).Msg("cannot read the journal back: the summary shows what this process saw")
		return
	}
	live := map[string]StepResult{}
	for _, s := range sum.Steps {
		live[s.ID] = s
	}
	order := make([]string, len(r.plan.Steps))
	for i, s := range r.plan.Steps {
		order[i] = s.ID
	}
	rs := Fold(rep)
	sum.Steps = rs.Results(order, false)
	for i := range sum.Steps {
		// The live result may say why a step did not start (a journal
		// failure); the journal has no record of that.
		if st := &sum.Steps[i]; st.Note == "" && st.Error == "" && live[st.ID].State == st.State {
			st.Note = live[st.ID].Note
		}
	}
}

// summary reports every step in file order.
func (r *run) summary() *Summary {
	sum := &Summary{Plan: r.plan.Name, RunID: r.id, JournalPath: r.jw.Path(), Started: r.started, Finished: r.cfg.Clock.Now()}
	for _, s := range r.plan.Steps {
		sum.Steps = append(sum.Steps, r.steps[s.ID].result)
	}
	return sum
}

// emit logs a state change (one console line each) and tells the observer.
func (r *run) emit(res StepResult) {
	r.emitMu.Lock()
	defer r.emitMu.Unlock()
	ev := r.log.Info()
	switch st := r.steps[res.ID]; {
	case res.State == StateFailed:
		ev = r.log.Error()
	case res.State == StateInDoubt && st != nil && idempotent(st):
		// Normal after an interruption: resume runs it again.
		ev = r.log.Warn()
		if res.Note != "" {
			res.Note += "; idempotent: resume runs it again"
		}
	case res.State == StateInDoubt:
		ev = r.log.Error()
	case res.State == StateWaiting:
		ev = r.log.Warn()
	}
	ev = ev.Str("step", res.ID).Str("action", res.Action).Int("attempt", res.Attempts)
	if res.State != StateRunning {
		ev = ev.Str("duration", logDur(res.Duration))
	}
	if res.Error != "" {
		ev = ev.Str("error", res.Error)
	}
	if res.Note != "" {
		ev = ev.Str("note", res.Note)
	}
	ev.Msg(string(res.State))
	if r.cfg.Observer != nil {
		r.cfg.Observer(res)
	}
}

// readyQueue is a heap of steps by file order: with one worker, steps run
// in the order the plan lists them.
type readyQueue []*stepState

func (q readyQueue) Len() int           { return len(q) }
func (q readyQueue) Less(i, j int) bool { return q[i].index < q[j].index }
func (q readyQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)        { *q = append(*q, x.(*stepState)) }
func (q *readyQueue) Pop() any {
	old := *q
	st := old[len(old)-1]
	*q = old[:len(old)-1]
	return st
}

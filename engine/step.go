package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
)

// outcome is what a worker reports to the scheduler about one step.
type outcome struct {
	st      *stepState
	result  StepResult
	rootErr error // the step's own error, for the summary (failed steps)
	// fatal is a journal failure: the run must stop at once.
	fatal error
	// waiting is set when the step waits for an approval.
	waiting     *WaitingError
	interrupted bool
}

// execute runs one step through its whole lifecycle: when → skip_if →
// require → attempts (each journaled before it runs) → outcome.
func (r *run) execute(ctx context.Context, st *stepState) outcome {
	start := r.cfg.Clock.Now()
	o := r.lifecycle(ctx, st)
	o.result.Duration = r.cfg.Clock.Now().Sub(start)
	return o
}

func (r *run) lifecycle(ctx context.Context, st *stepState) outcome {
	s := st.step
	o := outcome{st: st, result: StepResult{ID: s.ID, Action: s.Action, Attempts: st.attempts}}
	if len(s.When) > 0 {
		ok, detail, err := r.allPass(ctx, s.When, s.ID)
		if err != nil {
			return r.fail(ctx, o, fmt.Errorf("evaluate when: %w", err))
		}
		if !ok {
			return r.settle(o, StateSkipped, "when: "+detail, RecStepSkipped)
		}
	}
	if len(s.SkipIf) > 0 {
		ok, _, err := r.allPass(ctx, s.SkipIf, s.ID)
		if err != nil {
			return r.fail(ctx, o, fmt.Errorf("evaluate skip_if: %w", err))
		}
		if ok {
			return r.settle(o, StateSatisfied, "skip_if: already done", RecStepSatisfied)
		}
	}
	// Probed before require: an effect that already holds needs no
	// precondition (a database already recovered is no longer RESTORING).
	if r.probeDone(ctx, &o) {
		return o
	}
	if err := r.require(ctx, st); err != nil {
		return r.fail(ctx, o, err)
	}
	return r.attempts(ctx, o)
}

// attempts runs the action until it succeeds, fails for good or the
// retry policy runs out. Every attempt is journaled and logged.
func (r *run) attempts(ctx context.Context, o outcome) outcome {
	s := o.st.step
	for n := 1; ; n++ {
		if err := r.lock.lost(); err != nil {
			o.fatal, o.result.State = err, StatePending
			return o
		}
		if ctx.Err() != nil {
			// Cancelled before this attempt's start was journaled: it
			// never ran, so it is not in doubt.
			o.interrupted, o.result.State = true, StatePending
			return o
		}
		if err := r.lock.renewFailing(); err != nil {
			r.log.Warn().Err(err).Str("step", s.ID).Msg("cannot renew the plan's lock; steps start while its lease lasts")
		}
		// A failed attempt may have taken effect before it failed (the
		// connection dropped after the server did the work): the state,
		// not the retry policy, decides whether to act again.
		if n > 1 && r.probeDone(ctx, &o) {
			return o
		}
		o.result.Attempts++
		attempt := o.result.Attempts
		p := r.prepareAttempt(ctx, o.st)
		// Synced before the action runs: intent before effect, with the
		// exact command the attempt sends. This one fsync also carries
		// the outcomes of the steps this one needs, appended unsynced
		// when they finished (group commit).
		if _, err := r.jw.AppendSync(journal.Record{Type: RecStepStarted, Step: s.ID, Attempt: attempt, Command: p.command}); err != nil {
			p.cancel()
			o.fatal = fmt.Errorf("journal start of step %s: %w", s.ID, err)
			o.result.State = StateInDoubt
			return o
		}
		r.emit(StepResult{ID: s.ID, Action: s.Action, State: StateRunning, Attempts: attempt})
		began := r.cfg.Clock.Now()
		out, err := r.attempt(ctx, o.st, attempt, p)
		if final, res := r.judge(ctx, o, out, err, n); final {
			return res
		}
		if !r.backoff(ctx, &o, err, n, began) {
			return o
		}
	}
}

// judge ends the step after an attempt, unless the attempt failed and may
// be retried (final false).
func (r *run) judge(ctx context.Context, o outcome, out map[string]any, err error, n int) (bool, outcome) {
	if err == nil {
		return true, r.succeed(o, out)
	}
	if we := new(WaitingError); errors.As(err, &we) {
		o.waiting = we
		return true, r.settle(o, StateWaiting, we.Message, RecStepWaiting)
	}
	if ctx.Err() != nil {
		return true, r.interrupt(ctx, o)
	}
	// A verify that failed after a non-idempotent action completed is
	// not retried: another attempt would run the action again.
	policy := o.st.step.Retry
	if n >= maxAttempts(policy) || !retryable(policy, err) || afterEffect(o.st, err) {
		return true, r.fail(ctx, o, err)
	}
	return false, o
}

// backoff journals a failed attempt that will be retried and sleeps the
// jittered delay. It returns false when the run is cancelled meanwhile or
// the journal fails; o then says why.
func (r *run) backoff(ctx context.Context, o *outcome, err error, n int, began time.Time) bool {
	s := o.st.step
	msg := r.red.Redact(err.Error())
	delay := backoffDelay(s.Retry, n, r.cfg.Rand)
	if jerr := r.appendRec(journal.Record{Type: RecAttemptFailed, Step: s.ID, Attempt: o.result.Attempts,
		Error: msg, Class: actions.ClassOf(err).String()}); jerr != nil {
		o.fatal = jerr
		return false
	}
	r.log.Warn().Str("step", s.ID).Str("action", s.Action).Int("attempt", o.result.Attempts).
		Str("duration", logDur(r.cfg.Clock.Now().Sub(began))).Str("retry_in", logDur(delay)).Str("error", msg).Msg("attempt failed")
	if err := r.cfg.Clock.Sleep(ctx, delay); err != nil {
		// The failed attempt is journaled: nothing is in doubt.
		o.interrupted = true
		o.result.State = StatePending
		return false
	}
	return true
}

// maxCommand bounds the command journaled with an attempt's start.
const maxCommand = 16 << 10

// prepared is an attempt made ready before its start is journaled: its
// params resolved, its target open, the command it sends rendered.
type prepared struct {
	ctx    context.Context // with the attempt's timeout
	cancel context.CancelFunc
	cl     *call
	err    error // the attempt fails with it, without running the action
	// command is the action's preview with this attempt's values,
	// secrets masked ("" when the type cannot preview).
	command string
}

// prepareAttempt readies an attempt. Nothing it does changes a system:
// resolving params and opening a target's connections are not effects.
func (r *run) prepareAttempt(ctx context.Context, st *stepState) *prepared {
	s := st.step
	p := &prepared{ctx: ctx, cancel: func() {}}
	if s.Timeout > 0 {
		p.ctx, p.cancel = context.WithTimeout(ctx, s.Timeout)
	}
	p.cl, p.err = r.c.prepare(p.ctx, actions.KindAction, s.Action, s.With, s.Target, s.ID, r.res)
	if p.err == nil {
		p.command = r.command(p.cl)
	}
	return p
}

// command renders what the call sends, with its real values, secrets
// masked: what the journal (and the report) says the attempt did.
func (r *run) command(cl *call) string {
	if !cl.typ.Can(actions.AbilityPreview) {
		return ""
	}
	env := *cl.env
	env.Mode = actions.ModePreview
	text, err := cl.typ.Preview(&env, cl.params)
	if err != nil {
		return ""
	}
	text = r.red.Redact(text)
	if len(text) > maxCommand {
		text = text[:maxCommand] + "…(cut)"
	}
	return text
}

// attempt runs the action once, with the attempt's timeout, then verify.
func (r *run) attempt(ctx context.Context, st *stepState, attempt int, p *prepared) (map[string]any, error) {
	s := st.step
	actx := p.ctx
	defer p.cancel()
	if p.err != nil {
		return nil, p.err
	}
	cl := p.cl
	cl.env.Attempt, cl.env.Idempotent = attempt, idempotent(st)
	cl.env.Log = cl.env.Log.With().Int("attempt", attempt).Logger()
	cl.env.Journal = r.stepJournal(st, attempt)
	progress := r.progressSink(st)
	defer progress.stop()
	cl.env.Progress = progress.sink
	out, err := cl.typ.Run(actx, cl.env, cl.params)
	if err == nil && len(s.Verify) > 0 {
		// The attempt's outputs are not stored before verify passes, but
		// verify may read them: ${steps.SELF.outputs.KEY}.
		own := &ownOutputs{Resolver: r.res, step: s.ID, out: r.red.outputs(out)}
		ok, detail, verr := r.c.allPass(actx, s.Verify, s.ID, own)
		switch {
		case verr != nil:
			err = &verifyError{fmt.Errorf("verify: %w", verr)}
		case !ok:
			err = &verifyError{fmt.Errorf("verify failed: %s", detail)}
		}
	}
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		// Retryable by actions.ClassOf: the attempt hit its own timeout.
		return nil, fmt.Errorf("attempt timed out after %s: %w (%w)", s.Timeout, context.DeadlineExceeded, err)
	}
	return out, err
}

// succeed journals the outputs (masked) unsynced: the next start record's
// fsync, which comes before any dependent runs, carries it to disk.
func (r *run) succeed(o outcome, out map[string]any) outcome {
	out = r.red.outputs(out)
	out, cut := fitOutputs(out, maxOutputsSize)
	if cut {
		r.log.Warn().Str("step", o.st.step.ID).Int("limit", maxOutputsSize).
			Msg("outputs too large for the journal: the longest cut to their end")
	}
	o.result.Outputs = out
	r.res.outputs.set(o.st.step.ID, out)
	return r.settleRec(o, StateSucceeded, "", journal.Record{Type: RecStepSucceeded, Step: o.st.step.ID,
		Attempt: o.result.Attempts, Outputs: out})
}

// fail journals the step's failure; a run cancelled meanwhile is an
// interruption instead.
func (r *run) fail(ctx context.Context, o outcome, err error) outcome {
	if ctx.Err() != nil {
		// In doubt only if an attempt started in this run of the step:
		// attempts of an earlier run (resume) ended with their outcome.
		if o.result.Attempts > o.st.attempts {
			return r.interrupt(ctx, o)
		}
		// Cancelled before any attempt (in a check or a require wait):
		// nothing ran, the step stays pending.
		o.interrupted = true
		o.result.State = StatePending
		return o
	}
	msg := r.red.Redact(err.Error())
	o.rootErr = errors.New(msg)
	o.result.Error = msg
	rec := journal.Record{Type: RecStepFailed, Step: o.st.step.ID, Attempt: o.result.Attempts, Error: msg,
		Class: actions.ClassOf(err).String()}
	note := ""
	if afterEffect(o.st, err) {
		rec.AfterEffect = true
		note = "its action completed, then verify failed: resume asks before running it again"
	}
	return r.settleRec(o, StateFailed, note, rec)
}

// interrupt journals that the run was cancelled while the step's action
// ran: on resume the step is in doubt.
func (r *run) interrupt(ctx context.Context, o outcome) outcome {
	o.interrupted = true
	note := "interrupted while running"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		note = fmt.Sprintf("the run's deadline (%s) passed while it ran", r.cfg.Deadline)
	}
	return r.settleRec(o, StateInDoubt, note, journal.Record{Type: RecStepInterrupted,
		Step: o.st.step.ID, Attempt: o.result.Attempts, Note: note})
}

func (r *run) settle(o outcome, state State, note, typ string) outcome {
	return r.settleRec(o, state, note, journal.Record{Type: typ, Step: o.st.step.ID, Attempt: o.result.Attempts, Note: note})
}

// settleRec appends the outcome record and sets the result's state.
func (r *run) settleRec(o outcome, state State, note string, rec journal.Record) outcome {
	o.result.State = state
	o.result.Note = note
	if rec.Note == "" {
		// Journaled, so that status and the summary read the same note.
		rec.Note = note
	}
	if err := r.appendRec(rec); err != nil {
		o.fatal = err
	}
	return o
}

// appendRec appends a record, unsynced, with its text masked.
func (r *run) appendRec(rec journal.Record) error {
	rec.Error = r.red.Redact(rec.Error)
	rec.Note = r.red.Redact(rec.Note)
	if _, err := r.jw.Append(rec); err != nil {
		return fmt.Errorf("journal %s of step %s: %w", rec.Type, rec.Step, err)
	}
	return nil
}

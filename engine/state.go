package engine

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/failover-dev/failover/engine/journal"
)

// RunState is a run as its journal tells it: what status shows, what
// resume starts from, what unlock explains and what the report tells. It
// is built by Fold, the one reader of journal records: nothing else
// interprets them.
type RunState struct {
	Header journal.Header
	// Order is the plan's step order when the run started.
	Order []string
	// Actions maps a step id to its action type, as the run last
	// started or resumed knew it.
	Actions map[string]string
	Steps   map[string]*StepRecord
	// Sessions are the apply and every resume of the run, in order.
	Sessions []Session
	// Ended is how the run last ended ("succeeded", "failed", "waiting",
	// "interrupted"), or "" while it runs or after a crash.
	Ended string
	// EndedAt is when it ended (zero with Ended "").
	EndedAt time.Time
	// Left lists the steps a targeted run left out when it ended.
	Left []string
	// Last is the last record (nil: none yet).
	Last *journal.Record
	// Repaired says a forced journal repair cut the run's records back
	// since it last started or resumed.
	Repaired bool
	// Repairs are the forced repairs journaled, in order.
	Repairs []Repair
	// TakeOvers are the locks of dead processes this run took over.
	TakeOvers []TakeOver
	// PlanChanges are the changed plans resumed with --force.
	PlanChanges []PlanChange
	// SetAside are the unfinished runs this run was started instead of
	// (apply --new-run).
	SetAside []journal.SetAside
}

// Session is one apply or resume of a run.
type Session struct {
	// Kind is "apply" or "resume".
	Kind    string    `json:"kind"`
	By      string    `json:"by"`
	Host    string    `json:"host,omitempty"`
	PID     int       `json:"pid,omitempty"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at"`
	Only    []string  `json:"only,omitempty"`
	From    string    `json:"from,omitempty"`
	// Ended is how the session ended; "" if its process died (or it
	// still runs).
	Ended   string    `json:"ended,omitempty"`
	EndedAt time.Time `json:"ended_at,omitzero"`
}

// TakeOver is the lock of a dead process that the run took over: whose
// it was, who took it and when.
type TakeOver struct {
	journal.Holder
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// Repair is a forced journal repair: what it dropped, who ran it and
// when.
type Repair struct {
	journal.RepairInfo
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// PlanChange is a changed plan resumed with --force.
type PlanChange struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Changes string    `json:"changes"`
	OldHash string    `json:"old_hash"`
	NewHash string    `json:"new_hash"`
}

// StepRecord is one step's state folded from the journal, with its whole
// history.
type StepRecord struct {
	State State
	// Attempts is the number of the step's last attempt.
	Attempts int
	Error    string
	Note     string
	// First is when the step's first attempt started; End when its last
	// outcome was journaled.
	First, End time.Time
	Outputs    map[string]any
	// AfterEffect says the step failed its verify after its action
	// completed: the effect may be there, and a step that is not
	// idempotent is not run again without the operator.
	AfterEffect bool
	// History is every attempt, in order.
	History []Attempt
	// Approvals are the decisions on the step's approval.
	Approvals []ApprovalRecord
	// Decisions are the operator's --retry and --mark-done.
	Decisions []Decision
	// Checkpoint is the action's last checkpoint; Checkpoints counts them.
	Checkpoint  json.RawMessage
	Checkpoints int
	// Processes are the process trees the step's attempts started, with
	// the attempt of each; Killed those an operator had ended since.
	Processes []StepProcess
}

// StepProcess is a process tree an attempt of a step started.
type StepProcess struct {
	Attempt int `json:"attempt"`
	journal.Process
	// Killed says resume --kill-leftovers ended it; KilledBy and
	// KilledAt say who and when.
	Killed   bool      `json:"killed,omitempty"`
	KilledBy string    `json:"killed_by,omitempty"`
	KilledAt time.Time `json:"killed_at,omitzero"`
}

// Attempt is one attempt of a step.
type Attempt struct {
	N int `json:"attempt"`
	// Session is the index of the apply or resume it ran in.
	Session int       `json:"session"`
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended,omitzero"`
	// Outcome is succeeded, failed, retried (failed, and another attempt
	// followed), interrupted, waiting, or "" while it runs or after a
	// crash (then the step is in doubt).
	Outcome string `json:"outcome,omitempty"`
	Error   string `json:"error,omitempty"`
	Class   string `json:"class,omitempty"`
	// Command is what the attempt sent, secrets masked ("" when its
	// action cannot tell).
	Command string `json:"command,omitempty"`
}

// Duration is how long the attempt ran (0 while it runs).
func (a Attempt) Duration() time.Duration {
	if a.Ended.IsZero() {
		return 0
	}
	return a.Ended.Sub(a.Started)
}

// ApprovalRecord is one decision on an approval step.
type ApprovalRecord struct {
	Approved bool      `json:"approved"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	How      string    `json:"how"`
}

// Decision is an operator's word on an in-doubt or failed step.
type Decision struct {
	// Kind is "retry" or "mark-done".
	Kind string    `json:"kind"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
	// Attempt is the step's last attempt when the decision was made (0:
	// none): the attempt it decides, told by the journal's order, not by
	// clocks, which differ from host to host.
	Attempt int `json:"-"`
}

// Fold replays a journal's records into the run's state.
func Fold(rep *journal.Replay) *RunState {
	rs := &RunState{Header: rep.Header, Steps: map[string]*StepRecord{}, Actions: map[string]string{}}
	for i := range rep.Records {
		rs.apply(&rep.Records[i])
	}
	return rs
}

// apply folds one record.
func (rs *RunState) apply(rec *journal.Record) {
	rs.Last = rec
	if rec.Step == "" {
		rs.applyRun(rec)
		return
	}
	st := rs.step(rec.Step)
	switch rec.Type {
	case RecStepStarted:
		st.start(rec, len(rs.Sessions)-1)
	case RecAttemptFailed:
		st.State, st.Error = StatePending, rec.Error
		st.endAttempt(rec, "retried")
	case RecStepSucceeded:
		st.State, st.Outputs, st.End, st.Note = StateSucceeded, rec.Outputs, rec.Time, rec.Note
		st.endAttempt(rec, "succeeded")
	case RecStepSatisfied:
		st.State, st.Note, st.End = StateSatisfied, rec.Note, rec.Time
		if rec.Outputs != nil {
			st.Outputs = rec.Outputs
		}
	case RecStepSkipped:
		st.State, st.Note, st.End = StateSkipped, rec.Note, rec.Time
	case RecStepFailed:
		st.State, st.Error, st.End, st.Note = StateFailed, rec.Error, rec.Time, rec.Note
		st.AfterEffect = rec.AfterEffect
		st.endAttempt(rec, "failed")
	case RecStepInterrupted:
		st.interrupt(rec)
	case RecStepWaiting:
		st.State, st.Note = StateWaiting, rec.Note
		st.endAttempt(rec, "waiting")
	case RecStepCheckpoint:
		st.Checkpoint = rec.Checkpoint
		st.Checkpoints++
	case RecStepProcess:
		if rec.Process != nil {
			st.Processes = append(st.Processes, StepProcess{Attempt: rec.Attempt, Process: *rec.Process})
		}
	case RecLeftoverKilled:
		for i := range st.Processes {
			if p := &st.Processes[i]; rec.Process != nil && p.PID == rec.Process.PID && p.Group == rec.Process.Group {
				p.Killed, p.KilledBy, p.KilledAt = true, rec.User, rec.Time
			}
		}
	default:
		rs.applyDecision(st, rec)
	}
}

// applyRun folds a record of the run as a whole.
func (rs *RunState) applyRun(rec *journal.Record) {
	switch rec.Type {
	case RecRunStarted, RecRunResumed:
		rs.startSession(rec)
	case RecJournalRepaired:
		rs.Repaired = true
		if rec.Repair != nil {
			rs.Repairs = append(rs.Repairs, Repair{RepairInfo: *rec.Repair, By: rec.User, At: rec.Time})
		}
	case RecLockTakenOver:
		if rec.Holder != nil {
			rs.TakeOvers = append(rs.TakeOvers, TakeOver{Holder: *rec.Holder, By: rec.User, At: rec.Time})
		}
	case RecRunSetAside:
		if rec.SetAside != nil {
			rs.SetAside = append(rs.SetAside, *rec.SetAside)
		}
	case RecPlanChanged:
		pc := PlanChange{By: rec.User, At: rec.Time, Changes: rec.Note}
		if rec.PlanChange != nil {
			pc.OldHash, pc.NewHash = rec.PlanChange.OldHash, rec.PlanChange.NewHash
		}
		rs.PlanChanges = append(rs.PlanChanges, pc)
	case RecRunFinished:
		rs.Ended, rs.EndedAt, rs.Left = "", rec.Time, nil
		if rec.End != nil {
			rs.Ended, rs.Left = rec.End.State, rec.End.Left
		}
		rs.endSession(rs.Ended, rec.Time)
	case RecRunInterrupted:
		rs.Ended, rs.EndedAt, rs.Left = RunInterrupted, rec.Time, nil
		rs.endSession(RunInterrupted, rec.Time)
	}
}

// startSession opens an apply or a resume. A resume reopens what the
// last session left failed, skipped or waiting: those steps are pending
// again, so that status shows this session's state, not the last one's.
func (rs *RunState) startSession(rec *journal.Record) {
	s := Session{Kind: "apply", By: rec.User, At: rec.Time}
	if rec.Type == RecRunResumed {
		s.Kind = "resume"
		rs.reopen()
	}
	if run := rec.Run; run != nil {
		s.Host, s.PID, s.Version, s.Only, s.From = run.Host, run.PID, run.Version, run.Only, run.From
		if rec.Type == RecRunStarted {
			rs.Order = nil
		}
		for _, ref := range run.Steps {
			rs.Actions[ref.ID] = ref.Action
			if rec.Type == RecRunStarted {
				rs.Order = append(rs.Order, ref.ID)
			}
		}
	}
	rs.Sessions = append(rs.Sessions, s)
	rs.Ended, rs.EndedAt, rs.Left, rs.Repaired = "", time.Time{}, nil, false
}

// reopen makes the steps a resume tries again pending. A step whose
// verify failed after its action completed stays failed: resume asks the
// operator about it.
func (rs *RunState) reopen() {
	for _, st := range rs.Steps {
		switch {
		case st.State == StateFailed && st.AfterEffect:
		case st.State == StateFailed, st.State == StateSkipped, st.State == StateWaiting:
			st.State, st.Note, st.Error = StatePending, "", ""
		}
	}
}

func (rs *RunState) endSession(state string, at time.Time) {
	if n := len(rs.Sessions); n > 0 {
		rs.Sessions[n-1].Ended, rs.Sessions[n-1].EndedAt = state, at
	}
}

// applyDecision folds approvals and the operator's decisions.
func (rs *RunState) applyDecision(st *StepRecord, rec *journal.Record) {
	switch rec.Type {
	case RecStepApproved, RecStepRefused:
		a := ApprovalRecord{Approved: rec.Type == RecStepApproved, By: rec.User, At: rec.Time}
		if rec.Approval != nil {
			a.How = rec.Approval.How
		}
		st.Approvals = append(st.Approvals, a)
	case RecMarkedDone:
		// The failed attempt's error no longer describes the step.
		st.State, st.End, st.Error = StateSucceeded, rec.Time, ""
		st.Note = fmt.Sprintf("marked done by %s: %s", rec.User, rec.Note)
		st.Decisions = append(st.Decisions, Decision{Kind: "mark-done", By: rec.User, At: rec.Time, Note: rec.Note,
			Attempt: st.LastAttempt().N})
	case RecRetryRequested:
		st.State, st.Note = StatePending, fmt.Sprintf("retry requested by %s: %s", rec.User, rec.Note)
		st.Decisions = append(st.Decisions, Decision{Kind: "retry", By: rec.User, At: rec.Time, Note: rec.Note,
			Attempt: st.LastAttempt().N})
	}
}

// start folds a step-started record: a new attempt, in doubt until its
// outcome is journaled.
func (st *StepRecord) start(rec *journal.Record, session int) {
	st.State, st.Attempts, st.Error, st.Note, st.End = StateInDoubt, rec.Attempt, "", "", time.Time{}
	st.AfterEffect = false
	if st.First.IsZero() {
		st.First = rec.Time
	}
	st.History = append(st.History, Attempt{N: rec.Attempt, Session: max(session, 0), Started: rec.Time, Command: rec.Command})
}

// endAttempt closes the step's open attempt with an outcome.
func (st *StepRecord) endAttempt(rec *journal.Record, outcome string) {
	n := len(st.History)
	if n == 0 || !st.History[n-1].Ended.IsZero() || st.History[n-1].N != rec.Attempt {
		return
	}
	a := &st.History[n-1]
	a.Ended, a.Outcome, a.Error, a.Class = rec.Time, outcome, rec.Error, rec.Class
}

// interrupt folds a step-interrupted record: the run was cancelled while
// the step ran, or a forced repair marked it; either way it is in doubt.
func (st *StepRecord) interrupt(rec *journal.Record) {
	st.State, st.Note, st.End = StateInDoubt, rec.Note, rec.Time
	// A forced repair's mark stands in for dropped start records.
	st.Attempts = max(st.Attempts, rec.Attempt)
	if st.Note == "" {
		st.Note = "interrupted while running"
	}
	st.endAttempt(rec, "interrupted")
}

func (rs *RunState) step(id string) *StepRecord {
	st := rs.Steps[id]
	if st == nil {
		st = &StepRecord{State: StatePending}
		rs.Steps[id] = st
		if !contains(rs.Order, id) {
			rs.Order = append(rs.Order, id)
		}
	}
	return st
}

// Complete reports whether the run is over for good: it ended succeeded
// with no step left out by --only/--from. Anything else can be resumed,
// and a new apply of the plan is refused.
func (rs *RunState) Complete() bool {
	return rs.Ended == RunSucceeded && len(rs.Left) == 0
}

// LastAttempt returns the step's last attempt (zero if none).
func (st *StepRecord) LastAttempt() Attempt {
	if len(st.History) == 0 {
		return Attempt{}
	}
	return st.History[len(st.History)-1]
}

// Elapsed is the time from the step's first attempt to its last outcome,
// across every session (0 until it has both).
func (st *StepRecord) Elapsed() time.Duration {
	if st.First.IsZero() || st.End.IsZero() {
		return 0
	}
	return st.End.Sub(st.First)
}

// Results lists the steps in order (nil: the run's own order). live says
// a process holds the run's lock right now: a started step without an
// outcome is then running, not in doubt.
func (rs *RunState) Results(order []string, live bool) []StepResult {
	if order == nil {
		order = rs.Order
	}
	out := make([]StepResult, 0, len(order))
	for _, id := range order {
		res := StepResult{ID: id, Action: rs.Actions[id], State: StatePending}
		if st := rs.Steps[id]; st != nil {
			res = st.result(id, rs.Actions[id])
			if live && st.State == StateInDoubt && st.End.IsZero() {
				res.State = StateRunning
			}
		}
		out = append(out, res)
	}
	return out
}

// result is the step as status and the summary show it.
func (st *StepRecord) result(id, action string) StepResult {
	return StepResult{ID: id, Action: action, State: st.State, Attempts: st.Attempts, Error: st.Error,
		Note: st.Note, Outputs: st.Outputs, Duration: st.LastAttempt().Duration(), Elapsed: st.Elapsed(),
		History: st.History, Approvals: st.Approvals, Decisions: st.Decisions, Checkpoints: st.Checkpoints}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// LatestRun returns the run that started last. Run ids sort by their start
// second only; two runs of one plan in the same second (a quick drill run
// twice) are told apart by the header's start time. runs must not be empty.
func LatestRun(runs []journal.RunInfo) journal.RunInfo {
	last := runs[len(runs)-1]
	for _, r := range runs {
		if r.Header.Started.After(last.Header.Started) {
			last = r
		}
	}
	return last
}

// Complete reports whether a journal whose last record is last holds a
// run that is over for good (see RunState.Complete). It folds that one
// record, so that how a run ended is read in one place.
func Complete(last *journal.Record) bool {
	return EndOf(last).Complete()
}

// EndOf folds a journal's last record alone: enough to tell how a run
// ended (Ended, Left) without reading the rest, as listings do.
func EndOf(last *journal.Record) *RunState {
	rs := &RunState{Steps: map[string]*StepRecord{}, Actions: map[string]string{}}
	if last != nil {
		rs.apply(last)
	}
	return rs
}

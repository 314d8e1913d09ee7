package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/engine/journal"
)

// RunState is a run as its journal tells it: what status shows and what
// resume starts from.
type RunState struct {
	Header journal.Header
	// Order is the plan's step order when the run started.
	Order []string
	// Actions maps a step id to its action type, as the run last
	// started or resumed knew it.
	Actions map[string]string
	Steps   map[string]*StepRecord
	// Ended is how the run last ended ("succeeded", "failed", "waiting",
	// "interrupted"), or "" while it runs or after a crash.
	Ended string
	// Last is the last record (nil: none yet).
	Last *journal.Record
	// Repaired says a forced journal repair cut the run's records back
	// since it last started or resumed.
	Repaired bool
}

// StepRecord is one step's state folded from the journal.
type StepRecord struct {
	State    State
	Attempts int
	Error    string
	Note     string
	// First is when the step's first attempt started; End when it ended.
	First, End time.Time
	Outputs    map[string]any
	// AfterEffect says the step failed its verify after its action
	// completed: the effect may be there, and a step that is not
	// idempotent is not run again without the operator.
	AfterEffect bool
}

// Fold replays a journal's records into step states.
func Fold(rep *journal.Replay) *RunState {
	rs := &RunState{Header: rep.Header, Steps: map[string]*StepRecord{}, Actions: map[string]string{}}
	for i := range rep.Records {
		rec := &rep.Records[i]
		rs.Last = rec
		rs.apply(rec)
	}
	return rs
}

// apply folds one record.
func (rs *RunState) apply(rec *journal.Record) {
	switch rec.Type {
	case RecRunStarted:
		if s := rec.Data["steps"]; s != "" {
			rs.Order = strings.Split(s, ",")
		}
		rs.foldActions(rec.Data)
		rs.Ended = ""
	case RecRunResumed:
		rs.foldActions(rec.Data)
		rs.Ended, rs.Repaired = "", false
	case RecJournalRepaired:
		rs.Repaired = true
	case RecRunFinished:
		rs.Ended = rec.Data["state"]
	case RecRunInterrupted:
		rs.Ended = RunInterrupted
	}
	if rec.Step == "" {
		return
	}
	st := rs.step(rec.Step)
	switch rec.Type {
	case RecStepStarted:
		st.State, st.Attempts, st.Error, st.Note, st.End = StateInDoubt, rec.Attempt, "", "", time.Time{}
		st.AfterEffect = false
		if st.First.IsZero() {
			st.First = rec.Time
		}
	case RecAttemptFailed:
		st.State, st.Error = StatePending, rec.Error
	case RecStepSucceeded:
		st.State, st.Outputs, st.End = StateSucceeded, rec.Outputs, rec.Time
	case RecStepSatisfied:
		st.State, st.Note, st.End = StateSatisfied, rec.Note, rec.Time
	case RecStepSkipped:
		st.State, st.Note, st.End = StateSkipped, rec.Note, rec.Time
	case RecStepFailed:
		st.State, st.Error, st.End = StateFailed, rec.Error, rec.Time
		st.AfterEffect = rec.Data[effectTook] != ""
	case RecStepInterrupted:
		st.State, st.Note, st.End = StateInDoubt, rec.Note, rec.Time
		// A forced repair's mark stands in for dropped start records.
		st.Attempts = max(st.Attempts, rec.Attempt)
		if st.Note == "" {
			st.Note = "interrupted while running"
		}
	case RecStepWaiting:
		st.State, st.Note = StateWaiting, rec.Note
	case RecMarkedDone:
		// The failed attempt's error no longer describes the step.
		st.State, st.End, st.Error = StateSucceeded, rec.Time, ""
		st.Note = fmt.Sprintf("marked done by %s: %s", rec.User, rec.Note)
	case RecRetryRequested:
		st.State, st.Note = StatePending, fmt.Sprintf("retry requested by %s: %s", rec.User, rec.Note)
	}
}

// foldActions reads the action of each step from a run-started or
// run-resumed record ("steps" and "actions", in the same order).
func (rs *RunState) foldActions(d map[string]string) {
	ids, acts := strings.Split(d["steps"], ","), strings.Split(d["actions"], ",")
	if d["actions"] == "" || len(ids) != len(acts) {
		return
	}
	if rs.Actions == nil {
		rs.Actions = map[string]string{}
	}
	for i, id := range ids {
		rs.Actions[id] = acts[i]
	}
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
			res = StepResult{ID: id, Action: rs.Actions[id], State: st.State, Attempts: st.Attempts, Error: st.Error,
				Note: st.Note, Outputs: st.Outputs}
			if !st.End.IsZero() && !st.First.IsZero() {
				res.Duration = st.End.Sub(st.First)
			}
			if live && st.State == StateInDoubt && st.End.IsZero() {
				res.State = StateRunning
			}
		}
		out = append(out, res)
	}
	return out
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

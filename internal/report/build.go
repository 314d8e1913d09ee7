package report

import (
	"slices"
	"time"

	"github.com/failover-dev/failover/engine"
)

// Build makes the report of a run from its folded journal, and the plan
// and its previews when in.Plan is set.
func Build(in Input) *Report {
	rs := in.State
	h := rs.Header
	r := &Report{Plan: h.PlanName, RunID: h.RunID, PlanFile: h.PlanFile, PlanHash: h.PlanHash,
		Status: in.Status, User: h.User, Host: h.Host, Started: h.Started, Complete: rs.Complete(),
		Generated: in.Generated.UTC(), PlanNote: in.PlanNote, Warnings: in.Warnings,
		TakeOvers: rs.TakeOvers, PlanChanges: rs.PlanChanges, Repairs: rs.Repairs}
	if r.Status == "" {
		r.Status = statusOf(rs)
	}
	if rs.Ended != "" {
		r.Ended = rs.EndedAt
	}
	if rs.Last != nil {
		r.LastRecord = rs.Last.Time
	}
	for i, s := range rs.Sessions {
		r.Sessions = append(r.Sessions, Session{N: i + 1, Session: s, Last: s.EndedAt})
	}
	r.Steps = buildSteps(rs, in)
	r.collect()
	r.Timeline = timeline(r)
	r.closeSessions()
	openEnds(r)
	r.People, r.Hosts = people(r), hosts(r)
	r.LogBackups = logBackups(r.Steps)
	r.DataLoss = lossWindow(r.Started, r.LogBackups)
	r.RTO = runBudget(r, in)
	return r
}

// statusOf words how a run stands from its fold alone.
func statusOf(rs *engine.RunState) string {
	switch {
	case rs.Ended == engine.RunSucceeded && !rs.Complete():
		return "succeeded, steps left out"
	case rs.Ended != "":
		return rs.Ended
	}
	return "stopped (no end journaled)"
}

// collect gathers what people decided, across steps, in step order.
func (r *Report) collect() {
	for _, s := range r.Steps {
		for _, a := range s.Approvals {
			r.Approvals = append(r.Approvals, Approval{Step: s.ID, ApprovalRecord: a})
		}
		for _, d := range s.Decisions {
			r.Decisions = append(r.Decisions, Decision{Step: s.ID, Decision: d})
		}
		for _, p := range s.Processes {
			if p.Killed {
				r.Leftovers = append(r.Leftovers, Leftover{Step: s.ID, StepProcess: p})
			}
		}
	}
}

// closeSessions gives a session without an end its last event's time.
func (r *Report) closeSessions() {
	for _, e := range r.Timeline {
		if i := e.Session - 1; i >= 0 && i < len(r.Sessions) && r.Sessions[i].EndedAt.IsZero() && e.At.After(r.Sessions[i].Last) {
			r.Sessions[i].Last = e.At
		}
	}
	for i := range r.Sessions {
		if r.Sessions[i].Last.IsZero() {
			r.Sessions[i].Last = r.Sessions[i].At
		}
	}
}

// RunTime is the run's time from its start to its end, or to its last
// record when it has none.
func (r *Report) RunTime() time.Duration {
	end := r.Ended
	if end.IsZero() {
		end = r.LastRecord
	}
	if end.Before(r.Started) {
		return 0
	}
	return end.Sub(r.Started)
}

// Step returns the step with the given id, or nil.
func (r *Report) Step(id string) *Step {
	for i := range r.Steps {
		if r.Steps[i].ID == id {
			return &r.Steps[i]
		}
	}
	return nil
}

// people lists everyone who ran, approved or decided, in order of first
// appearance.
func people(r *Report) []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(r.User)
	for _, e := range r.Timeline {
		switch e.Kind {
		case "session", "approval", "decision", "leftover", "takeover", "plan-change", "repair":
			add(e.who)
		}
	}
	return out
}

// hosts lists the host of every session, the run's first.
func hosts(r *Report) []string {
	var out []string
	add := func(h string) {
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	add(r.Host)
	for _, s := range r.Sessions {
		add(s.Host)
	}
	return out
}

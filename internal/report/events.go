package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/failover/engine"
)

// The ranks of events that happen at the same time: a session starts
// before anything it does and ends after it.
const (
	rankStart = iota
	rankRun
	rankStep
	rankEnd
)

// timeline lists every event of the run in the order it happened: the
// sessions, each attempt's start and outcome, approvals, decisions,
// leftovers ended, lock takeovers, plan changes and forced repairs.
func timeline(r *Report) []Event {
	var ev []Event
	for _, s := range r.Sessions {
		ev = append(ev, Event{At: s.At, Kind: "session", Text: sessionText(s), who: s.By, rank: rankStart})
		if !s.EndedAt.IsZero() {
			ev = append(ev, Event{At: s.EndedAt, Kind: "end", Text: fmt.Sprintf("%s ended: %s", s.Kind, s.Ended), rank: rankEnd})
		}
	}
	ev = append(ev, runEvents(r)...)
	for _, s := range r.Steps {
		ev = append(ev, stepEvents(s)...)
	}
	sortEvents(ev)
	for i := range ev {
		ev[i].Session = sessionAt(r.Sessions, ev[i].At)
	}
	return ev
}

// sortEvents orders events by time, then rank, then step order; events
// alike stay in the order made.
func sortEvents(ev []Event) {
	sort.SliceStable(ev, func(i, j int) bool {
		a, b := ev[i], ev[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.order < b.order
	})
}

// openEnds adds, for each session without a journaled end, an event at
// its last record: the process died there, or the run goes on.
func openEnds(r *Report) {
	for i, s := range r.Sessions {
		if !s.EndedAt.IsZero() {
			continue
		}
		text := fmt.Sprintf("%s: no end journaled after this: its process died", s.Kind)
		if i == len(r.Sessions)-1 && r.Status == "running" {
			text = fmt.Sprintf("%s: still running when the report was made", s.Kind)
		}
		r.Timeline = append(r.Timeline, Event{At: s.Last, Session: s.N, Kind: "end", Text: text, rank: rankEnd})
	}
	sortEvents(r.Timeline)
}

// sessionAt is the session an event at t belongs to: the last one
// started by then.
func sessionAt(ss []Session, t time.Time) int {
	n := 0
	for _, s := range ss {
		if !s.At.After(t) {
			n = s.N
		}
	}
	return n
}

// sessionText says who started a session, where, and what it was told.
func sessionText(s Session) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s by %s", s.Kind, orUnknown(s.By))
	if s.Host != "" {
		fmt.Fprintf(&b, " on %s", s.Host)
	}
	if s.PID != 0 {
		fmt.Fprintf(&b, " (pid %d)", s.PID)
	}
	if s.Version != "" {
		fmt.Fprintf(&b, ", failover %s", s.Version)
	}
	if len(s.Only) > 0 {
		fmt.Fprintf(&b, ", --only %s", strings.Join(s.Only, ","))
	}
	if s.From != "" {
		fmt.Fprintf(&b, ", --from %s", s.From)
	}
	return b.String()
}

// runEvents are the events of the run as a whole.
func runEvents(r *Report) []Event {
	var ev []Event
	for _, t := range r.TakeOvers {
		ev = append(ev, Event{At: t.At, Kind: "takeover", who: t.By, rank: rankRun,
			Text: fmt.Sprintf("%s took over the lock held by %s on %s (pid %d, run %s): that process no longer existed",
				orUnknown(t.By), orUnknown(t.User), t.Host, t.PID, t.RunID)})
	}
	for _, p := range r.PlanChanges {
		ev = append(ev, Event{At: p.At, Kind: "plan-change", who: p.By, rank: rankRun,
			Text: fmt.Sprintf("%s resumed a changed plan with --force", orUnknown(p.By)), Detail: oneLine(p.Changes)})
	}
	for _, f := range r.Repairs {
		ev = append(ev, Event{At: f.At, Kind: "repair", who: f.By, rank: rankRun,
			Text: fmt.Sprintf("%s forced a journal repair: %d good record(s) after offset %d dropped", orUnknown(f.By), f.Dropped, f.Offset)})
	}
	return ev
}

// The phases of a step's events around one attempt, for events of the
// same second: a leftover is ended and a retry asked for before the
// attempt starts; an approval is given while it runs, before its outcome.
const (
	phaseLeftover = iota
	phaseDecision
	phaseStart
	phaseApproval
	phaseOutcome
	phaseState
)

// stepOrder orders a step's events of the same time: by step, then by
// attempt, then by phase.
func stepOrder(step, attempt, phase int) int {
	return step<<20 | attempt<<4 | phase
}

// stepEvents are a step's attempts, outcomes and what people decided.
func stepEvents(s Step) []Event {
	var ev []Event
	add := func(at time.Time, attempt, phase int, kind, who, text, detail string) {
		ev = append(ev, Event{At: at, Step: s.ID, Kind: kind, who: who, Text: text, Detail: oneLine(detail),
			rank: rankStep, order: stepOrder(s.N, attempt, phase)})
	}
	for i, a := range s.Attempts {
		add(a.Started, i, phaseStart, "attempt", "", fmt.Sprintf("%s: attempt %d started", s.ID, a.N), "")
		if !a.Ended.IsZero() {
			add(a.Ended, i, phaseOutcome, "outcome", "", outcomeText(s.ID, a), a.Error)
		}
	}
	n := len(s.Attempts)
	switch {
	case s.State == "satisfied" && !s.End.IsZero():
		add(s.End, n, phaseState, "satisfied", "", fmt.Sprintf("%s: satisfied without running%s", s.ID, noteSuffix(s.Note)), "")
	case s.State == "skipped" && !s.End.IsZero():
		add(s.End, n, phaseState, "skipped", "", fmt.Sprintf("%s: skipped%s", s.ID, noteSuffix(s.Note)), "")
	}
	for _, a := range s.Approvals {
		add(a.At, s.during(a.At), phaseApproval, "approval", a.By,
			fmt.Sprintf("%s: %s by %s (%s)", s.ID, approvedWord(a.Approved), orUnknown(a.By), orUnknown(a.How)), "")
	}
	for _, d := range s.Decisions {
		add(d.At, s.before(d.At), phaseDecision, "decision", d.By, fmt.Sprintf("%s: --%s by %s%s", s.ID, d.Kind, orUnknown(d.By), noteSuffix(d.Note)), "")
	}
	for _, p := range s.Processes {
		if p.Killed {
			add(p.KilledAt, s.before(p.KilledAt), phaseLeftover, "leftover", p.KilledBy,
				fmt.Sprintf("%s: %s ended pid %d, left running by attempt %d", s.ID, orUnknown(p.KilledBy), p.PID, p.Attempt), p.Command)
		}
	}
	return ev
}

// outcomeText says how an attempt ended.
func outcomeText(id string, a engine.Attempt) string {
	switch a.Outcome {
	case "waiting":
		return fmt.Sprintf("%s: attempt %d waits for the operator", id, a.N)
	case "retried":
		return fmt.Sprintf("%s: attempt %d failed after %s, retried", id, a.N, Duration(a.Duration()))
	}
	return fmt.Sprintf("%s: attempt %d %s after %s", id, a.N, a.Outcome, Duration(a.Duration()))
}

// during is the index of the attempt running at t: the last one started
// by then.
func (s Step) during(t time.Time) int {
	i := 0
	for j, a := range s.Attempts {
		if !a.Started.After(t) {
			i = j
		}
	}
	return i
}

// before is the index of the first attempt started at t or later: the
// one a decision at t was made for.
func (s Step) before(t time.Time) int {
	for j, a := range s.Attempts {
		if !a.Started.Before(t) {
			return j
		}
	}
	return len(s.Attempts)
}

func approvedWord(ok bool) string {
	if ok {
		return "approved"
	}
	return "refused"
}

func noteSuffix(note string) string {
	if note == "" {
		return ""
	}
	return ": " + oneLine(note)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// oneLine joins a text's lines, for a line of the timeline.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

package report

import (
	"strconv"
	"time"

	"github.com/failover-dev/failover/engine"
)

// chart is the data the HTML page's script draws its timeline from:
// times are milliseconds since the run started.
type chart struct {
	Run      string         `json:"run"`
	Start    int64          `json:"start_unix_ms"`
	End      int64          `json:"end"`
	Sessions []chartSession `json:"sessions"`
	Steps    []chartStep    `json:"steps"`
}

type chartSession struct {
	N     int    `json:"n"`
	Label string `json:"label"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	// Open says no end was journaled: End is its last record.
	Open bool `json:"open"`
}

type chartStep struct {
	ID       string         `json:"id"`
	State    string         `json:"state"`
	Over     bool           `json:"over"`
	Attempts []chartAttempt `json:"attempts"`
	Marks    []chartMark    `json:"marks"`
}

type chartAttempt struct {
	N       int    `json:"n"`
	Start   int64  `json:"start"`
	End     int64  `json:"end"`
	Open    bool   `json:"open"`
	Outcome string `json:"outcome"`
	Label   string `json:"label"`
}

// chartMark is a moment on a step's row: an approval, a decision, a
// leftover ended, the step satisfied or skipped.
type chartMark struct {
	At    int64  `json:"at"`
	Kind  string `json:"kind"`
	Label string `json:"label"`
}

// chartOf lays the report out for the chart.
func chartOf(r *Report) chart {
	ms := func(t time.Time) int64 { return t.Sub(r.Started).Milliseconds() }
	c := chart{Run: r.RunID, Start: r.Started.UnixMilli(), End: ms(r.Started.Add(r.RunTime())),
		Sessions: []chartSession{}, Steps: []chartStep{}}
	for _, s := range r.Sessions {
		end := s.Last
		c.Sessions = append(c.Sessions, chartSession{N: s.N, Label: sessionKind(s) + " by " + orUnknown(s.By),
			Start: ms(s.At), End: ms(end), Open: s.EndedAt.IsZero()})
		c.End = max(c.End, ms(end))
	}
	marks := map[string][]chartMark{}
	for _, e := range r.Timeline {
		switch e.Kind {
		case "approval", "decision", "leftover", "satisfied", "skipped":
			marks[e.Step] = append(marks[e.Step], chartMark{At: ms(e.At), Kind: e.Kind, Label: Clock(e.At) + " " + e.Text})
		}
	}
	for _, s := range r.Steps {
		cs := chartStep{ID: s.ID, State: string(s.State), Over: s.RTO.Over, Attempts: []chartAttempt{}, Marks: []chartMark{}}
		cs.Marks = append(cs.Marks, marks[s.ID]...)
		for _, a := range s.Attempts {
			ca := chartAttempt{N: a.N, Start: ms(a.Started), End: ms(a.Ended), Outcome: a.Outcome}
			if a.Ended.IsZero() {
				ca.Open, ca.Outcome = true, "in doubt"
				ca.End = ms(lastOfSession(r, a.Session+1, a.Started))
			}
			ca.Label = attemptLabel(s.ID, a)
			cs.Attempts = append(cs.Attempts, ca)
		}
		c.Steps = append(c.Steps, cs)
	}
	return c
}

// lastOfSession is the last record of session n, for an attempt that has no
// outcome; at least from.
func lastOfSession(r *Report, n int, from time.Time) time.Time {
	if n >= 1 && n <= len(r.Sessions) {
		return latest(from, r.Sessions[n-1].Last)
	}
	return from
}

// attemptLabel is an attempt's tooltip.
func attemptLabel(id string, a engine.Attempt) string {
	if a.Ended.IsZero() {
		return id + ": attempt " + strconv.Itoa(a.N) + " started " + Clock(a.Started) + ", no outcome journaled (in doubt)"
	}
	s := id + ": attempt " + strconv.Itoa(a.N) + " " + a.Outcome + ", " + Clock(a.Started) + "–" + Clock(a.Ended) + " (" + Duration(a.Duration()) + ")"
	if a.Error != "" {
		s += ": " + oneLine(a.Error)
	}
	return s
}

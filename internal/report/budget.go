package report

import (
	"github.com/failover-dev/failover/engine"
)

// stepBudget measures a step against its rto (s.RTO.Limit): the time
// from its first attempt to its outcome, across sessions. A step without
// an outcome yet is measured to its last record: the time so far. A step
// satisfied or skipped without an attempt took no time of its own.
func stepBudget(s Step) Budget {
	b := Budget{Limit: s.RTO.Limit, Known: final(s.State)}
	if !s.First.IsZero() {
		end := s.End
		for _, a := range s.Attempts {
			end = latest(end, latest(a.Started, a.Ended))
		}
		b.Took = end.Sub(s.First)
	}
	b.Over = b.Limit > 0 && b.Took > b.Limit
	return b
}

// final reports whether a step in state st has its outcome.
func final(st engine.State) bool {
	switch st {
	case engine.StateSucceeded, engine.StateSatisfied, engine.StateSkipped, engine.StateFailed:
		return true
	}
	return false
}

// runBudget measures the run against the plan's rto: from its start to
// its end, or to its last record when the run is not over (then the
// time so far, over the budget already or not).
func runBudget(r *Report, in Input) Budget {
	b := Budget{Took: r.RunTime(), Known: r.Complete}
	if in.Plan != nil {
		b.Limit = in.Plan.RTO
	}
	b.Over = b.Limit > 0 && b.Took > b.Limit
	return b
}

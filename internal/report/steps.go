package report

import (
	"github.com/failover-dev/failover/engine"
)

// buildSteps lists the run's steps in its order, each with its history,
// commands and budget.
func buildSteps(rs *engine.RunState, in Input) []Step {
	out := make([]Step, 0, len(rs.Order))
	for i, id := range rs.Order {
		s := Step{N: i + 1, ID: id, Action: rs.Actions[id], State: engine.StatePending}
		if st := rs.Steps[id]; st != nil {
			s.fill(st)
		}
		if in.Plan != nil {
			if ps := in.Plan.Step(id); ps != nil {
				s.Target, s.Description = ps.Target, ps.Description
				if s.Action == "" {
					s.Action = ps.Action
				}
				s.RTO.Limit = ps.RTO
			}
		}
		s.RTO = stepBudget(s)
		s.Commands = commands(rs, in, &s)
		out = append(out, s)
	}
	return out
}

// fill copies a step's folded state.
func (s *Step) fill(st *engine.StepRecord) {
	s.State, s.Note, s.Error = st.State, st.Note, st.Error
	s.Attempts, s.First, s.End = st.History, st.First, st.End
	s.Approvals, s.Decisions, s.Processes = st.Approvals, st.Decisions, st.Processes
	s.Checkpoints, s.Outputs = st.Checkpoints, st.Outputs
	if len(st.Checkpoint) > 0 {
		s.Checkpoint = string(st.Checkpoint)
	}
	s.LastAttempt = st.LastAttempt().Duration()
}

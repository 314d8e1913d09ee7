package report

import (
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/plans"
)

// Input is what a report is built from.
type Input struct {
	// State is the run as engine.Fold read its journal. Required.
	State *engine.RunState
	// Status is how the run stands, as status words it ("succeeded",
	// "running", "stopped (…)"); "" takes State.Ended.
	Status string
	// Plan is the plan the run ran, when it could be loaded with a hash
	// the run ran with; nil otherwise, and PlanNote says why.
	Plan     *plans.Plan
	PlanNote string
	// Previews are the plan's previews (engine.Previews), with Plan.
	Previews map[string]engine.Preview
	// Warnings are said first: a damaged journal, what could be read.
	Warnings []string
	// Generated is when the report is made.
	Generated time.Time
}

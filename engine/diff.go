package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/failover-dev/failover/plans"
)

// PlanDiff lists the steps that differ between a run's journal header and
// the plan as it is now.
type PlanDiff struct {
	Added, Removed, Changed []string
}

// String renders the diff in one line.
func (d PlanDiff) String() string {
	var parts []string
	for _, p := range []struct {
		name string
		ids  []string
	}{{"added", d.Added}, {"removed", d.Removed}, {"changed", d.Changed}} {
		if len(p.ids) > 0 {
			parts = append(parts, p.name+": "+strings.Join(p.ids, ", "))
		}
	}
	if len(parts) == 0 {
		return "no step changed (plan-wide settings, targets or preflight did)"
	}
	return strings.Join(parts, "; ")
}

func diffPlan(old map[string]string, p *plans.Plan) PlanDiff {
	var d PlanDiff
	for _, s := range p.Steps {
		h, ok := old[s.ID]
		switch {
		case !ok:
			d.Added = append(d.Added, s.ID)
		case h != s.Hash:
			d.Changed = append(d.Changed, s.ID)
		}
	}
	for id := range old {
		if p.Step(id) == nil {
			d.Removed = append(d.Removed, id)
		}
	}
	sort.Strings(d.Removed)
	return d
}

// PlanChangedError refuses to resume a run whose plan changed.
type PlanChangedError struct {
	Plan, RunID string
	Diff        PlanDiff
}

// Error shows what changed and the ways on.
func (e *PlanChangedError) Error() string {
	return fmt.Sprintf("plan %s changed since run %s started (%s); resuming could redo or skip work the run "+
		"did not plan: restore the plan, or resume anyway with --force (journaled)", e.Plan, e.RunID, e.Diff)
}

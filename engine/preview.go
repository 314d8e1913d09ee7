package engine

import (
	"context"
	"errors"
	"sort"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// Preview is what a step would send, rendered without connecting or
// reading a secret (`failover plan`).
type Preview struct {
	// Text is the exact command, T-SQL or PowerShell; "" when the type
	// cannot preview or Err says why not.
	Text string
	// RunTime lists the ${…} references in the step's parameters whose
	// values are filled in only when the run gets there: Text shows them
	// as written.
	RunTime []string
	Err     error
}

// Previews renders every step's preview through the same path a run uses,
// in preview mode: run-time values appear as their references, secrets as
// (secret), targets are decoded but never opened.
func Previews(p *plans.Plan, reg *actions.Registry) map[string]Preview {
	red := newRedactor(nil)
	c := &caller{reg: reg, plan: p, mode: actions.ModePreview, red: red, log: zerolog.Nop()}
	c.targets = newTargetSet(c, displayResolver{}, false)
	out := make(map[string]Preview, len(p.Steps))
	for _, s := range p.Steps {
		out[s.ID] = c.preview(s)
	}
	return out
}

// preview renders one step.
func (c *caller) preview(s *plans.Step) Preview {
	pv := Preview{RunTime: runTimeRefs(s.With)}
	typ := c.reg.Type(s.Action)
	if typ == nil || !typ.Can(actions.AbilityPreview) {
		return pv
	}
	cl, err := c.prepare(context.Background(), actions.KindAction, s.Action, s.With, s.Target, s.ID, displayResolver{})
	if err != nil {
		pv.Err = err
		return pv
	}
	pv.Text, pv.Err = cl.typ.Preview(cl.env, cl.params)
	return pv
}

// runTimeRefs lists the distinct run-time references of v, sorted;
// secrets, always shown as (secret), are left out.
func runTimeRefs(v *plans.Value) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range v.Refs() {
		if s := r.String(); r.Scope != "secrets" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// IsRunTimeValue reports whether a preview failed only because a value is
// known at run time.
func IsRunTimeValue(err error) bool { return errors.Is(err, errRunTimeValue) }

// displayResolver stands in for run-time values when nothing runs:
// secrets are masked, the rest shown as written.
type displayResolver struct{}

// Lookup implements plans.Resolver.
func (displayResolver) Lookup(r *plans.Ref) (any, error) {
	if r.Scope == "secrets" {
		return "(secret)", nil
	}
	return r.String(), nil
}

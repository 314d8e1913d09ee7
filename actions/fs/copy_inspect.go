package fs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// maxDetails bounds the lines of an inspection: one per file to copy or
// skip, then a count.
const maxDetails = 200

// Inspect lists what a run would copy now, and why, changing nothing.
func (a copyAction) Inspect(ctx context.Context, env *actions.Env, p *CopyParams) (actions.Inspection, error) {
	if strings.Contains(p.From, "${") || strings.Contains(p.To, "${") {
		return actions.Inspection{Change: actions.ChangeUnknown,
			Summary: "the directories come from an earlier step's outputs: known only when it ran"}, nil
	}
	c, err := a.newCopier(env, p)
	if err != nil {
		return actions.Inspection{}, err
	}
	plan, err := c.scan(ctx)
	var ue *unreachableError
	switch {
	case errors.As(err, &ue) && p.AllowMissingSource:
		return actions.Inspection{Change: actions.ChangeNone, Data: map[string]any{"source_unreachable": true},
			Summary: ue.Error() + ": a run would copy nothing and warn (allow_missing_source); " + c.destinationHolds()}, nil
	case errors.As(err, &ue):
		return actions.Inspection{Change: actions.ChangeUnknown, Data: map[string]any{"source_unreachable": true},
			Summary: ue.Error() + ": a run would fail unless it answers by then (allow_missing_source is not set)"}, nil
	case err != nil:
		return actions.Inspection{}, err
	}
	return inspection(p, plan), nil
}

// inspection describes a plan for plan --check.
func inspection(p *CopyParams, plan copyPlan) actions.Inspection {
	in := actions.Inspection{Change: actions.ChangeNone,
		Summary: fmt.Sprintf("%s holds all %d file(s) of %s: nothing to copy", p.To, len(plan.upToDate), p.From)}
	total := len(plan.toCopy) + len(plan.upToDate) + len(plan.skipped)
	if len(plan.toCopy) > 0 {
		in.Change = actions.ChangeSome
		in.Summary = fmt.Sprintf("would copy %d of %d file(s) (%s) from %s to %s; %d already there",
			len(plan.toCopy), total, sizeText(plan.bytes), p.From, p.To, len(plan.upToDate))
	}
	var copyNames, skipNames []any
	for _, d := range plan.toCopy {
		in.Details = append(in.Details, fmt.Sprintf("copy %s (%s): %s", d.rel, sizeText(d.size), d.why))
		copyNames = append(copyNames, d.rel)
	}
	for _, s := range plan.skipped {
		in.Details = append(in.Details, fmt.Sprintf("skip %s: %s", s.rel, s.why))
		skipNames = append(skipNames, s.rel)
	}
	for _, n := range plan.upToDate {
		in.Details = append(in.Details, fmt.Sprintf("skip %s: already at the destination", n))
		skipNames = append(skipNames, n)
	}
	if len(in.Details) > maxDetails {
		in.Details = append(in.Details[:maxDetails], fmt.Sprintf("… and %d more", len(in.Details)-maxDetails))
	}
	in.Data = map[string]any{"copy": capAny(copyNames), "skip": capAny(skipNames), "bytes": plan.bytes,
		"files_to_copy": int64(len(plan.toCopy)), "source_unreachable": false}
	names := make([]string, len(plan.toCopy))
	for i, d := range plan.toCopy {
		names[i] = d.rel
	}
	run := &copyRun{copied: names, bytes: plan.bytes}
	in.Outputs = run.outputs(copyPlan{upToDate: plan.upToDate, skipped: plan.skipped})
	return in
}

func capAny(v []any) []any {
	if len(v) <= maxDetails {
		return v
	}
	return append(v[:maxDetails:maxDetails], fmt.Sprintf("… and %d more", len(v)-maxDetails))
}

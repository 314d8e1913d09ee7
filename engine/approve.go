package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
)

// approver is the actions.Approver every step gets. It approves from
// --auto-approve or --approve STEP, else asks the terminal approver, else
// makes the run wait for the operator (exit 3). Who approved, when and
// how is journaled.
type approver struct{ r *run }

// Approve decides on one approval step.
func (a approver) Approve(ctx context.Context, stepID, prompt string) (actions.Approval, error) {
	r := a.r
	var ap actions.Approval
	var err error
	switch {
	case r.cfg.AutoApprove:
		ap = actions.Approval{Approved: true, By: r.cfg.User, At: r.cfg.Clock.Now(), How: "--auto-approve"}
	case slices.Contains(r.cfg.Approve, stepID):
		ap = actions.Approval{Approved: true, By: r.cfg.User, At: r.cfg.Clock.Now(), How: "--approve"}
	case r.cfg.Approver != nil:
		ap, err = r.cfg.Approver.Approve(ctx, stepID, r.approvalPrompt(stepID, prompt))
		if err != nil {
			return ap, err
		}
	default:
		return ap, &WaitingError{Step: stepID, Reason: "approval", Message: fmt.Sprintf(
			"waiting for approval of %s: approve it with `failover resume %s --approve %s`",
			stepID, r.planArg(), stepID)}
	}
	typ := RecStepApproved
	if !ap.Approved {
		typ = RecStepRefused
	}
	// Synced: who approved is evidence the operator will be asked for.
	_, jerr := r.jw.AppendSync(journal.Record{Type: typ, Step: stepID, User: ap.By, Time: ap.At.UTC(),
		Approval: &journal.Approval{Approved: ap.Approved, How: ap.How}})
	if jerr != nil {
		return ap, fmt.Errorf("journal approval of %s: %w", stepID, jerr)
	}
	r.log.Info().Str("step", stepID).Str("by", ap.By).Str("how", ap.How).Bool("approved", ap.Approved).Msg("approval")
	return ap, nil
}

// approvalPrompt adds the step's description and the steps that follow it.
func (r *run) approvalPrompt(stepID, prompt string) string {
	var b strings.Builder
	b.WriteString(prompt)
	if s := r.plan.Step(stepID); s != nil && s.Description != "" && !strings.Contains(prompt, s.Description) {
		fmt.Fprintf(&b, "\n%s", s.Description)
	}
	if next := r.dependents[stepID]; len(next) > 0 {
		fmt.Fprintf(&b, "\nNext: %s", strings.Join(next, ", "))
		for _, id := range next {
			if s := r.plan.Step(id); s != nil {
				fmt.Fprintf(&b, "\n  %s (%s)", id, s.Action)
				if s.Target != "" {
					fmt.Fprintf(&b, " on %s", s.Target)
				}
				if s.Description != "" {
					fmt.Fprintf(&b, ": %s", s.Description)
				}
			}
		}
		fmt.Fprintf(&b, "\nApprove %s?", stepID)
	}
	return b.String()
}

// planArg is how the operator names the plan on the command line.
func (r *run) planArg() string {
	if r.plan.File != "" {
		return r.plan.File
	}
	return r.plan.Name
}

package flow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
)

// ApprovalParams are the parameters of approval.
type ApprovalParams struct {
	Message string `param:"message" doc:"What the approver is asked; the step's description and what follows are shown too."`
}

// approver is the approval action.
type approver struct{}

func approvalType() *actions.Type {
	return actions.Define[ApprovalParams](actions.Type{
		Name: "approval",
		Kind: actions.KindAction,
		Doc: "Stops until a human approves the step: at a terminal, a prompt; without one, the run " +
			"waits with exit code 3 unless `--approve STEP` or `--auto-approve` was given. A refusal fails " +
			"the step for good. Who approved, when and how become outputs and go into the journal. " +
			"The plan's `defaults` (timeout, retry) do not apply: it waits as long as the run's " +
			"deadline allows, unless the step sets its own timeout. " +
			"Idempotent: asking again after a crash is safe.",
		Outputs: []actions.Output{
			{Name: "approved_by", Doc: "Who approved (user name, or the flag's user)."},
			{Name: "approved_at", Doc: "When, as RFC 3339 UTC."},
			{Name: "how", Doc: `How: "terminal", "--approve" or "--auto-approve".`},
		},
		Idempotent:       true,
		WaitsForOperator: true,
	}, approver{})
}

// Run asks env.Approver and turns its answer into outputs.
func (approver) Run(ctx context.Context, env *actions.Env, p *ApprovalParams) (map[string]any, error) {
	if env.Approver == nil {
		return nil, actions.MarkPermanent(errors.New("ask for approval: no approver configured"))
	}
	a, err := env.Approver.Approve(ctx, env.StepID, prompt(env.StepID, p.Message))
	if err != nil {
		return nil, fmt.Errorf("ask for approval of %s: %w", env.StepID, err)
	}
	if !a.Approved {
		return nil, actions.MarkPermanent(refusal(env.StepID, a))
	}
	return map[string]any{
		"approved_by": a.By,
		"approved_at": a.At.UTC().Format(time.RFC3339),
		"how":         a.How,
	}, nil
}

// prompt is the text the approver sees for the step.
func prompt(stepID, message string) string {
	if message == "" {
		return fmt.Sprintf("Approve step %s?", stepID)
	}
	return message
}

func refusal(stepID string, a actions.Approval) error {
	if a.By == "" {
		return fmt.Errorf("approval of %s refused", stepID)
	}
	return fmt.Errorf("approval of %s refused by %s", stepID, a.By)
}

// Preview says what will be asked.
func (approver) Preview(_ *actions.Env, p *ApprovalParams) (string, error) {
	if p.Message == "" {
		return "ask for approval", nil
	}
	return "ask for approval: " + p.Message, nil
}

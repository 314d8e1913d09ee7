package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// termApprover plays the operator at a terminal.
type termApprover struct {
	answer bool
	prompt string
}

func (a *termApprover) Approve(_ context.Context, _, prompt string) (actions.Approval, error) {
	a.prompt = prompt
	return actions.Approval{Approved: a.answer, By: "operator", At: time.Now(), How: "terminal"}, nil
}

func approvalPlan() *plans.Plan {
	gate := &plans.Step{ID: "gate", Action: "test.approve", Description: "Point clients at DC2", With: value(map[string]any{}),
		Retry: plans.Retry{Attempts: 3, On: "any"}}
	return newPlan(step("prep", nil, nil), gate, step("switch", []string{"gate"}, nil))
}

func TestApproval(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(cfg *Config)
		wantCode int
		wantHow  string
		wantBy   string
	}{
		{"no terminal waits for the operator", func(cfg *Config) {}, ExitWaiting, "", ""},
		{"--approve STEP", func(cfg *Config) { cfg.Approve = []string{"gate"} }, ExitOK, "--approve", "tester"},
		{"--approve another step still waits", func(cfg *Config) { cfg.Approve = []string{"prep"} }, ExitWaiting, "", ""},
		{"--auto-approve", func(cfg *Config) { cfg.AutoApprove = true }, ExitOK, "--auto-approve", "tester"},
		{"terminal yes", func(cfg *Config) { cfg.Approver = &termApprover{answer: true} }, ExitOK, "terminal", "operator"},
		{"terminal no fails the step", func(cfg *Config) { cfg.Approver = &termApprover{answer: false} }, ExitFailed, "terminal", "operator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, approvalPlan(), rc)
			cfg.Parallelism = 1
			tt.setup(&cfg)
			sum, err := Run(context.Background(), cfg)
			if ExitCode(err) != tt.wantCode {
				t.Fatalf("err = %v, exit %d, want %d", err, ExitCode(err), tt.wantCode)
			}
			if tt.wantCode == ExitWaiting {
				if !strings.Contains(err.Error(), "waiting for approval of gate") || !strings.Contains(err.Error(), "--approve gate") {
					t.Errorf("message %q", err)
				}
				if rc.count("gate") != 1 || rc.count("switch") != 0 {
					t.Errorf("calls gate=%d switch=%d, want 1 and 0", rc.count("gate"), rc.count("switch"))
				}
				return
			}
			var found bool
			for _, r := range records(t, sum) {
				if (r.Type == RecStepApproved || r.Type == RecStepRefused) && r.Step == "gate" {
					found = r.User == tt.wantBy && r.Approval != nil && r.Approval.How == tt.wantHow && !r.Time.IsZero()
				}
			}
			if !found {
				t.Errorf("no approval record by %s via %s", tt.wantBy, tt.wantHow)
			}
			if ta, ok := cfg.Approver.(*termApprover); ok {
				if !strings.Contains(ta.prompt, "Point clients at DC2") || !strings.Contains(ta.prompt, "Next: switch\n  switch (test.act)") ||
					!strings.HasSuffix(ta.prompt, "\nApprove gate?") {
					t.Errorf("prompt %q lacks the description or what follows", ta.prompt)
				}
			}
		})
	}
}

func TestApprovalWaitThenResumeWithApprove(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, approvalPlan(), rc)
	if _, err := Run(context.Background(), cfg); ExitCode(err) != ExitWaiting {
		t.Fatalf("apply: %v, want waiting", err)
	}
	cfg.Approve = []string{"gate"}
	sum, err := Resume(context.Background(), cfg, ResumeOptions{})
	if err != nil {
		t.Fatalf("resume --approve gate: %v", err)
	}
	if rc.count("prep") != 1 || sum.Step("switch").State != StateSucceeded {
		t.Errorf("prep ran %d times, switch %s; want once and succeeded", rc.count("prep"), sum.Step("switch").State)
	}
}

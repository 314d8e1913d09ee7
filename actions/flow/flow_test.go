package flow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// fakeApprover answers every request with its approval and records the
// requests.
type fakeApprover struct {
	answer  actions.Approval
	err     error
	prompts []string
	steps   []string
}

func (f *fakeApprover) Approve(_ context.Context, stepID, prompt string) (actions.Approval, error) {
	f.steps = append(f.steps, stepID)
	f.prompts = append(f.prompts, prompt)
	return f.answer, f.err
}

func TestApproval(t *testing.T) {
	at := time.Date(2026, 11, 26, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name    string
		message string
		answer  actions.Approval
		err     error
		prompt  string
		outputs map[string]any
		wantErr string
		class   actions.Class
	}{
		{
			name:    "approved at the terminal",
			message: "Recover mgc now?",
			answer:  actions.Approval{Approved: true, By: "alice", At: at, How: "terminal"},
			prompt:  "Recover mgc now?",
			outputs: map[string]any{"approved_by": "alice", "approved_at": "2026-11-26T02:04:05Z", "how": "terminal"},
		},
		{
			name:    "default prompt names the step",
			answer:  actions.Approval{Approved: true, By: "bob", At: at, How: "--auto-approve"},
			prompt:  "Approve step recover?",
			outputs: map[string]any{"approved_by": "bob", "approved_at": "2026-11-26T02:04:05Z", "how": "--auto-approve"},
		},
		{
			name:    "refused is permanent",
			answer:  actions.Approval{Approved: false, By: "carol", At: at, How: "terminal"},
			prompt:  "Approve step recover?",
			wantErr: "approval of recover refused by carol",
			class:   actions.Permanent,
		},
		{
			name:    "approver error is passed on",
			err:     context.Canceled,
			prompt:  "Approve step recover?",
			wantErr: "ask for approval of recover: context canceled",
			class:   actions.Unknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ap := &fakeApprover{answer: tt.answer, err: tt.err}
			env := &actions.Env{StepID: "recover", Approver: ap}
			out, err := approver{}.Run(context.Background(), env, &ApprovalParams{Message: tt.message})
			if len(ap.prompts) != 1 || ap.prompts[0] != tt.prompt || ap.steps[0] != "recover" {
				t.Errorf("asked %q for %q, want once %q for recover", ap.prompts, ap.steps, tt.prompt)
			}
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || actions.ClassOf(err) != tt.class {
					t.Fatalf("err = %v (%s), want %q (%s)", err, actions.ClassOf(err), tt.wantErr, tt.class)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.outputs {
				if out[k] != v {
					t.Errorf("output %s = %v, want %v", k, out[k], v)
				}
			}
		})
	}
}

func TestApprovalWithoutApproverFails(t *testing.T) {
	_, err := approver{}.Run(context.Background(), &actions.Env{StepID: "x"}, &ApprovalParams{})
	if err == nil || actions.ClassOf(err) != actions.Permanent {
		t.Fatalf("err = %v, want a permanent error", err)
	}
}

func TestWait(t *testing.T) {
	tests := []struct {
		name     string
		duration time.Duration
		cancel   bool
		err      error
	}{
		{name: "elapses", duration: time.Millisecond},
		{name: "cancelled", duration: time.Hour, cancel: true, err: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			_, err := waiter{}.Run(ctx, &actions.Env{}, &WaitParams{Duration: tt.duration})
			if !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestRegisteredTypes(t *testing.T) {
	r := actions.NewRegistry()
	Register(r)
	tests := []struct {
		name   string
		values map[string]any
		err    string
	}{
		{name: "wait", values: map[string]any{"duration": "90s"}},
		{name: "wait", values: map[string]any{}, err: `missing required parameter "duration"`},
		{name: "wait", values: map[string]any{"duration": "soon"}, err: `parameter "duration": "soon" is not a duration`},
		{name: "approval", values: map[string]any{"message": "go?"}},
		{name: "approval", values: map[string]any{"msg": "go?"}, err: `unknown parameter "msg"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+tt.err, func(t *testing.T) {
			typ := r.Type(tt.name)
			if typ == nil || !typ.Idempotent {
				t.Fatalf("type %s = %+v, want an idempotent action", tt.name, typ)
			}
			_, err := actions.Decode(typ.Params, tt.values)
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
				t.Errorf("Decode = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestValidateWait(t *testing.T) {
	if err := (waiter{}).Validate(&WaitParams{}); err == nil || err.Error() != "duration must be positive, got 0s" {
		t.Errorf("validateWait(0) = %v", err)
	}
	if err := (waiter{}).Validate(&WaitParams{Duration: time.Second}); err != nil {
		t.Errorf("validateWait(1s) = %v", err)
	}
}

package engine

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/plans"
)

// slowOperator answers an approval only after the context it was asked
// with has outlived wait: an operator reading the prompt for longer than
// the plan's defaults.timeout. A question whose context ends first is
// the bug: it is counted and refused.
type slowOperator struct {
	wait      time.Duration
	mu        sync.Mutex
	asked     int
	cancelled int
}

func (o *slowOperator) Approve(ctx context.Context, _, _ string) (actions.Approval, error) {
	o.mu.Lock()
	o.asked++
	o.mu.Unlock()
	select {
	case <-ctx.Done():
		o.mu.Lock()
		o.cancelled++
		o.mu.Unlock()
		return actions.Approval{}, ctx.Err()
	case <-time.After(o.wait):
		return actions.Approval{Approved: true, By: "operator", At: time.Now(), How: "terminal"}, nil
	}
}

// TestApprovalOutlastsTheDefaultsTimeout: a plan's defaults (timeout and
// retry) are for actions. An operator who takes longer to answer than
// defaults.timeout is neither timed out nor asked again: the approval is
// asked once and the run goes on. The operator's wait is longer than the
// timeout whatever the machine's speed, so a slow machine cannot pass a
// run that would time the question out.
func TestApprovalOutlastsTheDefaultsTimeout(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	body := `version: 1
name: slow-operator
defaults:
  timeout: 20ms
  retry: { attempts: 3, delay: 1ms }
steps:
  - id: gate
    action: approval
    with: { message: 'Recover mgc?' }
  - id: after
    action: wait
    needs: [gate]
    with: { duration: 1ms }
`
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := builtin.New()
	p, diags := plans.Load(plan, plans.Options{Registry: reg})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	op := &slowOperator{wait: 200 * time.Millisecond}
	sum, err := Run(context.Background(), Config{Plan: p, Registry: reg, StateDir: filepath.Join(dir, "state"),
		Approver: op, User: "tester", Host: "testhost", Log: zerolog.Nop()})
	if err != nil {
		t.Fatalf("run: %v (the approval was timed out by the defaults?)", err)
	}
	if op.asked != 1 || op.cancelled != 0 {
		t.Errorf("asked %d times, %d cancelled; want asked once, never cancelled", op.asked, op.cancelled)
	}
	if st := sum.Step("gate"); st.State != StateSucceeded || st.Attempts != 1 {
		t.Errorf("gate: %s after %d attempts, want succeeded after 1", st.State, st.Attempts)
	}
	if sum.Step("after").State != StateSucceeded {
		t.Errorf("after: %s, want succeeded", sum.Step("after").State)
	}
}

package flow

import (
	"context"
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
)

// WaitParams are the parameters of wait.
type WaitParams struct {
	Duration time.Duration `param:"duration,required" doc:"How long to wait, e.g. \"30s\" or \"5m\"."`
}

// waiter is the wait action.
type waiter struct{}

func waitType() *actions.Type {
	return actions.Define[WaitParams](actions.Type{
		Name: "wait",
		Kind: actions.KindAction,
		Doc: "Waits for a fixed time, for example to let replication settle or a service start. " +
			"Cancelling the run ends the wait at once. Idempotent. To wait for a condition instead, " +
			"use `require` with `wait:` on the next step.",
		Idempotent: true,
	}, waiter{})
}

// Preview says how long it waits.
func (waiter) Preview(_ *actions.Env, p *WaitParams) (string, error) {
	return "wait " + p.Duration.String(), nil
}

// Validate wants a positive duration.
func (waiter) Validate(p *WaitParams) error {
	if d := p.Duration; d <= 0 {
		return fmt.Errorf("duration must be positive, got %s", d)
	}
	return nil
}

// Run sleeps for the duration or until ctx ends.
func (waiter) Run(ctx context.Context, _ *actions.Env, p *WaitParams) (map[string]any, error) {
	d := p.Duration
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return map[string]any{}, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait %s: %w", d, ctx.Err())
	}
}

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

func waitType() *actions.Type {
	return &actions.Type{
		Name: "wait",
		Kind: actions.KindAction,
		Doc: "Waits for a fixed time, for example to let replication settle or a service start. " +
			"Cancelling the run ends the wait at once. Idempotent. To wait for a condition instead, " +
			"use `require` with `wait:` on the next step.",
		Params:     WaitParams{},
		Idempotent: true,
		Run:        wait,
		Validate:   validateWait,
		Preview: func(params any, _ *actions.Target) string {
			return "wait " + params.(*WaitParams).Duration.String()
		},
	}
}

func validateWait(params any) error {
	if d := params.(*WaitParams).Duration; d <= 0 {
		return fmt.Errorf("duration must be positive, got %s", d)
	}
	return nil
}

// wait sleeps for the duration or until ctx ends.
func wait(ctx context.Context, _ *actions.Env, params any) (map[string]any, error) {
	d := params.(*WaitParams).Duration
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return map[string]any{}, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait %s: %w", d, ctx.Err())
	}
}

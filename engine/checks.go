package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// defaultPollInterval is how often a require check with a wait is polled
// when the plan gives no interval.
const defaultPollInterval = 5 * time.Second

// check evaluates one check once, its params resolved with the run's
// resolver. A check that cannot be evaluated (unknown type, bad params, an
// error of the check) returns the error.
func (r *run) check(ctx context.Context, c *plans.Check, stepID string) (bool, string, error) {
	out, err := r.c.check(ctx, c, stepID, r.res)
	return out.OK, out.Detail, err
}

// allPass evaluates checks in order and stops at the first that fails.
func (r *run) allPass(ctx context.Context, cs []*plans.Check, stepID string) (bool, string, error) {
	return r.c.allPass(ctx, cs, stepID, r.res)
}

// require evaluates the require checks; a check with a wait is polled
// until it passes or the wait runs out. Sleeping honours cancellation.
func (r *run) require(ctx context.Context, st *stepState) error {
	for _, c := range st.step.Require {
		if err := r.poll(ctx, c, st.step.ID); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) poll(ctx context.Context, c *plans.Check, stepID string) error {
	deadline := r.cfg.Clock.Now().Add(c.Wait)
	interval := c.Interval
	if interval <= 0 {
		interval = defaultPollInterval
	}
	for {
		ok, detail, err := r.check(ctx, c, stepID)
		if ok {
			return nil
		}
		if err != nil {
			detail = r.red.Redact(err.Error())
		}
		left := deadline.Sub(r.cfg.Clock.Now())
		if left <= 0 {
			if c.Wait > 0 {
				return actions.MarkPermanent(fmt.Errorf("require %s not met after waiting %s: %s", c.Type, c.Wait, detail))
			}
			return actions.MarkPermanent(fmt.Errorf("require %s not met: %s", c.Type, detail))
		}
		r.log.Info().Str("step", stepID).Str("check", c.Type).Str("detail", detail).Str("left", logDur(left)).Msg("waiting for require")
		if err := r.cfg.Clock.Sleep(ctx, min(interval, left)); err != nil {
			return err
		}
	}
}

// preflight evaluates every preflight check and lists every failure.
func (r *run) preflight(ctx context.Context) error {
	var fails []CheckFailure
	for _, c := range r.plan.Preflight {
		ok, detail, err := r.check(ctx, c, "")
		if err != nil {
			detail = r.red.Redact(err.Error())
		}
		if ok {
			r.log.Info().Str("check", c.Type).Msg("preflight passed")
			continue
		}
		r.log.Error().Str("check", c.Type).Str("detail", detail).Msg("preflight failed")
		fails = append(fails, CheckFailure{Check: c.Type, Pos: c.Pos, Detail: detail})
	}
	if ctx.Err() != nil {
		return &InterruptedError{RunID: r.id, Plan: r.planArg(), NothingRan: true}
	}
	if len(fails) > 0 {
		return cannotRun(&PreflightError{Failures: fails})
	}
	return nil
}

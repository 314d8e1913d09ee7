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
	return r.checkWith(ctx, c, stepID, r.res)
}

// checkWith is check with the resolver given: verify checks also see the
// outputs of the attempt they verify.
func (r *run) checkWith(ctx context.Context, c *plans.Check, stepID string, res plans.Resolver) (bool, string, error) {
	typ := r.cfg.Registry.Type(c.Type)
	if typ == nil || typ.Kind != actions.KindCheck {
		return false, "", fmt.Errorf("unknown check type %q", c.Type)
	}
	vals, err := resolveMap(c.With, res)
	if err != nil {
		return false, "", fmt.Errorf("check %s: %w", c.Type, err)
	}
	params, err := actions.Decode(typ.Params, vals)
	if err == nil && len(c.With.Refs()) > 0 {
		err = typ.Validate(params)
	}
	if err != nil {
		return false, "", fmt.Errorf("check %s: %w", c.Type, err)
	}
	target, err := r.target(c.Target)
	if err != nil {
		return false, "", fmt.Errorf("check %s: %w", c.Type, err)
	}
	env := r.env(stepID, 0, target, false)
	env.Log = env.Log.With().Str("check", c.Type).Logger()
	out, err := typ.Check(ctx, env, params)
	return out.OK, r.red.Redact(out.Detail), err
}

// allPass evaluates checks in order and stops at the first that fails.
func (r *run) allPass(ctx context.Context, cs []*plans.Check, stepID string) (bool, string, error) {
	return r.allPassWith(ctx, cs, stepID, r.res)
}

// allPassWith is allPass with the resolver given.
func (r *run) allPassWith(ctx context.Context, cs []*plans.Check, stepID string, res plans.Resolver) (bool, string, error) {
	for _, c := range cs {
		ok, detail, err := r.checkWith(ctx, c, stepID, res)
		if err != nil {
			return false, "", err
		}
		if !ok {
			return false, fmt.Sprintf("%s: %s", c.Type, detail), nil
		}
	}
	return true, "", nil
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

// resolveMap resolves a KindMap value (nil: no params).
func resolveMap(v *plans.Value, res plans.Resolver) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	x, err := v.Resolve(res)
	if err != nil {
		return nil, err
	}
	m, ok := x.(map[string]any)
	if !ok && x != nil {
		return nil, fmt.Errorf("parameters are not a mapping")
	}
	return m, nil
}

// target resolves a named target's fields ("" : no target).
func (r *run) target(name string) (*actions.Target, error) {
	if name == "" {
		return nil, nil
	}
	t := r.plan.Targets[name]
	if t == nil {
		return nil, fmt.Errorf("unknown target %q", name)
	}
	fields := make(map[string]any, len(t.Fields))
	for k, v := range t.Fields {
		x, err := v.Resolve(r.res)
		if err != nil {
			return nil, fmt.Errorf("target %s field %s: %w", name, k, err)
		}
		fields[k] = x
	}
	tt := r.cfg.Registry.TargetType(t.Type)
	if tt == nil {
		return nil, fmt.Errorf("target %s: unknown target type %q", name, t.Type)
	}
	params, err := actions.Decode(tt.Params, fields)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", name, err)
	}
	return &actions.Target{Name: t.Name, Type: t.Type, Params: params}, nil
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// caller is the engine's one resolve-and-call path: every step attempt,
// check, probe, inspection and preview is prepared by it (parameters
// resolved, decoded and, when a value was known only now, validated; the
// target decoded and opened once per run) and then calls one ability.
type caller struct {
	reg     *actions.Registry
	plan    *plans.Plan
	mode    actions.Mode
	targets *targetSet
	red     *redactor
	log     zerolog.Logger
	runID   string
	version string
	now     func() time.Time
	// approver is handed to actions in run mode only.
	approver actions.Approver
}

// call is one ability call, prepared: the type, its decoded params and
// the Env the ability gets.
type call struct {
	typ    *actions.Type
	params any
	env    *actions.Env
}

// errRunTimeValue says a preview or inspection cannot decode params
// because a value is known only when the run gets there.
var errRunTimeValue = errors.New("a value is known only at run time")

// prepare readies a call of type typeName (of kind) on target with the
// params with, resolved through res. Every error is permanent except a
// target that cannot be opened, which keeps the opener's class.
func (c *caller) prepare(ctx context.Context, kind actions.Kind, typeName string, with *plans.Value, target, stepID string,
	res plans.Resolver) (*call, error) {
	typ := c.reg.Type(typeName)
	if typ == nil || typ.Kind != kind {
		return nil, actions.MarkPermanent(fmt.Errorf("unknown %s type %q", kind, typeName))
	}
	params, err := c.params(typ, with, res)
	if err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("%s: %w", typeName, err))
	}
	t, err := c.targets.get(ctx, target)
	if err != nil {
		return nil, err
	}
	return &call{typ: typ, params: params, env: c.env(typeName, stepID, t)}, nil
}

// params resolves, decodes and validates a type's params. The loader
// validated params whose values were all known then; params that held a
// run-time reference are validated here, once resolved. A preview
// resolves to placeholders, so it does not validate them.
func (c *caller) params(typ *actions.Type, with *plans.Value, res plans.Resolver) (any, error) {
	vals, err := resolveMap(with, res)
	if err != nil {
		return nil, fmt.Errorf("resolve parameters: %w", err)
	}
	params, err := typ.Decode(vals)
	runtime := !with.IsStatic()
	switch {
	case err != nil && runtime && c.mode != actions.ModeRun:
		return nil, fmt.Errorf("%w (%v)", errRunTimeValue, err)
	case err != nil:
		return nil, err
	case runtime && c.mode != actions.ModePreview:
		if err := typ.Validate(params); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// env builds the Env of one call.
func (c *caller) env(typeName, stepID string, t *actions.Target) *actions.Env {
	log := c.log.With().Str("action", typeName).Logger()
	if stepID != "" {
		log = log.With().Str("step", stepID).Logger()
	}
	env := &actions.Env{Log: log, Mode: c.mode, RunID: c.runID, StepID: stepID, Target: t, Redact: c.red.Redact,
		Version: c.version, Now: c.now}
	if c.plan.File != "" {
		env.PlanDir = filepath.Dir(c.plan.File)
	}
	if c.mode == actions.ModeRun {
		env.Approver = c.approver
	}
	return env
}

// check evaluates one check once. detail is masked.
func (c *caller) check(ctx context.Context, chk *plans.Check, stepID string, res plans.Resolver) (actions.Result, error) {
	cl, err := c.prepare(ctx, actions.KindCheck, chk.Type, chk.With, chk.Target, stepID, res)
	if err != nil {
		return actions.Result{}, fmt.Errorf("check %s: %w", chk.Type, err)
	}
	cl.env.Log = cl.env.Log.With().Str("check", chk.Type).Logger()
	out, err := cl.typ.Check(ctx, cl.env, cl.params)
	out.Detail = c.red.Redact(out.Detail)
	out.Outputs = c.red.outputs(out.Outputs)
	return out, err
}

// allPass evaluates checks in order and stops at the first that fails.
func (c *caller) allPass(ctx context.Context, cs []*plans.Check, stepID string, res plans.Resolver) (bool, string, error) {
	for _, chk := range cs {
		out, err := c.check(ctx, chk, stepID, res)
		if err != nil {
			return false, "", err
		}
		if !out.OK {
			return false, fmt.Sprintf("%s: %s", chk.Type, out.Detail), nil
		}
	}
	return true, "", nil
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

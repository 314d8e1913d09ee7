package ps

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/expect"
)

// probeSpec is ps.invoke's probe: a command that only reads, and what
// it writes once the step's effect holds.
type probeSpec struct {
	cmd  command
	rule expect.Rule
}

// probeKeys are the keys of a probe mapping.
var probeKeys = []string{"cmdlet", "params", "switches", "script", "expect"}

// parseProbe reads the probe parameter; nil for none.
func parseProbe(m map[string]any) (*probeSpec, error) {
	if m == nil {
		return nil, nil
	}
	var unknown []string
	for k := range m {
		if !slices.Contains(probeKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("probe: unknown key %q (%s)", unknown[0], strings.Join(probeKeys, ", "))
	}
	var c command
	var ok bool
	if c.Cmdlet, ok = optional[string](m, "cmdlet"); !ok {
		return nil, fmt.Errorf("probe: cmdlet: want text")
	}
	if c.Script, ok = optional[string](m, "script"); !ok {
		return nil, fmt.Errorf("probe: script: want text")
	}
	if c.Params, ok = optional[map[string]any](m, "params"); !ok {
		return nil, fmt.Errorf("probe: params: want a mapping")
	}
	sw, ok := optional[[]any](m, "switches")
	if !ok {
		return nil, fmt.Errorf("probe: switches: want a list")
	}
	for _, s := range sw {
		name, isText := s.(string)
		if !isText {
			return nil, fmt.Errorf("probe: switches: want names, got %v", s)
		}
		c.Switches = append(c.Switches, name)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	if _, has := m["expect"]; !has {
		return nil, fmt.Errorf("probe: expect is missing: say what the command writes once the step is done")
	}
	rule, err := expect.Parse(m["expect"])
	if err != nil {
		return nil, fmt.Errorf("probe: %w", err)
	}
	return &probeSpec{cmd: c, rule: rule}, nil
}

// optional reads key as T; absent is the zero T.
func optional[T any](m map[string]any, key string) (T, bool) {
	var zero T
	v, has := m[key]
	if !has || v == nil {
		return zero, true
	}
	t, ok := v.(T)
	return t, ok
}

// evaluate runs the probe's command and applies its expect.
func (ps *probeSpec) evaluate(ctx context.Context, env *actions.Env) (expect.Outcome, error) {
	r, err := actions.TargetHandle[*runner](env)
	if err != nil {
		return expect.Outcome{}, err
	}
	body, err := ps.cmd.body()
	if err != nil {
		return expect.Outcome{}, err
	}
	res, err := r.run(ctx, env, body, DefaultMaxOutput)
	if err != nil {
		return expect.Outcome{}, fmt.Errorf("probe %s: %w", ps.cmd.name(), err)
	}
	vals, err := values(ps.cmd, res, env.RedactText)
	if err != nil {
		return expect.Outcome{}, fmt.Errorf("probe: %w", err)
	}
	out := ps.rule.Check(vals, "value")
	out.Detail = env.RedactText("probe " + ps.cmd.name() + ": " + out.Detail)
	return out, nil
}

// Probe runs the step's probe: its expect holds → done (the step is
// satisfied without acting); it does not → not done, which the plan's
// author asserts is safe to run again; no probe, or one that cannot be
// evaluated → unknown.
func (invoker) Probe(ctx context.Context, env *actions.Env, p *InvokeParams) (actions.Probe, error) {
	spec, err := parseProbe(p.Probe)
	if err != nil {
		return actions.Probe{}, actions.MarkPermanent(err)
	}
	if spec == nil {
		return actions.Probe{State: actions.ProbeUnknown, Detail: "ps.invoke has no probe: give one, or skip_if, to tell whether it is done"}, nil
	}
	out, err := spec.evaluate(ctx, env)
	switch {
	case err != nil:
		return actions.Probe{State: actions.ProbeUnknown, Detail: env.RedactText(err.Error())}, nil
	case out.OK:
		return actions.Probe{State: actions.ProbeDone, Detail: out.Detail}, nil
	}
	return actions.Probe{State: actions.ProbeNotDone, Detail: out.Detail}, nil
}

// Inspect says, with the probe (which only reads), whether the step
// would change something now.
func (invoker) Inspect(ctx context.Context, env *actions.Env, p *InvokeParams) (actions.Inspection, error) {
	spec, err := parseProbe(p.Probe)
	if err != nil {
		return actions.Inspection{}, err
	}
	what := p.command().name()
	if spec == nil {
		return actions.Inspection{Change: actions.ChangeUnknown, Summary: "would run " + what + " (no probe to tell whether it is done)"}, nil
	}
	out, err := spec.evaluate(ctx, env)
	if err != nil {
		return actions.Inspection{}, err
	}
	if out.OK {
		return actions.Inspection{Change: actions.ChangeNone, Summary: "done already: " + out.Detail}, nil
	}
	return actions.Inspection{Change: actions.ChangeSome, Summary: "would run " + what + ": " + out.Detail}, nil
}

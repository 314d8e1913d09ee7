package ps

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/expect"
)

// CheckParams are the parameters of ps.check.
type CheckParams struct {
	Cmdlet    string         `param:"cmdlet" doc:"Cmdlet to run, e.g. Get-CsPersistentChatState. Give cmdlet or script."`
	Params    map[string]any `param:"params" doc:"The cmdlet's parameters, as for ps.invoke."`
	Switches  []string       `param:"switches" doc:"Switch parameters to set."`
	Script    string         `param:"script" doc:"A script to run instead, e.g. \"(Get-CsPersistentChatState -Identity 'service:pool.example.com').PoolState\"."`
	Expect    any            `param:"expect,required" doc:"What the command must write, with the rules of sql.check: a value (equals), a list (one of), or {equals: …}, {one_of: […]}, {matches: regex}, {gt|ge|lt|le|eq|ne: n}, {count: n}. See the expect rules in docs/powershell.md."`
	MaxOutput int            `param:"max_output" default:"65536" doc:"Bytes of the end of the other output kept for the log."`
}

func (p *CheckParams) command() command {
	return command{Cmdlet: p.Cmdlet, Params: p.Params, Switches: p.Switches, Script: p.Script}
}

// checker is ps.check.
type checker struct{}

func checkType() *actions.Type {
	return actions.Define[CheckParams](actions.Type{
		Name: "ps.check",
		Kind: actions.KindCheck,
		Doc: "Runs a cmdlet or a script as ps.invoke does and compares what it writes with expect, with the rules of " +
			"sql.check (a value, one of a list, a regular expression, a numeric comparison, or a count). A mismatch fails " +
			"the check with \"expected …, got …\"; a PowerShell error, or PowerShell that cannot run, is an error. " +
			"It should only read (Get- cmdlets): it runs in `plan --check` too.",
		Targets: []string{"powershell"},
	}, checker{})
}

// Validate checks the params beyond their types, expect included.
func (checker) Validate(p *CheckParams) error {
	if p.MaxOutput <= 0 || p.MaxOutput > maxMaxOutput {
		return fmt.Errorf("max_output must be between 1 and %d, got %d", maxMaxOutput, p.MaxOutput)
	}
	if _, err := expect.Parse(p.Expect); err != nil {
		return err
	}
	return p.command().validate()
}

// Check evaluates ps.check once.
func (checker) Check(ctx context.Context, env *actions.Env, p *CheckParams) (actions.Result, error) {
	rule, err := expect.Parse(p.Expect)
	if err != nil {
		return actions.Result{}, actions.MarkPermanent(err)
	}
	r, err := actions.TargetHandle[*runner](env)
	if err != nil {
		return actions.Result{}, err
	}
	c := p.command()
	body, err := c.body()
	if err != nil {
		return actions.Result{}, actions.MarkPermanent(err)
	}
	res, err := r.run(ctx, env, body, p.MaxOutput)
	if err != nil {
		return actions.Result{}, fmt.Errorf("%s: %w", c.name(), err)
	}
	vals, err := values(c, res, env.RedactText)
	if err != nil {
		return actions.Result{}, err
	}
	out := rule.Check(vals, "value")
	o := outputs(vals, res.Stdout)
	return actions.Result{OK: out.OK, Detail: env.RedactText(c.name() + ": " + out.Detail),
		Outputs: map[string]any{"result": o["result"], "count": o["count"]}}, nil
}

// Preview shows the command line and the whole script.
func (checker) Preview(env *actions.Env, p *CheckParams) (string, error) {
	return preview(env, p.command())
}

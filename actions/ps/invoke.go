package ps

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
)

// DefaultMaxOutput is how many bytes of the end of the other output
// (not the result) a step keeps unless max_output says otherwise.
const DefaultMaxOutput = 64 << 10

// maxMaxOutput bounds max_output: outputs are journaled.
const maxMaxOutput = 16 << 20

// InvokeParams are the parameters of ps.invoke.
type InvokeParams struct {
	Cmdlet    string         `param:"cmdlet" doc:"Cmdlet to run, e.g. Set-CsPersistentChatState. Give cmdlet or script."`
	Params    map[string]any `param:"params" doc:"The cmdlet's parameters by name (without the dash): text, numbers, true/false ($true/$false), lists (@(…)) or null ($null, e.g. ActiveServers: null to clear the list). Each value is passed as a literal, never expanded."`
	Switches  []string       `param:"switches" doc:"Switch parameters to set, e.g. [Force, DropExistingDatabasesOnMirror]."`
	Script    string         `param:"script" doc:"A script to run instead of a cmdlet, as it is (values in it are not quoted for you: prefer cmdlet and params)."`
	MaxOutput int            `param:"max_output" default:"65536" doc:"Bytes of the end of the other output (not the result) kept as the output named output (at most 16 MiB)."`
	Probe     map[string]any `param:"probe" doc:"A command that only reads and tells whether the step's effect holds: {cmdlet, params, switches} or {script}, with expect (the rules of ps.check). It holds: the step is satisfied without running (also on resume). It does not: the step runs (again), so give a probe only where running again is safe. plan --check runs it."`
}

func (p *InvokeParams) command() command {
	return command{Cmdlet: p.Cmdlet, Params: p.Params, Switches: p.Switches, Script: p.Script}
}

// invoker is ps.invoke.
type invoker struct{}

func invokeType() *actions.Type {
	return actions.Define[InvokeParams](actions.Type{
		Name: "ps.invoke",
		Kind: actions.KindAction,
		Doc: "Runs a cmdlet with typed parameters, or a script, in Windows PowerShell on a powershell target " +
			"(locally, or on its computer through Invoke-Command), with -NoProfile -NonInteractive -EncodedCommand " +
			"inside a wrapper: $ErrorActionPreference = 'Stop', -Confirm:$false for every cmdlet that has it, the " +
			"target's modules imported first, UTF-8 output and the result as one line of JSON. Values are passed as " +
			"single-quoted literals (all quote characters doubled), so nothing in them is expanded. What the command " +
			"writes becomes the outputs; a PowerShell error fails the attempt with the cmdlet and the error record " +
			"(a command, parameter or module that does not exist fails the step at once). On timeout or cancellation " +
			"PowerShell is killed with every process it started. Not idempotent: declare `idempotent: true` on a step " +
			"that may safely run twice (Set-CsPersistentChatState, Set-CsPersistentChatActiveServer with the whole list " +
			"or null), and use skip_if with ps.check to tell that it is done already.",
		Targets:     []string{"powershell"},
		OpenOutputs: true,
		Outputs: []actions.Output{
			{Name: "result", Doc: "What the command wrote: null for nothing, the value for one, a list for several. Objects are mappings of their properties; enums are their names; dates ISO 8601 UTC."},
			{Name: "count", Doc: "How many objects the command wrote."},
			{Name: "output", Doc: "The end of the other output (Write-Host, warnings), secrets masked."},
			{Name: "PROPERTY", Doc: "When the command wrote one object: each of its properties too, e.g. PoolState."},
		},
	}, invoker{})
}

// Validate checks the params beyond their types.
func (invoker) Validate(p *InvokeParams) error {
	if p.MaxOutput <= 0 || p.MaxOutput > maxMaxOutput {
		return fmt.Errorf("max_output must be between 1 and %d, got %d", maxMaxOutput, p.MaxOutput)
	}
	if _, err := parseProbe(p.Probe); err != nil {
		return err
	}
	return p.command().validate()
}

// Run performs one attempt of ps.invoke.
func (invoker) Run(ctx context.Context, env *actions.Env, p *InvokeParams) (map[string]any, error) {
	r, err := actions.TargetHandle[*runner](env)
	if err != nil {
		return nil, err
	}
	c := p.command()
	body, err := c.body()
	if err != nil {
		return nil, actions.MarkPermanent(err)
	}
	res, err := r.run(ctx, env, body, p.MaxOutput)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.name(), err)
	}
	vals, err := values(c, res, env.RedactText)
	if err != nil {
		return nil, err
	}
	return outputs(vals, res.Stdout), nil
}

// Preview shows the command line and the whole script.
func (invoker) Preview(env *actions.Env, p *InvokeParams) (string, error) {
	return preview(env, p.command())
}

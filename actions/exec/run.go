package exec

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/proc"
)

// runner is exec.run: it runs the program once per attempt.
type runner struct{ common }

func runType() *actions.Type {
	return actions.Define[Params](actions.Type{
		Name: "exec.run",
		Kind: actions.KindAction,
		Doc: "Runs a program with its arguments, without a shell, and waits for it; its standard input is empty. " +
			"Its stdout and stderr go to the log line by line (secrets masked); the last " +
			"max_output bytes of each become outputs. A non-zero exit code fails the attempt " +
			"(retried only with `retry: {on: any}`); a program that cannot be found fails the " +
			"step at once. On timeout or cancellation the program is killed with every process " +
			"it started, and so is anything it leaves running when it exits. Not idempotent: " +
			"declare `idempotent: true` on a step whose command may safely run twice.",
		Outputs: []actions.Output{
			{Name: "stdout", Doc: "The last max_output bytes of standard output, trailing newlines removed, secrets masked."},
			{Name: "stderr", Doc: "The last max_output bytes of standard error, trailing newlines removed, secrets masked."},
			{Name: "exit_code", Doc: "The program's exit code (always 0 in a successful step)."},
		},
		Idempotent: false,
	}, runner{})
}

// Run performs one attempt of exec.run.
func (runner) Run(ctx context.Context, env *actions.Env, p *Params) (map[string]any, error) {
	res, err := runCommand(ctx, env, p)
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, exitError(p.Program, res)
	}
	return map[string]any{
		"stdout":    res.Stdout,
		"stderr":    res.Stderr,
		"exit_code": int64(res.ExitCode),
	}, nil
}

// exitError names the program, its exit code and its last stderr line.
// It is left unclassified: a failing command is retried only when the
// plan says `retry: {on: any}`.
func exitError(program string, res *proc.Result) error {
	if res.LastStderr == "" {
		return fmt.Errorf("%s exited with code %d", program, res.ExitCode)
	}
	return fmt.Errorf("%s exited with code %d: %s", program, res.ExitCode, res.LastStderr)
}

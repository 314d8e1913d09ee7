package exec

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
)

// checker is exec.check: it passes when the program exits with code 0.
type checker struct{ common }

func checkType() *actions.Type {
	return actions.Define[Params](actions.Type{
		Name: "exec.check",
		Kind: actions.KindCheck,
		Doc: "Runs a program as exec.run does and passes when it exits with code 0. " +
			"A non-zero exit fails the check, with the exit code and the last line of stderr " +
			"as the detail. A program that cannot be found, or a timeout, is an error.",
	}, checker{})
}

// Check evaluates exec.check once.
func (checker) Check(ctx context.Context, env *actions.Env, p *Params) (actions.Result, error) {
	res, err := runCommand(ctx, env, p)
	if err != nil {
		return actions.Result{}, err
	}
	out := map[string]any{"exit_code": int64(res.ExitCode)}
	if res.ExitCode != 0 {
		return actions.Result{Detail: exitError(p.Program, res).Error(), Outputs: out}, nil
	}
	return actions.Result{OK: true, Detail: fmt.Sprintf("%s exited with code 0", p.Program), Outputs: out}, nil
}

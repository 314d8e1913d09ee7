package exec

import (
	"context"
	"fmt"

	"github.com/failover-dev/failover/actions"
)

func checkType() *actions.Type {
	return &actions.Type{
		Name: "exec.check",
		Kind: actions.KindCheck,
		Doc: "Runs a program as exec.run does and passes when it exits with code 0. " +
			"A non-zero exit fails the check, with the exit code and the last line of stderr " +
			"as the detail. A program that cannot be found, or a timeout, is an error.",
		Params:   Params{},
		Check:    check,
		Validate: validate,
		Preview:  preview,
	}
}

// check evaluates exec.check once.
func check(ctx context.Context, env *actions.Env, params any) (bool, string, error) {
	p := params.(*Params)
	if err := validate(p); err != nil {
		return false, "", actions.MarkPermanent(err)
	}
	res, err := runCommand(ctx, env, p)
	if err != nil {
		return false, "", err
	}
	if res.exitCode != 0 {
		return false, exitError(p.Program, res).Error(), nil
	}
	return true, fmt.Sprintf("%s exited with code 0", p.Program), nil
}

package reference

import (
	"context"

	"github.com/failover-dev/failover/actions"
)

// queryParams has a doc with a pipe and an enum, to test rendering.
type queryParams struct {
	SQL  string `param:"sql,required" doc:"T-SQL to run; a | b is escaped."`
	Mode string `param:"mode,enum=read|write" default:"read" doc:"Access."`
}

type dbFields struct {
	Server string `param:"server,required" doc:"Host."`
}

type fakeQuery struct{}

func (fakeQuery) Run(context.Context, *actions.Env, *queryParams) (map[string]any, error) {
	return nil, nil
}

type fakeUp struct{}

func (fakeUp) Check(context.Context, *actions.Env, *actions.None) (actions.Result, error) {
	return actions.Pass(""), nil
}

// fakeRegistry holds types with targets and open outputs, which the
// built-in families do not have.
func fakeRegistry() *actions.Registry {
	r := actions.NewRegistry()
	r.RegisterTarget(actions.DefineTarget[dbFields](actions.TargetType{Name: "db", Doc: "A database."}, nil))
	r.Register(actions.Define[queryParams](actions.Type{
		Name: "db.query", Kind: actions.KindAction, Doc: "Runs a query.",
		Targets:     []string{"db"},
		Outputs:     []actions.Output{{Name: "rows", Doc: "Rows read."}},
		OpenOutputs: true,
	}, fakeQuery{}))
	r.Register(actions.Define[actions.None](actions.Type{
		Name: "db.up", Kind: actions.KindCheck, Doc: "Is it up.",
		Targets: []string{"db"}, TargetOptional: true,
	}, fakeUp{}))
	return r
}

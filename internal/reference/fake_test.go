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

// fakeRegistry holds types with targets and open outputs, which the
// built-in families do not have.
func fakeRegistry() *actions.Registry {
	r := actions.NewRegistry()
	r.RegisterTarget(&actions.TargetType{Name: "db", Doc: "A database.", Params: dbFields{}})
	r.Register(&actions.Type{
		Name: "db.query", Kind: actions.KindAction, Doc: "Runs a query.",
		Params: queryParams{}, Targets: []string{"db"},
		Outputs:     []actions.Output{{Name: "rows", Doc: "Rows read."}},
		OpenOutputs: true,
		Run:         func(context.Context, *actions.Env, any) (map[string]any, error) { return nil, nil },
	})
	r.Register(&actions.Type{
		Name: "db.up", Kind: actions.KindCheck, Doc: "Is it up.",
		Targets: []string{"db"}, TargetOptional: true,
		Check: func(context.Context, *actions.Env, any) (bool, string, error) { return true, "", nil },
	})
	return r
}

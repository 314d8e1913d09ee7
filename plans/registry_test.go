package plans

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/failover-dev/failover/actions"
)

// The tests build their own registry of types resembling the real ones,
// so that plans tests never link an action family.

type copyParams struct {
	From      string   `param:"from,required" doc:"Source directory."`
	To        string   `param:"to,required" doc:"Destination directory."`
	Include   []string `param:"include" doc:"Globs to copy."`
	Exclude   []string `param:"exclude" doc:"Globs to skip."`
	Overwrite bool     `param:"overwrite" doc:"Replace existing files."`
}

type sqlExecParams struct {
	Database string        `param:"database,required" doc:"Database to use."`
	Query    string        `param:"query,required" doc:"T-SQL to run."`
	Timeout  time.Duration `param:"timeout" default:"30s" doc:"Statement timeout."`
}

type execRunParams struct {
	Program string            `param:"program,required" doc:"Program to run."`
	Args    []string          `param:"args" doc:"Arguments."`
	Env     map[string]string `param:"env" doc:"Extra environment."`
	Dir     string            `param:"dir" doc:"Working directory."`
	Retries int               `param:"retries" doc:"Internal retries."`
	Ratio   float64           `param:"ratio" doc:"A number."`
	Token   string            `param:"token,secret" doc:"A token passed in the environment."`
}

type dbStateParams struct {
	Database string `param:"database,required" doc:"Database."`
	State    string `param:"state,required,enum=ONLINE|RESTORING|OFFLINE|STANDBY" doc:"Wanted state."`
}

type psInvokeParams struct {
	Cmdlet string         `param:"cmdlet,required" doc:"Cmdlet."`
	Params map[string]any `param:"params" doc:"Cmdlet parameters."`
}

type psCheckParams struct {
	Script string `param:"script,required" doc:"Script."`
	Expect string `param:"expect" doc:"Expected output."`
}

type logshipParams struct {
	Database string `param:"database,required" doc:"Database."`
}

type sqlTarget struct {
	Server   string `param:"server,required" doc:"Host name."`
	User     string `param:"user" doc:"Login; omitted: integrated auth."`
	Password string `param:"password,secret" doc:"Password."`
	Port     int    `param:"port" default:"1433" doc:"TCP port."`
}

type psTarget struct {
	Modules  []string `param:"modules" doc:"Modules to import."`
	Computer string   `param:"computer" doc:"Remote computer."`
}

type hostTarget struct {
	Address string `param:"address,required" doc:"Host name or IP."`
}

// noRun and noCheck are implementations that do nothing: the plans
// tests never run anything.
type noRun[P any] struct{}

func (noRun[P]) Run(context.Context, *actions.Env, *P) (map[string]any, error) { return nil, nil }

type noCheck[P any] struct{}

func (noCheck[P]) Check(context.Context, *actions.Env, *P) (actions.Result, error) {
	return actions.Pass(""), nil
}

// copyRules is fs.copy's fake: it runs nothing and has a cross-field rule.
type copyRules struct{ noRun[copyParams] }

func (copyRules) Validate(c *copyParams) error {
	if c.From == c.To {
		return errors.New("from and to are the same directory")
	}
	return nil
}

// hostRules is the host target's fake rule.
type hostRules struct{}

func (hostRules) Validate(p *hostTarget) error {
	if strings.ContainsAny(p.Address, " /") {
		return errors.New("address must be a host name or an IP address")
	}
	return nil
}

// testRegistry returns a registry of fake types for the tests.
func testRegistry() *actions.Registry {
	r := actions.NewRegistry()
	r.RegisterTarget(actions.DefineTarget[sqlTarget](actions.TargetType{Name: "sqlserver"}, nil))
	r.RegisterTarget(actions.DefineTarget[psTarget](actions.TargetType{Name: "powershell"}, nil))
	r.RegisterTarget(actions.DefineTarget[hostTarget](actions.TargetType{Name: "host"}, hostRules{}))
	r.Register(actions.Define[copyParams](actions.Type{Name: "fs.copy", Kind: actions.KindAction,
		Outputs: []actions.Output{{Name: "files"}, {Name: "bytes"}}, Idempotent: true}, copyRules{}))
	r.Register(actions.Define[sqlExecParams](actions.Type{Name: "sql.exec", Kind: actions.KindAction,
		Targets: []string{"sqlserver"}, OpenOutputs: true, Outputs: []actions.Output{{Name: "rows"}}}, noRun[sqlExecParams]{}))
	r.Register(actions.Define[execRunParams](actions.Type{Name: "exec.run", Kind: actions.KindAction,
		Targets: []string{"host"}, TargetOptional: true,
		Outputs: []actions.Output{{Name: "exit_code"}, {Name: "stdout"}}}, noRun[execRunParams]{}))
	r.Register(actions.Define[psInvokeParams](actions.Type{Name: "ps.invoke", Kind: actions.KindAction,
		Targets: []string{"powershell"}, Outputs: []actions.Output{{Name: "output"}}}, noRun[psInvokeParams]{}))
	r.Register(actions.Define[logshipParams](actions.Type{Name: "logship.remove", Kind: actions.KindAction,
		Targets: []string{"sqlserver"}}, noRun[logshipParams]{}))
	r.Register(actions.Define[actions.None](actions.Type{Name: "approval", Kind: actions.KindAction}, noRun[actions.None]{}))
	r.Register(actions.Define[dbStateParams](actions.Type{Name: "db.state", Kind: actions.KindCheck,
		Targets: []string{"sqlserver"}}, noCheck[dbStateParams]{}))
	r.Register(actions.Define[psCheckParams](actions.Type{Name: "ps.check", Kind: actions.KindCheck,
		Targets: []string{"powershell"}}, noCheck[psCheckParams]{}))
	return r
}

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

func noRun(context.Context, *actions.Env, any) (map[string]any, error) { return nil, nil }

func noCheck(context.Context, *actions.Env, any) (bool, string, error) { return true, "", nil }

// testRegistry returns a registry of fake types for the tests.
func testRegistry() *actions.Registry {
	r := actions.NewRegistry()
	r.RegisterTarget(&actions.TargetType{Name: "sqlserver", Params: sqlTarget{}})
	r.RegisterTarget(&actions.TargetType{Name: "powershell", Params: psTarget{}})
	r.RegisterTarget(&actions.TargetType{Name: "host", Params: hostTarget{}, Validate: func(p any) error {
		if strings.ContainsAny(p.(*hostTarget).Address, " /") {
			return errors.New("address must be a host name or an IP address")
		}
		return nil
	}})
	r.Register(&actions.Type{Name: "fs.copy", Kind: actions.KindAction, Params: copyParams{}, Run: noRun,
		Outputs: []actions.Output{{Name: "files"}, {Name: "bytes"}}, Idempotent: true,
		Validate: func(p any) error {
			if c := p.(*copyParams); c.From == c.To {
				return errors.New("from and to are the same directory")
			}
			return nil
		}})
	r.Register(&actions.Type{Name: "sql.exec", Kind: actions.KindAction, Params: sqlExecParams{}, Run: noRun,
		Targets: []string{"sqlserver"}, OpenOutputs: true, Outputs: []actions.Output{{Name: "rows"}}})
	r.Register(&actions.Type{Name: "exec.run", Kind: actions.KindAction, Params: execRunParams{}, Run: noRun,
		Targets: []string{"host"}, TargetOptional: true,
		Outputs: []actions.Output{{Name: "exit_code"}, {Name: "stdout"}}})
	r.Register(&actions.Type{Name: "ps.invoke", Kind: actions.KindAction, Params: psInvokeParams{}, Run: noRun,
		Targets: []string{"powershell"}, Outputs: []actions.Output{{Name: "output"}}})
	r.Register(&actions.Type{Name: "logship.remove", Kind: actions.KindAction, Params: logshipParams{}, Run: noRun,
		Targets: []string{"sqlserver"}})
	r.Register(&actions.Type{Name: "approval", Kind: actions.KindAction, Run: noRun})
	r.Register(&actions.Type{Name: "db.state", Kind: actions.KindCheck, Params: dbStateParams{}, Check: noCheck,
		Targets: []string{"sqlserver"}})
	r.Register(&actions.Type{Name: "ps.check", Kind: actions.KindCheck, Params: psCheckParams{}, Check: noCheck,
		Targets: []string{"powershell"}})
	return r
}

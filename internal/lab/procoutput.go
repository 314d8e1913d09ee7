package lab

import (
	"slices"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// procOutputs are the OUTPUT parameter values a procedure call set.
type procOutputs struct {
	// params are the called procedure's parameters in order (to name a
	// positional argument).
	params []string
	values map[string]outputValue
}

// outputValue is an OUTPUT parameter's value as a procedure set it, with
// the parameter's type.
type outputValue struct {
	col tds.Column
	v   any
}

// setOutput records an OUTPUT parameter's value (name with its "@").
func (x *stmtCtx) setOutput(name string, col tds.Column, v any) {
	if x.out.values == nil {
		x.out.values = map[string]outputValue{}
	}
	x.out.values[strings.ToLower(name)] = outputValue{col, v}
}

// msgOutputConstant is 179: OUTPUT after a value that is no variable.
func msgOutputConstant() sqlMsg {
	return sqlMsg{179, 1, 15, "Cannot use the OUTPUT option when passing a constant to a stored procedure."}
}

// checkNoOutputs refuses OUTPUT for a procedure without OUTPUT
// parameters (8162), naming the formal parameter by name or position.
func checkNoOutputs(args []procArg, params ...string) error {
	return checkOutputs(args, params, nil)
}

// checkOutputs refuses OUTPUT for a parameter that is not one of outs
// (8162), as SQL Server does before the procedure runs.
func checkOutputs(args []procArg, params, outs []string) error {
	for i, a := range args {
		if !a.output {
			continue
		}
		name := a.name
		if name == "" && i < len(params) {
			name = params[i]
		}
		if !slices.Contains(outs, name) {
			return fail(msgNotOutputParam(name))
		}
	}
	return nil
}

// assignOutputs stores the values a procedure set into the variables
// passed OUTPUT (EXEC proc @p = @v OUTPUT inside a batch).
func (x *stmtCtx) assignOutputs(args []procArg) error {
	for i, a := range args {
		if !a.output {
			continue
		}
		name := a.name
		if name == "" {
			name = x.outputAt(i)
		}
		out, ok := x.out.values[name]
		if !ok {
			continue
		}
		v := a.e.(varExpr).name // procArgs allows OUTPUT only after a variable
		if _, declared := x.vars[v]; !declared {
			return fail(msgMustDeclare(v))
		}
		if err := x.assignVar(v, out.v); err != nil {
			return err
		}
	}
	return nil
}

// outputAt is the name of the parameter at position i of the procedure
// that ran; "" when unknown.
func (x *stmtCtx) outputAt(i int) string {
	if i < len(x.out.params) {
		return x.out.params[i]
	}
	return ""
}

// sendOutputs sends an RPC's OUTPUT parameters the procedure set
// (RETURNVALUE tokens, after the return status as SQL Server sends
// them); go-mssqldb fills each sql.Out by name.
func (x *stmtCtx) sendOutputs(params []tds.Param) {
	ow, ok := x.w.(tds.OutputWriter)
	if !ok {
		return
	}
	for i, p := range params {
		if !p.Output {
			continue
		}
		name := strings.ToLower(p.Name)
		if name == "" {
			name = x.outputAt(i)
		}
		if out, ok := x.out.values[name]; ok {
			_ = ow.OutputParam(p.Name, out.col, wireRow([]any{out.v})[0])
		}
	}
}

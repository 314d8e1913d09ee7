package lyncshell

import (
	"strings"
)

// exitRequest is `exit N`.
type exitRequest struct{ code int }

func (e exitRequest) Error() string { return "exit" }

// run evaluates statements and returns what they wrote. With
// $ErrorActionPreference Stop the first error ends the run; otherwise
// (a bare -Command) an error is reported and the next statement runs,
// as in PowerShell, and failed reports whether the last one failed.
func (sh *shell) run(stmts []stmt) (out []any, failed bool, err error) {
	for _, s := range stmts {
		vals, err := sh.statement(s)
		if err != nil {
			if _, isExit := err.(exitRequest); isExit || sh.stopOnError() {
				return out, true, err
			}
			sh.report(err)
			failed = true
			continue
		}
		failed = false
		out = append(out, vals...)
	}
	return out, failed, nil
}

func (sh *shell) stopOnError() bool {
	return strings.EqualFold(toText(sh.variable("ErrorActionPreference")), "Stop")
}

func (sh *shell) statement(s stmt) ([]any, error) {
	sh.at = s.at
	var vals []any
	if s.pipe != nil {
		v, err := sh.pipeline(s.pipe)
		if err != nil {
			return nil, sh.locate(err, s.at)
		}
		vals = v
	}
	switch {
	case s.exit:
		code := 0
		if len(vals) > 0 {
			if n, ok := vals[0].(int64); ok {
				code = int(n)
			}
		}
		return nil, exitRequest{code}
	case s.assign != "":
		sh.vars[strings.ToLower(s.assign)] = collapse(vals)
		return nil, nil
	}
	return vals, nil
}

// locate gives an error record without a position the statement's.
func (sh *shell) locate(err error, at token) error {
	if e, ok := err.(*psError); ok && e.line == 0 {
		e.line, e.col = at.line, at.col
		if at.line-1 < len(sh.lines) {
			e.text = sh.lines[at.line-1]
		}
	}
	return err
}

// collapse is a pipeline's output as a value: nothing is $null, one
// object itself, several a list.
func collapse(vals []any) any {
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return vals[0]
	}
	return vals
}

func (sh *shell) pipeline(pl *pipeline) ([]any, error) {
	var stream []any
	for i, e := range pl.elems {
		if e.cmd == nil {
			v, err := sh.eval(e.expr)
			if err != nil {
				return nil, err
			}
			stream = enumerate(v)
			continue
		}
		out, err := sh.call(e.cmd, stream, i > 0)
		if err != nil {
			return nil, err
		}
		stream = out
	}
	return stream, nil
}

// eval evaluates an expression.
func (sh *shell) eval(n node) (any, error) {
	switch x := n.(type) {
	case lit:
		return x.v, nil
	case vari:
		return sh.variable(x.name), nil
	case member:
		v, err := sh.eval(x.x)
		if err != nil {
			return nil, err
		}
		return memberOf(v, x.name), nil
	case paren:
		vals, err := sh.pipeline(x.p)
		return collapse(vals), err
	case arrayExpr:
		vals, _, err := sh.run(x.stmts)
		if vals == nil {
			vals = []any{}
		}
		return vals, err
	case *listExpr:
		out := make([]any, len(x.items))
		for i, it := range x.items {
			v, err := sh.eval(it)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case hashExpr:
		h := newHashtable()
		for i, k := range x.keys {
			v, err := sh.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			h.set(k, v)
		}
		return h, nil
	}
	return nil, unsupported("", "an expression of type %T", n)
}

func (sh *shell) variable(name string) any {
	return sh.vars[strings.ToLower(name)]
}

// call runs one command of a pipeline.
func (sh *shell) call(c *cmdCall, input []any, piped bool) ([]any, error) {
	cm := lookupCmdlet(c.name)
	if cm == nil || cm.lync && !sh.moduleLoaded {
		return nil, notRecognized(c.name)
	}
	b, err := sh.bind(cm, c)
	if err != nil {
		return nil, err
	}
	if piped && cm.pipeline == "" {
		return nil, bindError(cm.name, "InputObjectNotBound", "InvalidArgument",
			"The input object cannot be bound to any parameters for the command either because the command does not take pipeline input or the input and its properties do not match any of the parameters that take pipeline input.")
	}
	if !piped {
		input = nil
	}
	if err := missingMandatory(cm, b); err != nil && !(piped && cm.pipeline != "") {
		return nil, err
	}
	if b.has("WhatIf") {
		return nil, unsupported(cm.name, "-WhatIf")
	}
	if err := sh.actionParams(cm, b); err != nil {
		return nil, err
	}
	if err := sh.confirm(cm, b); err != nil {
		return nil, err
	}
	sh.logCall(cm.name, b)
	if err := sh.fault(cm.name); err != nil {
		return nil, err
	}
	return cm.run(sh, b, input)
}

// actionParams refuses an -ErrorAction or -WarningAction the shell would
// not honour: it ends the run at an error only under
// $ErrorActionPreference Stop (and goes on otherwise), and always writes
// its warnings. Any other value (SilentlyContinue, Ignore, Inquire, …)
// would change what PowerShell does, so it is not simulated.
func (sh *shell) actionParams(c *cmdlet, b bound) error {
	onError := "Continue"
	if sh.stopOnError() {
		onError = "Stop"
	}
	for _, p := range []struct{ name, honoured string }{{"ErrorAction", onError}, {"WarningAction", "Continue"}} {
		if v := b.text(p.name); b.has(p.name) && !strings.EqualFold(v, p.honoured) {
			return unsupported(c.name, "-%s %s (here the lab's cmdlets act as with -%s %s)", p.name, v, p.name, p.honoured)
		}
	}
	return nil
}

// confirm models a ConfirmImpact High cmdlet: it prompts unless
// -Confirm:$false, $PSDefaultParameterValues['*:Confirm'] = $false or
// $ConfirmPreference = 'None' says not to; -NonInteractive turns the
// prompt into an error.
func (sh *shell) confirm(c *cmdlet, b bound) error {
	if !c.prompts {
		return nil
	}
	if v, ok := b["Confirm"].(bool); ok && !v {
		return nil
	}
	if strings.EqualFold(toText(sh.variable("ConfirmPreference")), "None") {
		return nil
	}
	if d, ok := sh.variable("PSDefaultParameterValues").(*object); ok {
		for _, k := range []string{"*:Confirm", c.name + ":Confirm"} {
			if v, ok := d.get(k); ok && v == false {
				return nil
			}
		}
	}
	if sh.nonInteractive {
		return &psError{msg: "PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.",
			errorID: "System.Management.Automation.Host.HostException," + cmdletClass(c.name), command: c.name,
			category: "InvalidOperation: (:) [" + c.name + "], HostException", excType: "System.Management.Automation.Host.HostException"}
	}
	return unsupported(c.name, "a confirmation prompt (%s asks \"Are you sure you want to perform this action?\"): pass -Confirm:$false", c.name)
}

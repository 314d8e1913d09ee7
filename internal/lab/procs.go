package lab

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// procArg is one argument of a procedure call.
type procArg struct {
	name string // "@secondary_database", or "" when positional
	e    expr
	// output: the argument was passed OUTPUT (a variable the procedure
	// sets; procoutput.go).
	output bool
}

// parseExec parses EXEC (string) and EXEC [@rc =] proc [args].
func parseExec(p *parser) (func(*stmtCtx) error, error) {
	if p.acceptOp("(") {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		if !p.done() {
			return nil, p.errNear()
		}
		return func(x *stmtCtx) error { return x.dynamic(e) }, nil
	}
	rc := ""
	if p.peek().kind == tVar && p.peekAt(1).isOp("=") {
		rc = strings.ToLower(p.next().text)
		p.next()
	}
	name, err := p.multipartName()
	if err != nil {
		return nil, err
	}
	args, err := p.procArgs()
	if err != nil {
		return nil, err
	}
	st, err := procCall(strings.Join(name, "."), args)
	if err != nil {
		return nil, err
	}
	return func(x *stmtCtx) error {
		err := st.run(x)
		if err == nil {
			err = x.assignOutputs(args)
		}
		if rc != "" {
			if _, ok := x.vars[rc]; !ok {
				return fail(msgMustDeclare(rc))
			}
			x.vars[rc] = int64(x.status)
		}
		return err
	}, nil
}

// procArgs parses [@name =] value [OUTPUT], …; a bare word is a string,
// as T-SQL allows for procedure arguments (EXEC sp_x mgc).
func (p *parser) procArgs() ([]procArg, error) {
	var args []procArg
	for !p.done() {
		var a procArg
		if p.peek().kind == tVar && p.peekAt(1).isOp("=") {
			a.name = strings.ToLower(p.next().text)
			p.next()
		}
		t := p.peek()
		if (t.kind == tWord || t.kind == tQuoted) && !t.is("NULL") && (p.peekAt(1).isOp(",") || p.peekAt(1).kind == tEOF) {
			p.next()
			a.e = litExpr{t.text}
		} else {
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			a.e = e
		}
		a.output = p.accept("OUTPUT") || p.accept("OUT")
		if _, isVar := a.e.(varExpr); a.output && !isVar {
			return nil, fail(msgOutputConstant())
		}
		args = append(args, a)
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return args, nil
}

// rpcArgs turns RPC parameters into procedure arguments.
func rpcArgs(params []tds.Param) []procArg {
	args := make([]procArg, len(params))
	for i, p := range params {
		args[i] = procArg{name: strings.ToLower(p.Name), e: litExpr{paramValue(p)}, output: p.Output}
	}
	return args
}

// procCall resolves a procedure the lab knows.
func procCall(proc string, args []procArg) (stmt, error) {
	parts := strings.Split(strings.ToLower(strings.Trim(proc, "[]")), ".")
	short := strings.Trim(parts[len(parts)-1], "[]")
	qualifier := "" // the database of master.dbo.sp_x, where it runs
	if len(parts) == 3 {
		qualifier = strings.Trim(parts[0], "[]")
	}
	text := "EXEC " + proc
	switch short {
	case "sp_delete_log_shipping_secondary_database":
		return stmt{text: text, write: true, mayWrite: true, run: func(x *stmtCtx) error {
			if err := x.checkMasterProc(short, qualifier); err != nil {
				return err
			}
			if err := checkNoOutputs(args, "@secondary_database", "@ignoreremotemonitor"); err != nil {
				x.status = 1
				return err
			}
			return x.deleteSecondary(args)
		}}, nil
	case "sp_who2":
		if len(args) > 0 {
			// Its filter (a spid, a login, 'active') would be ignored.
			return stmt{}, fail(msgUnsupported("sp_who2 with an argument"))
		}
		return stmt{text: text, run: func(x *stmtCtx) error { return x.who2() }}, nil
	case "sp_help_log_shipping_monitor":
		if err := checkArgs(short, args); err != nil {
			return stmt{}, err
		}
		return stmt{text: text, run: func(x *stmtCtx) error {
			if err := x.checkMasterProc(short, qualifier); err != nil {
				return err
			}
			return x.helpLogShippingMonitor()
		}}, nil
	case "sp_executesql":
		if slices.ContainsFunc(args, func(a procArg) bool { return a.output }) {
			return stmt{}, fail(msgUnsupported("an OUTPUT parameter of sp_executesql"))
		}
		return stmt{text: text, run: func(x *stmtCtx) error { return x.execSQLArgs(args) }}, nil
	}
	if sp, ok := setupProcs[short]; ok {
		return sp.call(short, qualifier, text, args), nil
	}
	return stmt{}, fail(msgUnsupported(text))
}

// argValue finds an argument by name or position and evaluates it.
// checkArgs refuses arguments a procedure does not have, as SQL Server
// does before running it: a named one it lacks (8145) or more positional
// ones than its parameters (8144).
func checkArgs(proc string, args []procArg, params ...string) error {
	positional := 0
	for _, a := range args {
		if a.name == "" {
			positional++
			continue
		}
		if !slices.Contains(params, a.name) {
			return fail(sqlMsg{8145, 2, 16, fmt.Sprintf("%s is not a parameter for procedure %s.", a.name, proc)})
		}
	}
	if positional > len(params) {
		return fail(sqlMsg{8144, 2, 16, fmt.Sprintf("Procedure or function %s has too many arguments specified.", proc)})
	}
	return nil
}

func (x *stmtCtx) argValue(args []procArg, name string, pos int) (any, bool, error) {
	for i, a := range args {
		if a.name == name || a.name == "" && i == pos {
			v, err := (&env{x: x}).eval(a.e)
			return v, true, err
		}
	}
	return nil, false, nil
}

// dynamic runs EXEC (string): a nested batch with its own variables.
func (x *stmtCtx) dynamic(e expr) error {
	v, err := (&env{x: x}).eval(e)
	if err != nil {
		return err
	}
	return x.nested(toText(v), nil)
}

// nested runs SQL text as a nested batch (dynamic SQL, sp_executesql).
func (x *stmtCtx) nested(sql string, vars map[string]any) error {
	if x.depth >= 8 {
		return fail(sqlMsg{217, 1, 16, "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32)."})
	}
	stmts, err := parseBatch(sql)
	if err != nil {
		e := effect{wrote: batchWrites(sql)}
		x.eff.add(e)
		x.logStmt("dynamic", e, sql)
		return err
	}
	inner := newStmtCtx(x.ctx, x.in, x.s, x.w, vars)
	inner.depth, inner.inRPC = x.depth+1, x.inRPC
	inner.status = 0
	inner.runAll(stmts)
	x.eff.add(inner.total)
	x.logStmt("dynamic", inner.total, sql)
	if x.ctx.Err() != nil {
		return errAbort
	}
	x.status = inner.status
	return nil
}

var declRe = regexp.MustCompile(`(?i)(@\w+)`)

// execSQLArgs runs EXEC sp_executesql @stmt [, @params, @p = v …] inside a
// batch.
func (x *stmtCtx) execSQLArgs(args []procArg) error {
	sqlV, ok, err := x.argValue(args, "@stmt", 0)
	if !ok && err == nil {
		sqlV, ok, err = x.argValue(args, "@statement", 0)
	}
	if err != nil {
		return err
	}
	if !ok {
		return fail(msgMissingParam("sp_executesql", "@statement"))
	}
	decl := ""
	if declV, ok, _ := x.argValue(args, "@params", 1); ok {
		decl = toText(declV)
	}
	var values []execArg
	for i, a := range args {
		if i < 2 && a.name == "" || a.name == "@stmt" || a.name == "@statement" || a.name == "@params" {
			continue
		}
		v, err := (&env{x: x}).eval(a.e)
		if err != nil {
			return err
		}
		values = append(values, execArg{a.name, v})
	}
	vars, err := bindExecuteSQL(toText(sqlV), decl, values)
	if err != nil {
		return err
	}
	return x.nested(toText(sqlV), vars)
}

// rpcText is an RPC as the statement log shows it: the procedure and its
// parameters with values, secrets masked.
func rpcText(proc string, params []tds.Param) string {
	var b strings.Builder
	b.WriteString(proc)
	for i, p := range params {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		// Quoted as T-SQL quotes a string ('' for '), not escaped: the
		// log escapes a line's backslashes, tabs and line breaks once.
		v := "'" + strings.ReplaceAll(fmt.Sprint(paramValue(p)), "'", "''") + "'"
		switch {
		case isSecretName(name):
			v = "***"
		case p.Value == nil:
			v = "NULL"
		}
		fmt.Fprintf(&b, " %s=%s", name, v)
	}
	return b.String()
}

func isSecretName(n string) bool {
	n = strings.ToLower(n)
	return strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "pwd")
}

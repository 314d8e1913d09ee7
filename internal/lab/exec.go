package lab

import (
	"context"
	"errors"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// stmt is one parsed statement, ready to run.
type stmt struct {
	text string
	// restore marks RESTORE LOG/DATABASE: a drop fault interrupts it
	// midway instead of before it starts.
	restore bool
	run     func(x *stmtCtx) error
}

// stmtCtx is the context of the statements of one request.
type stmtCtx struct {
	ctx  context.Context
	in   *instance
	s    tds.Session
	w    tds.ResponseWriter
	vars map[string]any
	// types are the declared types of vars (DECLARE), for assignments.
	types map[string]string
	inRPC bool
	// status is the return status of a procedure call.
	status int32
	// dropMidway is set while a RESTORE runs under a drop fault.
	dropMidway bool
	// depth counts nested EXEC (dynamic SQL).
	depth int
}

// errAbort stops the rest of a batch (a dropped connection, a cancelled
// request, an injected batch-aborting error).
var errAbort = errors.New("batch aborted")

func newStmtCtx(ctx context.Context, in *instance, s tds.Session, w tds.ResponseWriter, vars map[string]any) *stmtCtx {
	if vars == nil {
		vars = map[string]any{}
	}
	return &stmtCtx{ctx: ctx, in: in, s: s, w: w, vars: vars}
}

// parseBatch lexes, splits and parses a batch.
func parseBatch(sql string) ([]stmt, error) {
	toks, err := lex(sql)
	if err != nil {
		var le *lexError
		if errors.As(err, &le) {
			return nil, fail(le.msg)
		}
		return nil, err
	}
	src := []rune(sql)
	var out []stmt
	for _, part := range splitStatements(toks) {
		text := string(src[part[0].pos:part[len(part)-1].end])
		st, err := parseStatement(part, text)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// parseStatement dispatches on the statement's first keyword.
func parseStatement(toks []token, text string) (stmt, error) {
	p := &parser{toks: toks[1:]}
	first := toks[0]
	if first.kind != tWord {
		return stmt{}, fail(msgSyntax(first.text))
	}
	var run func(*stmtCtx) error
	var err error
	restore := false
	switch strings.ToUpper(first.text) {
	case "SELECT":
		run, err = parseSelectStmt(p)
	case "SET":
		run, err = parseSet(p, text)
	case "DECLARE":
		run, err = parseDeclare(p)
	case "USE":
		run, err = parseUse(p)
	case "RESTORE":
		run, restore, err = parseRestore(p, text)
	case "KILL":
		run, err = parseKill(p)
	case "EXEC", "EXECUTE":
		run, err = parseExec(p)
	case "ALTER":
		run, err = parseAlter(p, text)
	case "BEGIN", "COMMIT", "ROLLBACK":
		run, err = parseTran(strings.ToUpper(first.text), p, text)
	case "PRINT":
		run, err = parsePrint(p)
	case "WAITFOR":
		run, err = parseWaitfor(p)
	case "GO":
		return stmt{}, fail(msgSyntax(first.text))
	default:
		return stmt{}, fail(msgUnsupported(text))
	}
	if err != nil {
		return stmt{}, notParsed(err, strings.ToUpper(first.text), text)
	}
	return stmt{text: text, restore: restore, run: run}, nil
}

// notParsed turns a syntax error of the lab's parser into "not supported"
// for every statement but KILL, whose whole grammar the lab knows: the
// parser follows only the forms the actions send, so a statement it stops
// on may well be valid T-SQL (a cursor, a table variable, a hint).
func notParsed(err error, kw, text string) error {
	var se *sqlError
	if kw == "KILL" || !errors.As(err, &se) || se.msgs[0].Number != 102 {
		return err
	}
	near := strings.TrimSuffix(strings.TrimPrefix(se.msgs[0].Text, "Incorrect syntax near '"), "'.")
	return fail(msgNotParsed(text, near))
}

// runAll runs statements in order. A failing statement reports its error
// and the batch goes on, as in SQL Server; a dropped connection, a
// cancellation or an injected error stops it.
func (x *stmtCtx) runAll(stmts []stmt) {
	for _, st := range stmts {
		if x.ctx.Err() != nil {
			return
		}
		if x.depth == 0 && !x.inRPC {
			x.in.log.write(x.in.name, x.s.SPID(), "batch", st.text)
		}
		err := x.runOne(st)
		if errors.Is(err, errAbort) {
			return
		}
		if err != nil {
			x.sendError(err)
			if x.depth > 0 {
				return
			}
		}
	}
}

// runOne applies the faults that match, then runs the statement.
func (x *stmtCtx) runOne(st stmt) error {
	if x.in.beforeStatement != nil {
		x.in.beforeStatement()
	}
	f, ok := x.in.faults.fire(x.in.name, st.text)
	if ok {
		x.in.log.write(x.in.name, x.s.SPID(), "fault", f.String())
		switch f.Kind {
		case FaultError:
			x.sendError(fail(knownError(f.Error, x.s.SPID())))
			return errAbort
		case FaultDelay:
			if !sleepCtx(x.ctx, f.Delay) {
				return errAbort
			}
		case FaultDrop:
			if !st.restore {
				x.s.Kill()
				return errAbort
			}
			x.dropMidway = true
		case FaultLivePrimary:
			x.in.liveBackup(f)
		}
	}
	return st.run(x)
}

// sendError writes a statement's error messages and ends the statement.
func (x *stmtCtx) sendError(err error) {
	var se *sqlError
	if !errors.As(err, &se) {
		se = fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	for _, m := range se.msgs {
		x.w.Error(m.tds(""))
	}
	x.w.Done(-1)
	x.status = 1
}

// info writes an informational message.
func (x *stmtCtx) info(m sqlMsg) { x.w.Info(m.tds("")) }

// assignVar stores v in a declared variable, converted to its declared
// type as SQL Server does (SET @n = N'abc' on an int is 245).
func (x *stmtCtx) assignVar(name string, v any) error {
	if typ, ok := x.types[name]; ok {
		cv, err := castTo(v, typ)
		if err != nil {
			return err
		}
		v = cv
	}
	x.vars[name] = v
	return nil
}

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
	// restore marks RESTORE LOG: a drop fault interrupts it midway (the
	// set is marked interrupted) instead of before it starts.
	restore bool
	// write marks a statement of a kind that can change the server's
	// state (for the statement log; dynamic SQL reports what it ran).
	write bool
	// mayWrite is write for a statement that is not run, where dynamic
	// SQL counts as a write (nobody knows what it would have run).
	mayWrite bool
	run      func(x *stmtCtx) error
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
	// eff is what the running statement did (with the dynamic SQL it
	// ran), total what every statement of this context did.
	eff, total effect
	// out are the OUTPUT parameter values the procedure call set.
	out procOutputs
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
	case "BACKUP":
		run, err = parseBackup(p, text)
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
	return stmt{text: text, restore: restore, write: writes(toks, false), mayWrite: writes(toks, true), run: run}, nil
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
// cancellation or a batch-aborting error stops it. Each statement of a
// batch is logged when it ends, with what it did (its effect); those an
// ended batch did not run are logged as skipped.
func (x *stmtCtx) runAll(stmts []stmt) {
	for i, st := range stmts {
		if x.ctx.Err() != nil {
			x.skip(stmts[i:])
			return
		}
		x.eff = effect{wrote: st.write}
		err := x.runOne(st)
		x.total.add(x.eff)
		if x.depth == 0 && !x.inRPC {
			x.logStmt("batch", x.eff, st.text)
		}
		if errors.Is(err, errAbort) {
			x.skip(stmts[i+1:])
			return
		}
		if err != nil {
			x.sendError(err)
			if x.depth > 0 {
				x.skip(stmts[i+1:])
				return
			}
		}
	}
}

// skip records the statements of an ended batch that did not run: in the
// statement log (kind skipped), and in what the batch did, as sent
// writes when they are of a kind that writes (the client sent them).
func (x *stmtCtx) skip(rest []stmt) {
	for _, st := range rest {
		e := effect{wrote: st.mayWrite}
		x.total.add(e)
		if x.depth == 0 && !x.inRPC {
			x.logStmt("skipped", e, st.text)
		}
	}
}

// runOne applies the faults that match, then runs the statement.
func (x *stmtCtx) runOne(st stmt) error {
	if x.in.beforeStatement != nil {
		x.in.beforeStatement()
	}
	x.in.arriveSessions()
	f, ok := x.in.faults.fire(x.in.name, st.text)
	if !ok {
		return st.run(x)
	}
	x.logStmt("fault", effect{}, f.String())
	switch f.Kind {
	case FaultError:
		return x.injectError(f.Error)
	case FaultDelay:
		if !sleepCtx(x.ctx, f.Delay) {
			return errAbort
		}
	case FaultDrop:
		if !st.restore {
			x.drop()
			return errAbort
		}
		x.dropMidway = true
	case FaultDropAfter:
		// The statement runs to its end (its effect stays) and the
		// connection drops before its answer is sent: the client cannot
		// tell whether it ran (edge case 34).
		_ = st.run(x)
		x.drop()
		return errAbort
	case FaultLivePrimary:
		// The primary takes its next log backups; the statement runs.
		x.in.liveBackup(f)
	}
	return st.run(x)
}

// injectError answers a statement with an injected error as SQL Server
// ends a statement with it: a lock timeout (1222) ends only the statement,
// so the batch and an open transaction go on; a deadlock victim (1205)
// has its transaction rolled back and its batch ended; other errors end
// the batch. SET XACT_ABORT ON makes every error roll back and end the
// batch.
func (x *stmtCtx) injectError(n int32) error {
	err := fail(knownError(n, x.s.SPID()))
	xactAbort := x.xactAbort()
	if n == 1222 && !xactAbort {
		return err
	}
	if n == 1205 || xactAbort {
		// The lab's ENVCHANGE says commit, not rollback; go-mssqldb
		// treats both as the end of the transaction.
		x.s.SetTransaction(false)
	}
	x.sendError(err)
	return errAbort
}

// logStmt writes a line of the statement log for this session.
func (x *stmtCtx) logStmt(kind string, e effect, text string) {
	le := logEntry{instance: x.in.name, spid: x.s.SPID(), login: x.s.Login().User, kind: kind, text: text}
	if kind != "fault" {
		le.effect = e.String()
	}
	x.in.log.writeEntry(le)
}

// changed records that the running statement changed the server's state.
func (x *stmtCtx) changed() { x.eff.changed = true }

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

// drop closes the session's connection as a lost network does, after
// letting go of the databases its restore or backup holds: a client that
// sees the connection close and connects again finds them free, never a
// 3101 from a session that is already gone.
func (x *stmtCtx) drop() {
	in, own := x.in, x.s.SPID()
	in.mu.Lock()
	for db, spid := range in.restoring {
		if spid == own {
			delete(in.restoring, db)
		}
	}
	in.mu.Unlock()
	x.s.Kill()
}

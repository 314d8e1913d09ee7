package lab

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func parseSelectStmt(p *parser) (func(*stmtCtx) error, error) {
	sel, err := p.parseSelect()
	if err != nil {
		return nil, err
	}
	if assigns, err := sel.assigns(); err != nil || assigns {
		return sel.assign, err
	}
	return func(x *stmtCtx) error {
		rs, err := sel.run(x)
		if err != nil {
			return err
		}
		x.w.Rows(rs)
		return nil
	}, nil
}

// sessionOptions are the SET options the lab accepts (and ignores, apart
// from remembering nothing: they change no answer the lab gives).
var sessionOptions = map[string]bool{
	"NOCOUNT": true, "XACT_ABORT": true, "LOCK_TIMEOUT": true, "ANSI_NULLS": true,
	"ANSI_WARNINGS": true, "ANSI_PADDING": true, "ANSI_NULL_DFLT_ON": true,
	"QUOTED_IDENTIFIER": true, "ARITHABORT": true, "CONCAT_NULL_YIELDS_NULL": true,
	"TEXTSIZE": true, "DATEFORMAT": true, "DATEFIRST": true, "LANGUAGE": true,
	"DEADLOCK_PRIORITY": true, "IMPLICIT_TRANSACTIONS": true, "CURSOR_CLOSE_ON_COMMIT": true,
	"NUMERIC_ROUNDABORT": true, "TRANSACTION": true, "ROWCOUNT": true,
}

// parseSet parses SET @var = expr and SET <session option> ….
func parseSet(p *parser, text string) (func(*stmtCtx) error, error) {
	t := p.peek()
	if t.kind == tVar {
		p.next()
		if err := p.expectOp("="); err != nil {
			return nil, err
		}
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if !p.done() {
			return nil, p.errNear()
		}
		name := strings.ToLower(t.text)
		return func(x *stmtCtx) error {
			if _, ok := x.vars[name]; !ok {
				return fail(msgMustDeclare(t.text))
			}
			v, err := (&env{x: x}).eval(e)
			if err != nil {
				return err
			}
			if err := x.assignVar(name, v); err != nil {
				return err
			}
			x.w.Done(-1)
			return nil
		}, nil
	}
	if t.kind != tWord || !sessionOptions[strings.ToUpper(t.text)] || changesAnswers(p) {
		return nil, fail(msgUnsupported(text))
	}
	if slices.ContainsFunc(p.toks[p.i:], func(t token) bool { return t.is("XACT_ABORT") }) {
		return parseXactAbort(p, text)
	}
	if t.is("LOCK_TIMEOUT") {
		return parseLockTimeout(p, text)
	}
	return func(x *stmtCtx) error {
		x.w.Done(-1)
		return nil
	}, nil
}

// xactAbortKey is the session value that holds SET XACT_ABORT.
const xactAbortKey = "lab.xact_abort"

// parseXactAbort parses SET [option, …] XACT_ABORT [, option …] ON | OFF,
// which the lab keeps per session: with it ON, an injected error rolls
// the transaction back and ends the batch, as SQL Server does for every
// run-time error. The other options must be ones the lab accepts.
func parseXactAbort(p *parser, text string) (func(*stmtCtx) error, error) {
	for {
		if t := p.next(); t.kind != tWord || !sessionOptions[strings.ToUpper(t.text)] || t.is("ROWCOUNT") {
			return nil, fail(msgUnsupported(text))
		}
		if !p.acceptOp(",") {
			break
		}
	}
	v := strings.ToUpper(p.next().text)
	if (v != "ON" && v != "OFF") || !p.done() {
		return nil, fail(msgUnsupported(text))
	}
	return func(x *stmtCtx) error {
		x.s.SetValue(xactAbortKey, v == "ON")
		x.w.Done(-1)
		return nil
	}, nil
}

// lockTimeoutKey is the session value that holds SET LOCK_TIMEOUT.
const lockTimeoutKey = "lab.lock_timeout"

// parseLockTimeout parses SET LOCK_TIMEOUT n, which the lab keeps per
// session for @@LOCK_TIMEOUT (it has no lock waits for it to bound).
func parseLockTimeout(p *parser, text string) (func(*stmtCtx) error, error) {
	p.next()
	neg := p.acceptOp("-")
	t := p.next()
	n, err := strconv.ParseInt(t.text, 10, 32)
	if t.kind != tNumber || err != nil || !p.done() {
		return nil, fail(msgUnsupported(text))
	}
	if neg {
		n = -n
	}
	return func(x *stmtCtx) error {
		x.s.SetValue(lockTimeoutKey, n)
		x.w.Done(-1)
		return nil
	}, nil
}

// lockTimeout is the session's SET LOCK_TIMEOUT, -1 (wait for ever)
// until one is set.
func (x *stmtCtx) lockTimeout() int64 {
	if n, ok := x.s.Value(lockTimeoutKey).(int64); ok {
		return n
	}
	return -1
}

// xactAbort reports whether the session has SET XACT_ABORT ON.
func (x *stmtCtx) xactAbort() bool {
	on, _ := x.s.Value(xactAbortKey).(bool)
	return on
}

// declarableTypes are the variable types DECLARE accepts: the types the
// lab's values have. A table variable, a cursor or xml is not supported.
var declarableTypes = map[string]bool{
	"int": true, "bigint": true, "smallint": true, "tinyint": true, "bit": true,
	"numeric": true, "decimal": true, "uniqueidentifier": true, "sysname": true,
	"nvarchar": true, "varchar": true, "nchar": true, "char": true,
	"datetime": true, "datetime2": true, "float": true, "real": true,
}

// changesAnswers reports the SET options whose value would change what
// SQL Server answers, which the lab cannot honour: SET ROWCOUNT n (cuts
// result sets), SET IMPLICIT_TRANSACTIONS ON (a later RESTORE would get
// 3021) and SET LANGUAGE other than us_english (@@LANGUAGE, the
// messages' language). Their harmless values (0, OFF, us_english) are
// accepted.
func changesAnswers(p *parser) bool {
	opt, val := strings.ToUpper(p.peek().text), strings.ToUpper(p.peekAt(1).text)
	switch opt {
	case "ROWCOUNT":
		return val != "0"
	case "IMPLICIT_TRANSACTIONS":
		return val != "OFF"
	case "LANGUAGE":
		return val != "US_ENGLISH" && val != "ENGLISH"
	}
	return false
}

// parseDeclare parses DECLARE @a type [= expr] [, …].
func parseDeclare(p *parser) (func(*stmtCtx) error, error) {
	type decl struct {
		name string
		typ  string
		init expr
	}
	var decls []decl
	for {
		t := p.next()
		if t.kind != tVar {
			return nil, fail(msgUnsupported("DECLARE of a cursor"))
		}
		p.accept("AS")
		typ, err := p.parseTypeName()
		if err != nil {
			return nil, err
		}
		if !declarableTypes[typ] {
			return nil, fail(msgUnsupported("DECLARE of a variable of type " + strings.ToUpper(typ)))
		}
		d := decl{name: strings.ToLower(t.text), typ: typ}
		if p.acceptOp("=") {
			if d.init, err = p.parseExpr(); err != nil {
				return nil, err
			}
		}
		decls = append(decls, d)
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error {
		for _, d := range decls {
			var v any
			if d.init != nil {
				val, err := (&env{x: x}).eval(d.init)
				if err != nil {
					return err
				}
				if v, err = castTo(val, d.typ); err != nil {
					return err
				}
			}
			x.vars[d.name] = v
			if x.types == nil {
				x.types = map[string]string{}
			}
			x.types[d.name] = d.typ
		}
		x.w.Done(-1)
		return nil
	}, nil
}

// parseUse parses USE db.
func parseUse(p *parser) (func(*stmtCtx) error, error) {
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error {
		x.in.mu.Lock()
		d := x.in.st.database(name)
		var m *sqlMsg
		switch {
		case d == nil:
			msg := msgNoDatabase(name)
			m = &msg
		case d.State == "RESTORING":
			msg := msgInRestore(d.Name)
			m = &msg
		case d.State != "ONLINE":
			msg := msgOffline(d.Name)
			m = &msg
		case d.UserAccess == "SINGLE_USER" && x.in.hasUsers(d.Name, x.s.SPID()):
			msg := sqlMsg{924, 1, 14, "Database '" + d.Name + "' is already open and can only have one user at a time."}
			m = &msg
		}
		x.in.mu.Unlock()
		if m != nil {
			return fail(*m)
		}
		x.s.SetDatabase(d.Name)
		x.info(sqlMsg{5701, 2, 0, "Changed database context to '" + d.Name + "'."})
		x.w.Done(-1)
		return nil
	}, nil
}

// parseTran parses BEGIN TRAN, COMMIT and ROLLBACK.
func parseTran(kw string, p *parser, text string) (func(*stmtCtx) error, error) {
	if kw == "BEGIN" && !(p.accept("TRAN") || p.accept("TRANSACTION")) {
		return nil, fail(msgUnsupported(text))
	}
	if kw != "BEGIN" && !p.accept("TRAN") && !p.accept("TRANSACTION") {
		p.accept("WORK")
	}
	if !p.done() && (p.peek().kind == tWord || p.peek().kind == tQuoted) {
		p.next() // a transaction name
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error {
		switch {
		case kw == "BEGIN":
			if !x.s.InTransaction() {
				x.s.SetTransaction(true)
			}
		case !x.s.InTransaction() && kw == "COMMIT":
			return fail(msgCommitNoTran())
		case !x.s.InTransaction():
			return fail(msgRollbackNoTran())
		default:
			x.s.SetTransaction(false)
		}
		x.w.Done(-1)
		return nil
	}, nil
}

// parsePrint parses PRINT expr.
func parsePrint(p *parser) (func(*stmtCtx) error, error) {
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error {
		v, err := (&env{x: x}).eval(e)
		if err != nil {
			return err
		}
		x.info(sqlMsg{0, 1, 0, toText(v)})
		x.w.Done(-1)
		return nil
	}, nil
}

var waitRe = regexp.MustCompile(`^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?$`)

// parseWaitfor parses WAITFOR DELAY 'hh:mm[:ss[.mmm]]'; the wait ends early
// when the request is cancelled.
func parseWaitfor(p *parser) (func(*stmtCtx) error, error) {
	if err := p.expect("DELAY"); err != nil {
		return nil, err
	}
	t := p.next()
	m := waitRe.FindStringSubmatch(t.text)
	if t.kind != tString || m == nil || !p.done() {
		return nil, fail(sqlMsg{148, 1, 15, "Incorrect time syntax in time string '" + t.text + "' used with WAITFOR."})
	}
	d := time.Duration(atoi(m[1]))*time.Hour + time.Duration(atoi(m[2]))*time.Minute +
		time.Duration(atoi(m[3]))*time.Second + time.Duration(atoi((m[4] + "000")[:3]))*time.Millisecond
	return func(x *stmtCtx) error {
		if !sleepCtx(x.ctx, d) {
			return errAbort
		}
		x.w.Done(-1)
		return nil
	}, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// sleepCtx waits d; it returns false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

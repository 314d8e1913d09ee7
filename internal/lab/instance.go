package lab

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/tds"
)

// instance is one simulated SQL Server; it implements tds.Handler.
type instance struct {
	name   string
	path   string // the state file
	faults *faultSet
	log    *stmtLog
	// restoreTime is the duration of one simulated RESTORE LOG.
	restoreTime time.Duration
	// started is when the instance started (the system sessions' login).
	started time.Time
	// beforeStatement runs before each statement (the lab re-reads the
	// faults file there); may be nil.
	beforeStatement func()
	// peer finds the lab instance with a server name (a mirroring
	// partner); nil when the instance runs alone. Set once, before serving.
	peer func(server string) *instance
	// loc is the server's time zone (set once, before serving).
	loc *time.Location
	// paths maps the Windows paths of RESTORE to the lab dir's folders;
	// dir is the lab dir (relative devices are read from it). Set once.
	paths labfile.PathMap
	dir   string
	// files are the lab's file-system faults (nil: none); onLive writes
	// the live primary's next log backup (nil: no lab around). Set once.
	files  *fileFaults
	onLive func(Fault)

	mu sync.Mutex
	// clock tells the time of the simulated sessions (time.Now; tests set
	// their own); guarded by mu.
	clock    func() time.Time
	st       *instanceState       // guarded by mu
	sessions map[int]*liveSession // guarded by mu
	// restoring maps a lower-case database name to the spid restoring it.
	restoring map[string]int // guarded by mu
}

// liveSession is a connected client session.
type liveSession struct {
	s         tds.Session
	loginTime time.Time
	busy      bool // a request is running; guarded by instance.mu
}

// newInstance wraps a loaded state.
func newInstance(st *instanceState, path string, faults *faultSet, log *stmtLog) *instance {
	return &instance{name: st.Name, path: path, faults: faults, log: log, st: st,
		sessions: map[int]*liveSession{}, restoring: map[string]int{}, started: time.Now(), restoreTime: 50 * time.Millisecond,
		clock: time.Now, loc: mustDefaultLocation(), dir: filepath.Dir(filepath.Dir(path))}
}

// configure applies the config of the lab in dir: restore time, time
// zone and path map.
func (in *instance) configure(cfg Config, dir string) error {
	if cfg.RestoreTime > 0 {
		in.restoreTime = cfg.RestoreTime
	}
	loc, err := loadLocation(cfg.TimeZone)
	if err != nil {
		return err
	}
	m, err := cfg.PathMap(dir)
	if err != nil {
		return err
	}
	in.loc, in.paths, in.dir = loc, m, resolve(dir, ".")
	return nil
}

// liveBackup has the live primary write its next log backup (a
// live-primary fault fired on a statement).
func (in *instance) liveBackup(f Fault) {
	if in.onLive != nil {
		in.onLive(f)
	}
}

// now is the simulated sessions' time; the caller holds mu.
func (in *instance) now() time.Time { return in.clock() }

// save writes the state file; the caller holds mu.
func (in *instance) save() error { return saveState(in.path, in.st) }

// Authenticate checks a SQL login against the configured logins and the
// login's database.
func (in *instance) Authenticate(l tds.Login) *tds.Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	ok := false
	for _, lg := range in.st.Logins {
		if !l.Integrated && strings.EqualFold(lg.User, l.User) && lg.Password == l.Password {
			ok = true
		}
	}
	if !ok {
		in.log.writeEntry(logEntry{instance: in.name, login: l.User, kind: "login-failed", text: loginText(l)})
		m := msgLoginFailed(l.User).tds(in.st.ServerName)
		return &m
	}
	if l.Database == "" {
		return nil
	}
	if d := in.st.database(l.Database); d == nil || d.State != "ONLINE" {
		reason := "no such database"
		if d != nil {
			reason = "database " + d.Name + " is " + d.State
		}
		in.log.writeEntry(logEntry{instance: in.name, login: l.User, kind: "login-failed",
			text: fmt.Sprintf("%s reason=%q", loginText(l), reason)})
		m := msgCannotOpenDB(l.Database).tds(in.st.ServerName)
		return &m
	}
	return nil
}

// Open registers a new session.
func (in *instance) Open(s tds.Session) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.sessions[s.SPID()] = &liveSession{s: s, loginTime: time.Now()}
	in.log.writeEntry(logEntry{instance: in.name, spid: s.SPID(), login: s.Login().User, kind: "login", text: loginText(s.Login())})
}

// loginText describes a login for the statement log (never the password).
func loginText(l tds.Login) string {
	return fmt.Sprintf("user=%q app=%q host=%q database=%q", l.User, l.AppName, l.HostName, l.Database)
}

// Close forgets a session.
func (in *instance) Close(s tds.Session) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.sessions, s.SPID())
}

// Batch runs a SQL batch: it is parsed whole first (a syntax error or an
// unsupported statement runs nothing, as SQL Server compiles a batch before
// running it), then statement by statement.
func (in *instance) Batch(ctx context.Context, s tds.Session, sql string, w tds.ResponseWriter) {
	in.setBusy(s, true)
	defer in.setBusy(s, false)
	x := newStmtCtx(ctx, in, s, w, nil)
	stmts, err := parseBatch(sql)
	if err != nil {
		x.logStmt("batch", effect{wrote: batchWrites(sql)}, sql)
		x.sendError(err)
		return
	}
	x.runAll(stmts)
}

// RPC runs sp_executesql (the statement with its parameters) or a stored
// procedure by name.
func (in *instance) RPC(ctx context.Context, s tds.Session, proc string, params []tds.Param, w tds.ResponseWriter) {
	in.setBusy(s, true)
	defer in.setBusy(s, false)
	x := newStmtCtx(ctx, in, s, w, nil)
	x.inRPC = true
	// Logged when it ends, with what it did; one refused before it ran
	// is judged by its text.
	defer func() { x.logStmt("rpc", x.total, rpcText(proc, params)) }()
	for _, p := range params {
		if p.Output && isExecuteSQL(proc) {
			// The lab sends no RETURNVALUE for sp_executesql: the
			// caller's variable would silently keep its old value.
			x.total.wrote = rpcWrites(proc, params)
			x.sendError(fail(msgUnsupported("an OUTPUT parameter (" + p.Name + ")")))
			w.ReturnStatus(1)
			return
		}
	}
	if isExecuteSQL(proc) {
		in.executeSQL(x, params)
		return
	}
	st, err := procCall(proc, rpcArgs(params))
	if err != nil {
		x.total.wrote = rpcWrites(proc, params)
		x.sendError(err)
		w.ReturnStatus(1)
		return
	}
	x.runAll([]stmt{st})
	w.ReturnStatus(x.status)
	x.sendOutputs(params)
}

// rpcWrites judges an RPC that did not run: a procedure by its name,
// sp_executesql by its statement.
func rpcWrites(proc string, params []tds.Param) bool {
	if !isExecuteSQL(proc) {
		return procWrites(proc, true)
	}
	if len(params) == 0 {
		return false
	}
	sql, _ := params[0].Value.(string)
	return batchWrites(sql)
}

// executeSQL runs sp_executesql: @stmt with the declared parameters bound.
func (in *instance) executeSQL(x *stmtCtx, params []tds.Param) {
	w := x.w
	if len(params) == 0 {
		x.sendError(fail(msgMissingParam("sp_executesql", "@statement")))
		return
	}
	sql, _ := params[0].Value.(string)
	decl := ""
	if len(params) > 1 {
		decl, _ = params[1].Value.(string)
	}
	var values []execArg
	for _, p := range params[min(2, len(params)):] {
		values = append(values, execArg{p.Name, paramValue(p)})
	}
	vars, err := bindExecuteSQL(sql, decl, values)
	if err != nil {
		x.total.wrote = batchWrites(sql)
		x.sendError(err)
		w.ReturnStatus(1)
		return
	}
	x.vars = vars
	stmts, err := parseBatch(sql)
	if err != nil {
		x.total.wrote = batchWrites(sql)
		x.sendError(err)
		w.ReturnStatus(1)
		return
	}
	x.runAll(stmts)
	w.ReturnStatus(x.status)
}

func isExecuteSQL(proc string) bool {
	p := strings.ToLower(proc)
	return p == "sp_executesql" || strings.HasSuffix(p, ".sp_executesql")
}

// paramValue converts an RPC parameter to an evaluation value.
func paramValue(p tds.Param) any {
	switch v := p.Value.(type) {
	case [16]byte:
		return guid(strings.ToUpper(tds.FormatGUID(v)))
	case string:
		if p.Type == tds.TypeNumeric {
			return numericParam(v)
		}
		if p.Type == tds.TypeUniqueIdentifier {
			return guid(strings.ToUpper(v))
		}
		return v
	case []byte:
		return string(v)
	case time.Time:
		// A DATETIMEOFFSET keeps its instant: the lab's times carry no
		// offset, and one sent back as DATETIME2 is read as UTC.
		if _, off := v.Zone(); off != 0 {
			return v.UTC()
		}
	}
	return p.Value
}

// numericParam is a NUMERIC parameter: an integer (an LSN) stays exact,
// a scaled value becomes a float.
func numericParam(v string) any {
	if strings.Contains(v, ".") {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			return f
		}
	}
	if b, ok := new(big.Int).SetString(v, 10); ok {
		return numeric(b.String())
	}
	return v
}

func (in *instance) setBusy(s tds.Session, busy bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if ls, ok := in.sessions[s.SPID()]; ok {
		ls.busy = busy
	}
}

// serverName is @@SERVERNAME.
func (in *instance) serverName() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.st.ServerName
}

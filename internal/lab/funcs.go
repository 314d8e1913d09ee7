package lab

import (
	"fmt"
	"strings"
	"time"
)

// labVersion is what @@VERSION reports: a SQL Server 2014 back end, as
// Lync 2013 uses, marked as the lab.
const labVersion = "Microsoft SQL Server 2014 (SP3) (KB4022619) - 12.0.6024.0 (X64) \n\tSep  7 2018 01:37:51 \n\tCopyright (c) Microsoft Corporation\n\tStandard Edition (64-bit) on Windows NT 6.3 <X64> (Build 9600: ) (Hypervisor)\n\t(failover lab simulator)"

// sysVar evaluates @@NAME.
func (x *stmtCtx) sysVar(name string) (any, error) {
	switch name {
	case "SPID":
		return int64(x.s.SPID()), nil
	case "VERSION":
		return labVersion, nil
	case "SERVERNAME":
		return x.in.serverName(), nil
	case "SERVICENAME":
		return "MSSQLSERVER", nil
	case "TRANCOUNT":
		if x.s.InTransaction() {
			return int64(1), nil
		}
		return int64(0), nil
	case "LANGUAGE":
		return "us_english", nil
	case "LOCK_TIMEOUT":
		return x.lockTimeout(), nil
	case "MAX_PRECISION":
		return int64(38), nil
	}
	return nil, fail(msgUnsupported("@@" + name))
}

// call evaluates a scalar function.
func (x *stmtCtx) call(e *env, f funcExpr) (any, error) {
	args := make([]any, len(f.args))
	for i, a := range f.args {
		v, err := e.eval(a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	if aggregates[f.name] {
		return nil, fail(sqlMsg{147, 1, 15, "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list."})
	}
	if fn, ok := scalarFuncs[f.name]; ok {
		if len(args) < fn.min || len(args) > fn.max {
			return nil, fail(sqlMsg{174, 1, 15, fmt.Sprintf("The %s function requires %d argument(s).", strings.ToLower(f.name), fn.min)})
		}
		return fn.f(x, args)
	}
	return nil, fail(msgNotFunction(f.name))
}

type scalarFunc struct {
	min, max int
	f        func(x *stmtCtx, args []any) (any, error)
}

var scalarFuncs map[string]scalarFunc

func init() {
	scalarFuncs = map[string]scalarFunc{
		"DB_ID":              {0, 1, fnDBID},
		"DB_NAME":            {0, 1, fnDBName},
		"ISNULL":             {2, 2, fnCoalesce},
		"COALESCE":           {1, 16, fnCoalesce},
		"UPPER":              {1, 1, fnText(strings.ToUpper)},
		"LOWER":              {1, 1, fnText(strings.ToLower)},
		"LTRIM":              {1, 1, fnText(func(s string) string { return strings.TrimLeft(s, " ") })},
		"RTRIM":              {1, 1, fnText(func(s string) string { return strings.TrimRight(s, " ") })},
		"LEN":                {1, 1, fnLen},
		"GETDATE":            {0, 0, fnNow(false, dateTimeTick)},
		"SYSDATETIME":        {0, 0, fnNow(false, dateTime2Tick)},
		"GETUTCDATE":         {0, 0, fnNow(true, dateTimeTick)},
		"SYSUTCDATETIME":     {0, 0, fnNow(true, dateTime2Tick)},
		"SERVERPROPERTY":     {1, 1, fnServerProperty},
		"DATABASEPROPERTYEX": {2, 2, fnDatabaseProperty},
		"SUSER_SNAME":        {0, 0, fnLogin},
		"SUSER_NAME":         {0, 0, fnLogin},
		"APP_NAME":           {0, 0, func(x *stmtCtx, _ []any) (any, error) { return x.s.Login().AppName, nil }},
		"HOST_NAME":          {0, 0, func(x *stmtCtx, _ []any) (any, error) { return x.s.Login().HostName, nil }},
	}
}

func fnDBID(x *stmtCtx, args []any) (any, error) {
	name := x.s.Database()
	if len(args) == 1 {
		if args[0] == nil {
			return nil, nil
		}
		name = toText(args[0])
	}
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	if d := x.in.st.database(name); d != nil {
		return int64(d.ID), nil
	}
	return nil, nil
}

func fnDBName(x *stmtCtx, args []any) (any, error) {
	if len(args) == 0 {
		return x.s.Database(), nil
	}
	id, err := castTo(args[0], "int")
	if err != nil || id == nil {
		return nil, err
	}
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	if d := x.in.st.databaseByID(int(id.(int64))); d != nil {
		return d.Name, nil
	}
	return nil, nil
}

func fnCoalesce(_ *stmtCtx, args []any) (any, error) {
	for _, a := range args {
		if a != nil {
			return a, nil
		}
	}
	return nil, nil
}

func fnText(f func(string) string) func(*stmtCtx, []any) (any, error) {
	return func(_ *stmtCtx, args []any) (any, error) {
		if args[0] == nil {
			return nil, nil
		}
		return f(toText(args[0])), nil
	}
}

func fnLen(_ *stmtCtx, args []any) (any, error) {
	if args[0] == nil {
		return nil, nil
	}
	return int64(len([]rune(strings.TrimRight(toText(args[0]), " ")))), nil
}

// fnNow is GETDATE and friends: the current time at the precision of
// their type, DATETIME (1/300 s) or DATETIME2 (100 ns), which also picks
// the result column's type (typeOf).
func fnNow(utc bool, tick func(time.Time) time.Time) func(*stmtCtx, []any) (any, error) {
	return func(x *stmtCtx, _ []any) (any, error) {
		now := time.Now().In(x.in.loc) // the server's time zone
		if utc {
			now = now.UTC()
		}
		return tick(now), nil
	}
}

// dateTimeTick rounds t to DATETIME's 1/300 s ticks, expressed as the
// whole milliseconds clients read them as (…0, …3, …7).
func dateTimeTick(t time.Time) time.Time {
	ticks := (int64(t.Nanosecond())*300 + 5e8) / 1e9
	ms := (ticks*1000 + 150) / 300
	return t.Truncate(time.Second).Add(time.Duration(ms) * time.Millisecond)
}

// dateTime2Tick truncates t to DATETIME2(7)'s 100 ns.
func dateTime2Tick(t time.Time) time.Time { return t.Truncate(100 * time.Nanosecond) }

// onDateTimeTick reports whether DATETIME holds t exactly, in either
// form a tick is read as: whole milliseconds (go-mssqldb, GETDATE) or
// exact nanoseconds (a DATETIME parameter as internal/tds decodes it). A
// value DATETIME would round (a DATETIME2 or DATETIMEOFFSET parameter,
// SYSDATETIME) is sent as DATETIME2, so it round-trips.
func onDateTimeTick(t time.Time) bool {
	ns := int64(t.Nanosecond())
	ticks := (ns*300 + 5e8) / 1e9
	return ns == (ticks*1000+150)/300*1e6 || ns == (ticks*1e9+150)/300
}

func fnLogin(x *stmtCtx, _ []any) (any, error) { return x.s.Login().User, nil }

// serverProperties are the SERVERPROPERTY properties the lab answers
// (case-insensitive); any other is refused, never a silent NULL.
var serverProperties = map[string]func(x *stmtCtx) any{
	"productversion": func(*stmtCtx) any { return "12.0.6024.0" },
	"productlevel":   func(*stmtCtx) any { return "SP3" },
	"edition":        func(*stmtCtx) any { return "Standard Edition (64-bit)" },
	"engineedition":  func(*stmtCtx) any { return int64(2) },
	"servername":     func(x *stmtCtx) any { return x.in.serverName() },
	"machinename":    func(x *stmtCtx) any { return x.in.serverName() },
	"instancename":   func(*stmtCtx) any { return nil }, // NULL: the default instance
	"isclustered":    func(*stmtCtx) any { return int64(0) },
	"ishadrenabled":  func(*stmtCtx) any { return int64(0) },
}

func fnServerProperty(x *stmtCtx, args []any) (any, error) {
	name := toText(args[0])
	prop, ok := serverProperties[strings.ToLower(name)]
	if !ok {
		return nil, fail(msgNotSimulated("the SERVERPROPERTY property", name))
	}
	return prop(x), nil
}

// databaseProperties are the DATABASEPROPERTYEX properties the lab
// answers (case-insensitive); any other is refused, never a silent NULL.
var databaseProperties = map[string]func(d *dbState) any{
	"status":      func(d *dbState) any { return d.State },
	"isinstandby": func(d *dbState) any { return boolInt(d.Standby) },
	"recovery":    func(d *dbState) any { return d.RecoveryModel },
	"useraccess":  func(d *dbState) any { return d.UserAccess },
	"updateability": func(d *dbState) any {
		if d.Standby {
			return "READ_ONLY"
		}
		return "READ_WRITE"
	},
}

// fnDatabaseProperty is DATABASEPROPERTYEX: NULL for a database that does
// not exist (as SQL Server), an error for a property the lab lacks.
func fnDatabaseProperty(x *stmtCtx, args []any) (any, error) {
	name := toText(args[1])
	prop, ok := databaseProperties[strings.ToLower(name)]
	if !ok {
		return nil, fail(msgNotSimulated("the DATABASEPROPERTYEX property", name))
	}
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	d := x.in.st.database(toText(args[0]))
	if d == nil {
		return nil, nil
	}
	return prop(d), nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

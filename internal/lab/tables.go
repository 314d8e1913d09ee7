package lab

import (
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/tds"
)

// Column helpers for the virtual tables.
func cInt(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeInt} }
func cSmall(n string) tds.Column { return tds.Column{Name: n, Type: tds.TypeSmallInt} }
func cTiny(n string) tds.Column  { return tds.Column{Name: n, Type: tds.TypeTinyInt} }
func cStr(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeNVarChar} }
func cBit(n string) tds.Column   { return tds.Column{Name: n, Type: tds.TypeBit} }
func cTime(n string) tds.Column  { return tds.Column{Name: n, Type: tds.TypeDateTime} }
func cGUID(n string) tds.Column  { return tds.Column{Name: n, Type: tds.TypeUniqueIdentifier} }
func cLSN(n string) tds.Column {
	return tds.Column{Name: n, Type: tds.TypeNumeric, Precision: 25, Scale: 0}
}

// tableBuilders make the virtual tables, keyed by "schema.name"; msdb
// tables are keyed "msdb.name". They run with instance.mu held.
var tableBuilders = map[string]func(in *instance) *table{
	"sys.databases":                         (*instance).tDatabases,
	"sys.master_files":                      (*instance).tMasterFiles,
	"sys.dm_exec_sessions":                  (*instance).tSessions,
	"sys.sysprocesses":                      (*instance).tSysprocesses,
	"sys.dm_tran_locks":                     (*instance).tTranLocks,
	"msdb.log_shipping_secondary":           (*instance).tSecondary,
	"msdb.log_shipping_secondary_databases": (*instance).tSecondaryDBs,
	"msdb.log_shipping_monitor_secondary":   (*instance).tMonitor,
	"msdb.sysjobs":                          (*instance).tJobs,
	"msdb.restorehistory":                   (*instance).tRestoreHistory,
	"msdb.backupset":                        (*instance).tBackupSet,
	"msdb.backupmediafamily":                (*instance).tMediaFamily,
}

// lookupTable resolves a (one- to three-part) name to a virtual table, as
// SQL Server would from the session's current database.
func (x *stmtCtx) lookupTable(name []string) (*table, error) {
	key := tableKey(name, x.s.Database())
	admin := x.sysadmin()
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	if len(name) == 3 && name[0] != "" {
		if m := x.in.cannotOpen(name[0]); m != nil {
			return nil, fail(*m)
		}
	}
	if build, ok := failbackTables[key]; ok {
		return build(x.in, admin), nil
	}
	build, ok := tableBuilders[key]
	if !ok {
		return nil, fail(msgInvalidObject(strings.Join(name, ".")))
	}
	return build(x.in), nil
}

// cannotOpen is the error SQL Server gives for a three-part name in a
// database that does not exist (911) or cannot be opened (927 while it
// restores, 942 otherwise); nil when it can be read. in.mu is held.
func (in *instance) cannotOpen(db string) *sqlMsg {
	d := in.st.database(db)
	var m sqlMsg
	switch {
	case d == nil:
		m = msgNoDatabase(db)
	case d.State == "RESTORING":
		m = msgInRestore(d.Name)
	case d.State != "ONLINE":
		m = msgOffline(d.Name)
	default:
		return nil
	}
	return &m
}

// tableKey normalises a name: sys views from any database, sysprocesses
// also as dbo.sysprocesses in master, msdb tables as msdb.dbo.X, msdb..X
// or dbo.X / X when the current database is msdb.
func tableKey(name []string, curDB string) string {
	p := make([]string, len(name))
	for i, n := range name {
		p[i] = strings.ToLower(n)
	}
	last := p[len(p)-1]
	db, schema := strings.ToLower(curDB), ""
	switch len(p) {
	case 2:
		schema = p[0]
	case 3:
		db, schema = p[0], p[1]
	}
	if last == "sysprocesses" && (schema == "sys" || db == "master" && (schema == "dbo" || schema == "")) {
		return "sys.sysprocesses"
	}
	if schema == "sys" {
		return "sys." + last
	}
	if db == "msdb" && (schema == "dbo" || schema == "") {
		return "msdb." + last
	}
	return "?"
}

func (in *instance) tDatabases() *table {
	t := &table{cols: []tds.Column{cStr("name"), cInt("database_id"), cInt("source_database_id"),
		cTime("create_date"), cTiny("compatibility_level"), cStr("collation_name"),
		cTiny("user_access"), cStr("user_access_desc"), cBit("is_read_only"), cTiny("state"),
		cStr("state_desc"), cBit("is_in_standby"), cTiny("recovery_model"), cStr("recovery_model_desc")}}
	for _, d := range in.st.Databases {
		t.rows = append(t.rows, []any{d.Name, int64(d.ID), nil, in.localTime(d.Created), int64(120),
			"SQL_Latin1_General_CP1_CI_AS", userAccessCode(d.UserAccess), d.UserAccess, d.Standby,
			stateCode(d.State), d.State, d.Standby, recoveryCode(d.RecoveryModel), d.RecoveryModel})
	}
	return t
}

func userAccessCode(s string) int64 {
	switch s {
	case "SINGLE_USER":
		return 1
	case "RESTRICTED_USER":
		return 2
	}
	return 0
}

func recoveryCode(s string) int64 {
	switch s {
	case "BULK_LOGGED":
		return 2
	case "SIMPLE":
		return 3
	}
	return 1
}

// tMasterFiles has a data file (file_id 1) and a log file (file_id 2) per
// database. redo_start_lsn is set while the database is RESTORING or in
// STANDBY; redo_target_lsn is NULL (the lab restores no STOPAT).
// differential_base_lsn is not simulated: SQL Server sets it at a full
// backup, and a NULL would say there was none.
func (in *instance) tMasterFiles() *table {
	t := &table{cols: []tds.Column{cInt("database_id"), cInt("file_id"), cTiny("type"), cStr("type_desc"),
		cStr("name"), cStr("physical_name"), cTiny("state"), cStr("state_desc"),
		cLSN("redo_start_lsn"), cGUID("redo_start_fork_guid"), cLSN("redo_target_lsn")}}
	for _, d := range in.st.Databases {
		var lsn, fork any
		if d.State == "RESTORING" || d.Standby {
			lsn = numeric(d.Restore.RedoStartLSN.String())
			fork = guid(strings.ToUpper(d.Restore.RedoStartForkID.String()))
		}
		fileState := d.State
		for i, f := range d.files() {
			typ, code := "ROWS", int64(0)
			if f.Type == labfile.FileLog {
				typ, code = "LOG", 1
			}
			t.rows = append(t.rows, []any{int64(d.ID), int64(i + 1), code, typ, f.Logical,
				f.Physical, stateCode(fileState), fileState, lsn, fork, nil})
		}
	}
	return t
}

// sessionRow is a session as the session views show it.
type sessionRow struct {
	spid                     int
	db, login, host, program string
	status                   string
	user                     bool
	loginTime                time.Time
	// lockDB is the database a lock holder holds a lock on from db.
	lockDB string
}

// systemSPIDs are the background sessions every instance shows.
var systemSPIDs = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}

// sessionRows lists system, client and connected simulated sessions by
// spid; the caller holds mu. The session views, sp_who2 and
// sys.dm_tran_locks are all built from it, so they agree.
func (in *instance) sessionRows() []sessionRow {
	var rows []sessionRow
	for _, id := range systemSPIDs {
		rows = append(rows, sessionRow{spid: id, db: "master", login: "sa", status: "background", loginTime: in.started})
	}
	for id, ls := range in.sessions {
		status := "sleeping"
		if ls.busy {
			status = "running"
		}
		l := ls.s.Login()
		rows = append(rows, sessionRow{spid: id, db: ls.s.Database(), login: l.User, host: l.HostName,
			program: l.AppName, status: status, user: true, loginTime: ls.loginTime})
	}
	for _, ss := range in.st.UserSessions {
		if ss.ReturnsAt != nil {
			continue
		}
		r := sessionRow{spid: ss.SPID, db: ss.Database, login: ss.Login, host: ss.Host, program: ss.Program,
			status: "sleeping", user: true, loginTime: ss.LoginTime}
		if ss.From != "" {
			r.db, r.lockDB = ss.From, ss.Database
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].spid < rows[j].spid })
	return rows
}

func (in *instance) dbID(name string) any {
	if d := in.st.database(name); d != nil {
		return int64(d.ID)
	}
	return nil
}

func (in *instance) tSessions() *table {
	t := &table{cols: []tds.Column{cSmall("session_id"), cSmall("database_id"), cStr("login_name"),
		cStr("host_name"), cStr("program_name"), cStr("status"), cBit("is_user_process"), cTime("login_time")}}
	for _, r := range in.sessionRows() {
		t.rows = append(t.rows, []any{int64(r.spid), in.dbID(r.db), r.login, r.host, r.program, r.status, r.user, r.loginTime})
	}
	return t
}

func (in *instance) tSysprocesses() *table {
	t := &table{cols: []tds.Column{cSmall("spid"), cSmall("dbid"), cStr("loginame"), cStr("hostname"),
		cStr("program_name"), cStr("status"), cStr("cmd"), cSmall("blocked")}}
	for _, r := range in.sessionRows() {
		cmd := "AWAITING COMMAND"
		if !r.user {
			cmd = "TASK MANAGER"
		}
		t.rows = append(t.rows, []any{int64(r.spid), in.dbID(r.db), r.login, r.host, r.program, r.status, cmd, int64(0)})
	}
	return t
}

// tTranLocks shows the shared DATABASE lock each user session holds on its
// current database, and a lock holder's lock on the database it holds
// from another one.
func (in *instance) tTranLocks() *table {
	t := &table{cols: []tds.Column{cStr("resource_type"), cInt("resource_database_id"),
		cStr("request_mode"), cStr("request_status"), cInt("request_session_id")}}
	for _, r := range in.sessionRows() {
		if !r.user {
			continue
		}
		t.rows = append(t.rows, []any{"DATABASE", in.dbID(r.db), "S", "GRANT", int64(r.spid)})
		if r.lockDB != "" {
			t.rows = append(t.rows, []any{"DATABASE", in.dbID(r.lockDB), "S", "GRANT", int64(r.spid)})
		}
	}
	return t
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (in *instance) tSecondary() *table {
	t := &table{cols: []tds.Column{cGUID("secondary_id"), cStr("primary_server"), cStr("primary_database"),
		cStr("backup_source_directory"), cStr("backup_destination_directory"), cInt("file_retention_period"),
		cGUID("copy_job_id"), cGUID("restore_job_id"), cStr("monitor_server"), cBit("monitor_server_security_mode"),
		cStr("last_copied_file"), cTime("last_copied_date")}}
	for _, s := range in.st.Secondaries {
		t.rows = append(t.rows, []any{guid(s.SecondaryID), s.PrimaryServer, s.PrimaryDatabase, s.SourceDirectory,
			s.DestDirectory, int64(s.FileRetention), guid(s.CopyJobID), guid(s.RestoreJobID), s.MonitorServer,
			s.MonitorSecurityWin, nullStr(s.LastCopiedFile), nullTime(in.localTime(s.LastCopiedDate))})
	}
	return t
}

func (in *instance) tSecondaryDBs() *table {
	t := &table{cols: []tds.Column{cStr("secondary_database"), cGUID("secondary_id"), cInt("restore_delay"),
		cBit("restore_all"), cBit("restore_mode"), cBit("disconnect_users"), cInt("block_size"),
		cInt("buffer_count"), cInt("max_transfer_size"), cStr("last_restored_file"), cTime("last_restored_date")}}
	for _, d := range in.st.SecondaryDBs {
		t.rows = append(t.rows, []any{d.SecondaryDatabase, guid(d.SecondaryID), int64(d.RestoreDelay), d.RestoreAll,
			d.RestoreMode, d.DisconnectUsers, int64(-1), int64(-1), int64(-1), nullStr(d.LastRestoredFile), nullTime(in.localTime(d.LastRestoredDate))})
	}
	return t
}

func (in *instance) tMonitor() *table {
	t := &table{cols: []tds.Column{cStr("secondary_server"), cStr("secondary_database"), cGUID("secondary_id"),
		cStr("primary_server"), cStr("primary_database"), cInt("restore_threshold"), cInt("threshold_alert"),
		cBit("threshold_alert_enabled"), cStr("last_copied_file"), cTime("last_copied_date"), cTime("last_copied_date_utc"),
		cStr("last_restored_file"), cTime("last_restored_date"), cTime("last_restored_date_utc"),
		cInt("last_restored_latency"), cInt("history_retention_period")}}
	for _, m := range in.st.Monitor {
		t.rows = append(t.rows, []any{m.SecondaryServer, m.SecondaryDatabase, guid(m.SecondaryID), m.PrimaryServer,
			m.PrimaryDatabase, int64(m.RestoreThreshold), int64(14421), true, nullStr(m.LastCopiedFile),
			nullTime(in.localTime(m.LastCopiedDate)), nullTime(utcTime(m.LastCopiedDate)), nullStr(m.LastRestoredFile),
			nullTime(in.localTime(m.LastRestoredDate)), nullTime(utcTime(m.LastRestoredDate)), restoredLatency(m), int64(m.HistoryRetention)})
	}
	return t
}

func (in *instance) tJobs() *table {
	t := &table{cols: []tds.Column{cGUID("job_id"), cStr("name"), cTiny("enabled"), cStr("description")}}
	for _, j := range in.st.Jobs {
		t.rows = append(t.rows, []any{guid(j.JobID), j.Name, boolInt(j.Enabled), j.Description})
	}
	return t
}

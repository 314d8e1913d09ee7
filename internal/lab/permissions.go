package lab

import (
	"fmt"
	"strings"
)

// sysadmin reports whether the session's login is a sysadmin (the
// default role). A login the state does not know has no rights.
func (x *stmtCtx) sysadmin() bool {
	user := x.s.Login().User
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	for _, lg := range x.in.st.Logins {
		if strings.EqualFold(lg.User, user) {
			return lg.isSysadmin()
		}
	}
	return false
}

// The errors SQL Server gives a login without the permission a statement
// needs (RoleReader has VIEW SERVER STATE, VIEW ANY DEFINITION and msdb's
// db_datareader, nothing that writes). Permission errors are severity 14.

// msgRestoreDenied is 3110: RESTORE LOG/DATABASE of an existing database
// needs sysadmin, dbcreator or db_owner.
func msgRestoreDenied(db string) sqlMsg {
	return sqlMsg{3110, 1, 14, fmt.Sprintf("User does not have permission to RESTORE database '%s'.", db)}
}

// msgCreateDatabaseDenied is 262: RESTORE HEADERONLY needs CREATE
// DATABASE (since SQL Server 2008).
func msgCreateDatabaseDenied() sqlMsg {
	return sqlMsg{262, 1, 14, "CREATE DATABASE permission denied in database 'master'."}
}

// msgKillDenied is 6102: KILL needs ALTER ANY CONNECTION.
func msgKillDenied() sqlMsg {
	return sqlMsg{6102, 1, 14, "User does not have permission to use the KILL statement."}
}

// msgAlterDenied is 5011: ALTER DATABASE needs ALTER on the database.
func msgAlterDenied(db string) sqlMsg {
	return sqlMsg{5011, 9, 14, "User does not have permission to alter database '" + db + "', the database does not exist, or the database is not in a state that allows access checks."}
}

// msgExecuteDenied is 229 for a system procedure (they live in the
// resource database, schema sys).
func msgExecuteDenied(proc string) sqlMsg {
	return sqlMsg{229, 5, 14, fmt.Sprintf("The EXECUTE permission was denied on the object '%s', database 'mssqlsystemresource', schema 'sys'.", proc)}
}

// msgNotInMaster is 5001, for a procedure that must run in master.
func msgNotInMaster() sqlMsg { return sqlMsg{5001, 1, 16, "User must be in the master database."} }

// checkMasterProc checks what SQL Server checks before a log shipping
// procedure (sysadmin only, run in master) does anything: the EXECUTE
// permission (229) and that it runs in master (5001). qualifier is the
// database its name gives (master.dbo.sp_x runs in master), "" for the
// session's current database. The return status is 1 on failure.
func (x *stmtCtx) checkMasterProc(proc, qualifier string) error {
	if !x.sysadmin() {
		x.status = 1
		return fail(msgExecuteDenied(proc))
	}
	db := qualifier
	if db == "" {
		db = x.s.Database()
	}
	if !strings.EqualFold(db, "master") {
		x.status = 1
		return fail(msgNotInMaster())
	}
	return nil
}

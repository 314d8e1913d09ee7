package lab

import (
	"fmt"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// sqlMsg is an error or informational message as SQL Server sends it.
type sqlMsg struct {
	Number int32
	State  uint8
	Class  uint8
	Text   string
}

// sqlError carries one or more messages of a failed statement (the cause,
// then 3013 for RESTORE).
type sqlError struct{ msgs []sqlMsg }

func (e *sqlError) Error() string {
	parts := make([]string, len(e.msgs))
	for i, m := range e.msgs {
		parts[i] = fmt.Sprintf("%s (%d)", m.Text, m.Number)
	}
	return strings.Join(parts, "; ")
}

// fail builds a sqlError from messages.
func fail(msgs ...sqlMsg) *sqlError { return &sqlError{msgs: msgs} }

func (m sqlMsg) tds(server string) tds.Message {
	return tds.Message{Number: m.Number, State: m.State, Class: m.Class, Text: m.Text}
}

// UnsupportedNumber is the error number of "the lab does not support this
// statement".
const UnsupportedNumber = 50000

func msgUnsupported(what string) sqlMsg {
	if r := []rune(what); len(r) > 120 {
		what = string(r[:120]) + "…"
	}
	return sqlMsg{UnsupportedNumber, 1, 16, unsupportedPrefix + what}
}

// unsupportedPrefix starts every "the lab does not support this" message.
const unsupportedPrefix = "The failover lab (a SQL Server simulator) does not support this statement: "

// msgSelectStar refuses SELECT *: the lab's views have only the columns
// the actions use, so a star would answer with fewer columns than SQL
// Server does.
func msgSelectStar(star string) sqlMsg {
	return msgUnsupported("SELECT " + star + " (the lab simulates only some columns of each view; name the columns)")
}

func msgSyntax(near string) sqlMsg {
	return sqlMsg{102, 1, 15, fmt.Sprintf("Incorrect syntax near '%s'.", near)}
}

func msgUnclosedQuote(rest string) sqlMsg {
	return sqlMsg{105, 1, 15, fmt.Sprintf("Unclosed quotation mark after the character string '%s'.", rest)}
}

func msgUnclosedIdent(rest string) sqlMsg { return msgUnclosedQuote(rest) }

func msgMissingEndComment() sqlMsg { return sqlMsg{113, 1, 15, "Missing end comment mark '*/'."} }

func msgMustDeclare(v string) sqlMsg {
	return sqlMsg{137, 2, 15, fmt.Sprintf("Must declare the scalar variable \"%s\".", v)}
}

// msgNotSimulated answers a name the lab does not know. SQL Server would
// say 208, 207 or 195 for a name that does not exist, but the lab knows
// only the few objects, columns and functions the actions use, so it
// cannot tell a typo from a real name it lacks: it says it does not
// support the statement, never that a real object does not exist.
func msgNotSimulated(kind, name string) sqlMsg {
	return sqlMsg{UnsupportedNumber, 1, 16, fmt.Sprintf(
		"%s%s '%s' is not simulated (or does not exist).", unsupportedPrefix, kind, name)}
}

func msgInvalidObject(name string) sqlMsg { return msgNotSimulated("the object", name) }

func msgInvalidColumn(name string) sqlMsg { return msgNotSimulated("the column", name) }

func msgNotFunction(name string) sqlMsg { return msgNotSimulated("the function", name) }

// msgNotParsed answers a statement of a kind the lab knows whose form its
// small T-SQL parser does not follow (a cursor, a table variable, …): it
// may be valid T-SQL, so it is not called a syntax error.
func msgNotParsed(text, near string) sqlMsg {
	m := msgUnsupported(text)
	if near != "" {
		m.Text += fmt.Sprintf(" (the lab's T-SQL parser stopped near '%s')", near)
	}
	return m
}

func msgConversion(v, typ string) sqlMsg {
	return sqlMsg{245, 1, 16, fmt.Sprintf("Conversion failed when converting the nvarchar value '%s' to data type %s.", v, typ)}
}

func msgDivideByZero() sqlMsg { return sqlMsg{8134, 1, 16, "Divide by zero error encountered."} }

func msgNoDatabase(db string) sqlMsg {
	return sqlMsg{911, 1, 16, fmt.Sprintf("Database '%s' does not exist. Make sure that the name is entered correctly.", db)}
}

func msgInRestore(db string) sqlMsg {
	return sqlMsg{927, 2, 14, fmt.Sprintf("Database '%s' cannot be opened. It is in the middle of a restore.", db)}
}

func msgOffline(db string) sqlMsg {
	return sqlMsg{942, 4, 14, fmt.Sprintf("Database '%s' cannot be opened because it is offline.", db)}
}

func msgNoProc(name string) sqlMsg {
	return sqlMsg{2812, 62, 16, fmt.Sprintf("Could not find stored procedure '%s'.", name)}
}

func msgMissingParam(proc, param string) sqlMsg {
	return sqlMsg{201, 4, 16, fmt.Sprintf("Procedure or function '%s' expects parameter '%s', which was not supplied.", proc, param)}
}

func msgCommitNoTran() sqlMsg {
	return sqlMsg{3902, 1, 16, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION."}
}

func msgRollbackNoTran() sqlMsg {
	return sqlMsg{3903, 1, 16, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION."}
}

// The restore path.

func msgTerminating(stmt string) sqlMsg {
	return sqlMsg{3013, 1, 16, stmt + " is terminating abnormally."}
}

// msgConflictingOptions is 3031, which names the options in lower case,
// the one given first first.
func msgConflictingOptions(first, second string) sqlMsg {
	return sqlMsg{3031, 1, 16, fmt.Sprintf("Option '%s' conflicts with option(s) '%s'. Remove the conflicting option and reissue the statement.",
		strings.ToLower(first), strings.ToLower(second))}
}

func msgInTransaction() sqlMsg {
	return sqlMsg{3021, 0, 16, "Cannot perform a backup or restore operation within a transaction."}
}

func msgExclusive() sqlMsg {
	return sqlMsg{3101, 1, 16, "Exclusive access could not be obtained because the database is in use."}
}

func msgOwnSession(db string) sqlMsg {
	return sqlMsg{3102, 1, 16, fmt.Sprintf("RESTORE cannot process database '%s' because it is in use by this session. It is recommended that the master database be used when performing this operation.", db)}
}

func msgNoRollforward() sqlMsg {
	return sqlMsg{3117, 1, 16, "The log or differential backup cannot be restored because no files are ready to rollforward."}
}

func msgWrongBackupKind(path, kind string) sqlMsg {
	return sqlMsg{3135, 2, 16, fmt.Sprintf("The backup set in file '%s' was created by %s and cannot be used for this restore operation.", path, kind)}
}

func msgAlreadyRecovered() sqlMsg {
	return sqlMsg{3153, 2, 16, "The database is already fully recovered."}
}

func msgOtherDatabase(db string) sqlMsg {
	return sqlMsg{3154, 4, 16, fmt.Sprintf("The backup set holds a backup of a database other than the existing '%s' database.", db)}
}

func msgCannotOpen(path string, oserr int, text string) sqlMsg {
	return sqlMsg{3201, 2, 16, fmt.Sprintf("Cannot open backup device '%s'. Operating system error %d(%s).", path, oserr, text)}
}

func msgReadFailed(path string) sqlMsg {
	return sqlMsg{3203, 1, 16, fmt.Sprintf("Read on \"%s\" failed: 38(Reached the end of the file.)", path)}
}

func msgIncorrectlyFormed(path string) sqlMsg {
	return sqlMsg{3241, 0, 16, fmt.Sprintf("The media family on device '%s' is incorrectly formed. SQL Server cannot process this media family.", path)}
}

func msgNoFileID(pos int, path string) sqlMsg {
	return sqlMsg{4038, 1, 16, fmt.Sprintf("Cannot find file ID %d on device '%s'.", pos, path)}
}

func msgTooRecent(first, need string) sqlMsg {
	return sqlMsg{4305, 1, 16, fmt.Sprintf("The log in this backup set begins at LSN %s, which is too recent to apply to the database. An earlier log backup that includes LSN %s can be restored.", first, need)}
}

func msgTooEarly(last, need string) sqlMsg {
	return sqlMsg{4326, 1, 16, fmt.Sprintf("The log in this backup set terminates at LSN %s, which is too early to apply to the database. A more recent log backup that includes LSN %s can be restored.", last, need)}
}

func msgChainGap() sqlMsg {
	return sqlMsg{4312, 1, 16, "This log cannot be restored because a gap in the log chain was created. Use more recent data backups to bridge the gap."}
}

func msgInterrupted(file string) sqlMsg {
	return sqlMsg{4319, 1, 16, fmt.Sprintf("A previous restore operation was interrupted and did not complete processing on file '%s'. Either restore the backup set that was interrupted or restart the restore sequence.", file)}
}

func msgForkMismatch() sqlMsg {
	return sqlMsg{4330, 1, 16, "This backup set cannot be applied because it is on a recovery path that is inconsistent with the database. The recovery path is the sequence of data and log backups that have brought the database to a particular recovery point. Find a compatible backup to restore, or restore the rest of the database to match a recovery point within this backup set, which will restore the database to a different point in time. For more information about recovery paths, see SQL Server Books Online."}
}

func msgProcessed(pages int, db, file string, pos int) sqlMsg {
	return sqlMsg{4035, 1, 0, fmt.Sprintf("Processed %d pages for database '%s', file '%s' on file %d.", pages, db, file, pos)}
}

func msgRestoreDone(stmt string, pages int, secs float64) sqlMsg {
	mb := 0.0
	if secs > 0 {
		mb = float64(pages) * 8 / 1024 / secs
	}
	return sqlMsg{3014, 1, 0, fmt.Sprintf("%s successfully processed %d pages in %.3f seconds (%.3f MB/sec).", stmt, pages, secs, mb)}
}

// Sessions and KILL.

func msgKillSelf() sqlMsg { return sqlMsg{6104, 1, 16, "Cannot use KILL to kill your own process."} }

func msgNoProcess(spid int) sqlMsg {
	return sqlMsg{6106, 2, 16, fmt.Sprintf("Process ID %d is not an active process ID.", spid)}
}

func msgSystemProcess() sqlMsg { return sqlMsg{6107, 1, 14, "Only user processes can be killed."} }

func msgAlterInState(state string) sqlMsg {
	return sqlMsg{5052, 1, 16, fmt.Sprintf("ALTER DATABASE is not permitted while a database is in the %s state.", state)}
}

func msgAlterFailed() sqlMsg { return sqlMsg{5069, 1, 16, "ALTER DATABASE statement failed."} }

func msgNotSecondary(db string) sqlMsg {
	return sqlMsg{32014, 1, 16, fmt.Sprintf("Database %s does not exist as log shipping secondary.", db)}
}

func msgLoginFailed(user string) sqlMsg {
	return sqlMsg{18456, 1, 14, fmt.Sprintf("Login failed for user '%s'.", user)}
}

func msgCannotOpenDB(db string) sqlMsg {
	return sqlMsg{4060, 1, 11, fmt.Sprintf("Cannot open database \"%s\" requested by the login. The login failed.", db)}
}

// knownError is the real text of an error a fault injects; unknown numbers
// get a generic text that names the fault.
func knownError(n int32, spid int) sqlMsg {
	switch n {
	case 1205:
		return sqlMsg{1205, 51, 13, fmt.Sprintf("Transaction (Process ID %d) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.", spid)}
	case 1222:
		return sqlMsg{1222, 56, 16, "Lock request time out period exceeded."}
	case 4060:
		return msgCannotOpenDB("mgc")
	case 3101:
		return msgExclusive()
	case 8645:
		return sqlMsg{8645, 6, 17, "A timeout occurred while waiting for memory resources to execute the query in resource pool 'default' (2). Rerun the query."}
	case 701:
		return sqlMsg{701, 123, 17, "There is insufficient system memory in resource pool 'default' to run this query."}
	}
	return sqlMsg{n, 1, 16, fmt.Sprintf("Error %d injected by the failover lab.", n)}
}

package lab

import (
	"fmt"
	"strings"
)

// The messages of BACKUP, RESTORE DATABASE … FROM DISK, database
// mirroring and the log shipping setup procedures, with SQL Server's
// numbers, severities and texts (the 1000–4999 and 31000–41399 lists of
// the SQL Server documentation).

// msgBackupDenied is 262 for BACKUP DATABASE or BACKUP LOG, which need
// db_owner, db_backupoperator or sysadmin.
func msgBackupDenied(stmt, db string) sqlMsg {
	return sqlMsg{262, 1, 14, fmt.Sprintf("%s permission denied in database '%s'.", stmt, db)}
}

// msgTempdbBackup is 3147.
func msgTempdbBackup() sqlMsg {
	return sqlMsg{3147, 1, 16, "Backup and restore operations are not allowed on database tempdb."}
}

// msgWarmStandby is 3036: a database in STANDBY cannot be backed up.
func msgWarmStandby(db string) sqlMsg {
	return sqlMsg{3036, 1, 16, fmt.Sprintf("The database \"%s\" is in warm-standby state (set by executing RESTORE WITH STANDBY) and cannot be backed up until the entire restore sequence is completed.", db)}
}

// msgMirrorDatabase is 954, for a database that is a mirroring mirror.
func msgMirrorDatabase(db string) sqlMsg {
	return sqlMsg{954, 1, 14, fmt.Sprintf("The database \"%s\" cannot be opened. It is acting as a mirror database.", db)}
}

// msgLogSimple is 4208: BACKUP LOG of a database in SIMPLE recovery.
func msgLogSimple() sqlMsg {
	return sqlMsg{4208, 1, 16, "The statement BACKUP LOG is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE."}
}

// msgNoFullBackup is 4214.
func msgNoFullBackup() sqlMsg {
	return sqlMsg{4214, 1, 16, "BACKUP LOG cannot be performed because there is no current database backup."}
}

// msgSerialized is 3023: a second backup of a database that one runs on.
func msgSerialized() sqlMsg {
	return sqlMsg{3023, 2, 16, "Backup, file manipulation operations (such as ALTER DATABASE ADD FILE) and encryption changes on a database must be serialized. Reissue the statement after the current backup or file manipulation operation is completed."}
}

// msgOptionsNotSupported is 3032.
func msgOptionsNotSupported(opts ...string) sqlMsg {
	return sqlMsg{3032, 2, 16, fmt.Sprintf("One or more of the options (%s) are not supported for this statement. Review the documentation for supported options.",
		strings.ToLower(strings.Join(opts, ", ")))}
}

// msgIncompatibleMedia is 3098: COMPRESSION (or NO_COMPRESSION) asked of
// a media set formatted the other way.
func msgIncompatibleMedia(asked, omit, instead string) sqlMsg {
	return sqlMsg{3098, 2, 16, fmt.Sprintf("The backup cannot be performed because '%s' was requested after the media was formatted with an incompatible structure. To append to this media set, either omit '%s' or specify '%s'. Alternatively, you can create a new media set by using WITH FORMAT in your BACKUP statement. If you use WITH FORMAT on an existing media set, all its backup sets will be overwritten.", asked, omit, instead)}
}

// msgBadMediaEnd is 3266: appending to a file whose last set is cut off
// or damaged.
func msgBadMediaEnd(path string) sqlMsg {
	return sqlMsg{3266, 1, 16, fmt.Sprintf("The backup data at the end of \"%s\" is incorrectly formatted. Backup sets on the media might be damaged and unusable. To determine the backup sets on the media, use RESTORE HEADERONLY. To determine the usability of the backup sets, run RESTORE VERIFYONLY. If all of the backup sets are incomplete, reformat the media using BACKUP WITH FORMAT, which destroys all the backup sets.", path)}
}

// msgTailNotBackedUp is 3159.
func msgTailNotBackedUp(db string) sqlMsg {
	return sqlMsg{3159, 1, 16, fmt.Sprintf("The tail of the log for the database \"%s\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.", db)}
}

// msgMirroredRestore is 3104.
func msgMirroredRestore(db string) sqlMsg {
	return sqlMsg{3104, 1, 16, fmt.Sprintf("RESTORE cannot operate on database '%s' because it is configured for database mirroring. Use ALTER DATABASE to remove mirroring if you intend to restore the database.", db)}
}

// msgFileInUse is 1834 (its text has two spaces after the first period).
func msgFileInUse(physical, db string) sqlMsg {
	return sqlMsg{1834, 1, 16, fmt.Sprintf("The file '%s' cannot be overwritten.  It is being used by database '%s'.", physical, db)}
}

// msgUseMove is 3156.
func msgUseMove(logical, physical string) sqlMsg {
	return sqlMsg{3156, 4, 16, fmt.Sprintf("File '%s' cannot be restored to '%s'. Use WITH MOVE to identify a valid location for the file.", logical, physical)}
}

// msgFileClaimedTwice is 3176.
func msgFileClaimedTwice(physical, a string, ai int, b string, bi int) sqlMsg {
	return sqlMsg{3176, 1, 16, fmt.Sprintf("File '%s' is claimed by '%s'(%d) and '%s'(%d). The WITH MOVE clause can be used to relocate one or more files.", physical, a, ai, b, bi)}
}

// msgPlanningFailed is 3119, after the file problems of a restore.
func msgPlanningFailed() sqlMsg {
	return sqlMsg{3119, 1, 16, "Problems were identified while planning for the RESTORE statement. Previous messages provide details."}
}

// msgNotLogicalFile is 3234: MOVE of a logical name the set lacks.
func msgNotLogicalFile(logical, db string) sqlMsg {
	return sqlMsg{3234, 2, 16, fmt.Sprintf("Logical file '%s' is not part of database '%s'. Use RESTORE FILELISTONLY to list the logical file names.", logical, db)}
}

// msgNotMirrored is 1416.
func msgNotMirrored(db string) sqlMsg {
	return sqlMsg{1416, 31, 16, fmt.Sprintf("Database \"%s\" is not configured for database mirroring.", db)}
}

// msgNotOutputParam is 8162: OUTPUT asked of a parameter that is not one.
func msgNotOutputParam(param string) sqlMsg {
	return sqlMsg{8162, 2, 16, fmt.Sprintf("The formal parameter \"%s\" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output.", param)}
}

// The log shipping setup procedures' errors (32007–32052).

func msgLSNotOnline(db string) sqlMsg {
	return sqlMsg{32007, 1, 16, fmt.Sprintf("Database %s is not ONLINE.", db)}
}

func msgLSPrimaryExists(db string) sqlMsg {
	return sqlMsg{32009, 1, 16, fmt.Sprintf("A log shipping primary entry already exists for database %s.", db)}
}

func msgLSNotPrimary(db string) sqlMsg {
	return sqlMsg{32010, 1, 16, fmt.Sprintf("Database %s does not exist as log shipping primary.", db)}
}

func msgLSSecondaryExists(server, db, primary string) sqlMsg {
	return sqlMsg{32012, 1, 16, fmt.Sprintf("Secondary %s.%s already exists for primary %s.", server, db, primary)}
}

func msgLSSecondaryDBExists(db string) sqlMsg {
	return sqlMsg{32013, 1, 16, fmt.Sprintf("A log shipping entry already exists for secondary database %s.", db)}
}

func msgLSSimple(db string) sqlMsg {
	return sqlMsg{32015, 1, 16, fmt.Sprintf("The primary database %s cannot have SIMPLE recovery for log shipping to work properly.", db)}
}

func msgLSJobExists(name string) sqlMsg {
	return sqlMsg{32022, 1, 16, fmt.Sprintf("Cannot add a log shipping job with name %s. A job with same name already exists in the system and this job does not belong to log shipping category.", name)}
}

func msgLSNoPrimaryEntry(server, db string) sqlMsg {
	return sqlMsg{32023, 1, 16, fmt.Sprintf("An entry for primary server %s, primary database %s does not exist on this secondary. Register the primary first.", server, db)}
}

func msgLSPrimaryEntryExists(server, db string) sqlMsg {
	return sqlMsg{32024, 1, 16, fmt.Sprintf("An entry for primary server %s, primary database %s already exists.", server, db)}
}

func msgLSEmptyParam(param string) sqlMsg {
	return sqlMsg{32052, 1, 16, fmt.Sprintf("Parameter '%s' cannot be null or empty. Specify a value for the named parameter and retry the operation.", param)}
}

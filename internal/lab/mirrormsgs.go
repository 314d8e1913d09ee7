package lab

import "fmt"

// The errors of ALTER DATABASE … SET PARTNER = 'TCP://…', with SQL
// Server's texts (sys.messages 1400–1499). SQL Server's documentation
// gives the texts, not which check raises which: the lab's choices are
// listed in docs/lab.md.

// msgAlreadyMirrored is 1405: the database already has a session.
func msgAlreadyMirrored(db string) sqlMsg {
	return sqlMsg{1405, 1, 16, fmt.Sprintf("The database \"%s\" is already enabled for database mirroring.", db)}
}

// msgNotRelated is 1407: the mirror is not a copy of the principal
// (another recovery fork, or ahead of the principal's log).
func msgNotRelated(db string) sqlMsg {
	return sqlMsg{1407, 1, 16, fmt.Sprintf("The remote copy of database \"%s\" is not related to the local copy of the database.", db)}
}

// msgRemoteMirrored is 1410: the mirror database is in another session.
func msgRemoteMirrored(db string) sqlMsg {
	return sqlMsg{1410, 1, 16, fmt.Sprintf("The remote copy of database \"%s\" is already enabled for database mirroring.", db)}
}

// msgUnreachable is 1418: no lab instance answers at the address.
func msgUnreachable(address string) sqlMsg {
	return sqlMsg{1418, 1, 16, fmt.Sprintf("The server network address \"%s\" can not be reached or does not exist. "+
		"Check the network address name and that the ports for the local and remote endpoints are operational.", address)}
}

// msgNoRemoteCopy is 1448: the mirror instance lacks the database.
func msgNoRemoteCopy(db string) sqlMsg {
	return sqlMsg{1448, 1, 16, fmt.Sprintf("The remote copy of database \"%s\" does not exist. Check the database name and reissue the command.", db)}
}

// msgBadPartnerAddress is 1449: not TCP://host:port.
func msgBadPartnerAddress() sqlMsg {
	return sqlMsg{1449, 1, 16, "ALTER DATABASE command failed due to an invalid server connection string."}
}

// msgPartnerIsSelf is 1452.
func msgPartnerIsSelf() sqlMsg {
	return sqlMsg{1452, 1, 16, "The partner server instance name must be distinct from the server instance that manages the database. The ALTER DATABASE SET PARTNER command failed."}
}

// msgRemoteNotRestoring is 1464: the mirror database was recovered.
func msgRemoteNotRestoring(db string) sqlMsg {
	return sqlMsg{1464, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled for the remote copy of database \"%s\" because the database is not in a recovering state. "+
		"The remote database must be restored using WITH NORECOVERY.", db)}
}

// msgNotFullRecovery is 1465.
func msgNotFullRecovery(db string) sqlMsg {
	return sqlMsg{1465, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled because the \"%s\" database is not in full recovery mode on both partners.", db)}
}

// msgReadOnlyPartner is 1466 (a database in STANDBY).
func msgReadOnlyPartner(db string) sqlMsg {
	return sqlMsg{1466, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled because the \"%s\" database is read-only on one of the partners.", db)}
}

// msgSuspectPartner is 1467.
func msgSuspectPartner(db string) sqlMsg {
	return sqlMsg{1467, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled because the \"%s\" database is in emergency or suspect mode on one of the partners.", db)}
}

// msgMirrorLacksLog is 1478: the mirror has not restored the log the
// principal's log backup chain needs.
func msgMirrorLacksLog(db string) sqlMsg {
	return sqlMsg{1478, 211, 16, fmt.Sprintf("The mirror database, \"%s\", has insufficient transaction log data to preserve the log backup chain of the principal database. "+
		"This may happen if a log backup from the principal database has not been taken or has not been restored on the mirror database.", db)}
}

// msgSingleUserMirroring is 1488.
func msgSingleUserMirroring(db string) sqlMsg {
	return sqlMsg{1488, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled because the \"%s\" database is in single user mode.", db)}
}

// msgRemoteNeedsLogs is 1409: the mirror database is in the middle of a
// restore.
func msgRemoteNeedsLogs(db string) sqlMsg {
	return sqlMsg{1409, 1, 16, fmt.Sprintf("Database mirroring cannot be enabled for the remote copy of database \"%s\". Restore database logs to the remote copy.", db)}
}

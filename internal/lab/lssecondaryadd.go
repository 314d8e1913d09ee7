package lab

import (
	"slices"
	"strings"
)

// secondaryPrimaryArgs are sp_add_log_shipping_secondary_primary's values.
type secondaryPrimaryArgs struct {
	row                 lsSecondary
	copyJob, restoreJob string
	overwrite           bool
}

// addSecondaryPrimary is sp_add_log_shipping_secondary_primary: the
// log_shipping_secondary row for a primary server and database, with its
// backup share, copy folder and retention, and disabled copy and restore
// jobs. An entry for the same primary is 32024 unless @overwrite = 1
// updates it; a job name another job has is 32022. OUTPUT: @copy_job_id,
// @restore_job_id, @secondary_id.
func (x *stmtCtx) addSecondaryPrimary(a procValues) error {
	var s secondaryPrimaryArgs
	var err error
	for _, t := range []struct {
		dst  *string
		name string
	}{{&s.row.PrimaryServer, "@primary_server"}, {&s.row.PrimaryDatabase, "@primary_database"},
		{&s.row.SourceDirectory, "@backup_source_directory"}, {&s.row.DestDirectory, "@backup_destination_directory"},
		{&s.copyJob, "@copy_job_name"}, {&s.restoreJob, "@restore_job_name"}} {
		if *t.dst, err = a.text(t.name, true); err != nil {
			return err
		}
	}
	retention, err := a.num("@file_retention_period", 14420, false)
	if err != nil {
		return err
	}
	s.row.FileRetention = int(retention)
	if s.row.MonitorSecurityWin, err = a.bit("@monitor_server_security_mode", true); err != nil {
		return err
	}
	if s.overwrite, err = a.bit("@overwrite", false); err != nil {
		return err
	}
	s.row.MonitorServer, _ = a.text("@monitor_server", false)
	return x.putSecondaryPrimary(s)
}

// putSecondaryPrimary checks and stores the entry and its jobs.
func (x *stmtCtx) putSecondaryPrimary(s secondaryPrimaryArgs) error {
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	st := in.st
	row := s.row
	i := in.secondaryEntry(row.PrimaryServer, row.PrimaryDatabase)
	row.SecondaryID, row.CopyJobID, row.RestoreJobID = newGUID(), newGUID(), newGUID()
	if i >= 0 {
		if !s.overwrite {
			return fail(msgLSPrimaryEntryExists(row.PrimaryServer, row.PrimaryDatabase))
		}
		old := st.Secondaries[i]
		row.SecondaryID, row.CopyJobID, row.RestoreJobID = old.SecondaryID, old.CopyJobID, old.RestoreJobID
		row.LastCopiedFile, row.LastCopiedDate = old.LastCopiedFile, old.LastCopiedDate
	}
	if strings.EqualFold(s.copyJob, s.restoreJob) {
		return fail(msgLSJobExists(s.restoreJob))
	}
	for _, j := range []string{s.copyJob, s.restoreJob} {
		if !in.jobNameFree(j, row.CopyJobID, row.RestoreJobID) {
			return fail(msgLSJobExists(j))
		}
	}
	if row.MonitorServer == "" {
		row.MonitorServer = st.ServerName
	}
	if i >= 0 {
		st.Secondaries[i] = &row
	} else {
		st.Secondaries = append(st.Secondaries, &row)
	}
	pair := row.PrimaryServer + ":" + row.PrimaryDatabase
	in.putJob(row.CopyJobID, s.copyJob, "Log shipping copy job for "+pair+".")
	in.putJob(row.RestoreJobID, s.restoreJob, "Log shipping restore log job for "+pair+".")
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	x.outputGUID("@copy_job_id", row.CopyJobID)
	x.outputGUID("@restore_job_id", row.RestoreJobID)
	x.outputGUID("@secondary_id", row.SecondaryID)
	return nil
}

// secondaryEntry is the index of the log_shipping_secondary row of a
// primary server and database, -1 when there is none; the caller holds
// mu.
func (in *instance) secondaryEntry(server, db string) int {
	return slices.IndexFunc(in.st.Secondaries, func(s *lsSecondary) bool {
		return strings.EqualFold(s.PrimaryServer, server) && strings.EqualFold(s.PrimaryDatabase, db)
	})
}

// addSecondaryDatabase is sp_add_log_shipping_secondary_database: the
// log_shipping_secondary_databases row (restore delay, all, mode,
// disconnect users) and the local monitor record of a secondary
// database, for a primary registered with
// sp_add_log_shipping_secondary_primary (32023 otherwise). A row for the
// database is 32013 unless @overwrite = 1 replaces it.
func (x *stmtCtx) addSecondaryDatabase(a procValues) error {
	var db, server, primaryDB string
	var err error
	for _, t := range []struct {
		dst  *string
		name string
	}{{&db, "@secondary_database"}, {&server, "@primary_server"}, {&primaryDB, "@primary_database"}} {
		if *t.dst, err = a.text(t.name, true); err != nil {
			return err
		}
	}
	row := lsSecondaryDB{SecondaryDatabase: db}
	mon := lsMonitor{SecondaryDatabase: db, PrimaryServer: server, PrimaryDatabase: primaryDB}
	delay, err := a.num("@restore_delay", 0, false)
	if err != nil {
		return err
	}
	threshold, err := a.num("@restore_threshold", 45, false)
	if err != nil {
		return err
	}
	retention, err := a.num("@history_retention_period", 14420, false)
	if err != nil {
		return err
	}
	row.RestoreDelay, mon.RestoreThreshold, mon.HistoryRetention = int(delay), int(threshold), int(retention)
	for _, b := range []struct {
		dst  *bool
		name string
		def  bool
	}{{&row.RestoreAll, "@restore_all", true}, {&row.RestoreMode, "@restore_mode", false},
		{&row.DisconnectUsers, "@disconnect_users", false}} {
		if *b.dst, err = a.bit(b.name, b.def); err != nil {
			return err
		}
	}
	overwrite, err := a.bit("@overwrite", false)
	if err != nil {
		return err
	}
	return x.putSecondaryDatabase(row, mon, overwrite)
}

// putSecondaryDatabase checks and stores the secondary database's rows.
func (x *stmtCtx) putSecondaryDatabase(row lsSecondaryDB, mon lsMonitor, overwrite bool) error {
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	st := in.st
	i := in.secondaryEntry(mon.PrimaryServer, mon.PrimaryDatabase)
	if i < 0 {
		return fail(msgLSNoPrimaryEntry(mon.PrimaryServer, mon.PrimaryDatabase))
	}
	d := st.database(row.SecondaryDatabase)
	if d == nil {
		return fail(msgUnsupported("log shipping into database " + row.SecondaryDatabase + ", which does not exist on this server"))
	}
	row.SecondaryDatabase, mon.SecondaryDatabase = d.Name, d.Name
	row.SecondaryID, mon.SecondaryID, mon.SecondaryServer = st.Secondaries[i].SecondaryID, st.Secondaries[i].SecondaryID, st.ServerName
	mon.PrimaryServer, mon.PrimaryDatabase = st.Secondaries[i].PrimaryServer, st.Secondaries[i].PrimaryDatabase
	j := slices.IndexFunc(st.SecondaryDBs, func(s *lsSecondaryDB) bool { return strings.EqualFold(s.SecondaryDatabase, d.Name) })
	if j >= 0 && !overwrite {
		return fail(msgLSSecondaryDBExists(d.Name))
	}
	st.SecondaryDBs = slices.DeleteFunc(st.SecondaryDBs, func(s *lsSecondaryDB) bool { return strings.EqualFold(s.SecondaryDatabase, d.Name) })
	st.Monitor = slices.DeleteFunc(st.Monitor, func(m *lsMonitor) bool { return strings.EqualFold(m.SecondaryDatabase, d.Name) })
	st.SecondaryDBs = append(st.SecondaryDBs, &row)
	st.Monitor = append(st.Monitor, &mon)
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	return nil
}

// restoredLatency is log_shipping_monitor_secondary.last_restored_latency:
// NULL until the restore job restored a file.
func restoredLatency(m *lsMonitor) any {
	if m.LastRestoredDate.IsZero() {
		return nil
	}
	return int64(m.LastRestoredLat)
}

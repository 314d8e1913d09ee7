package lab

import (
	"slices"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// lsPrimaryDB is a row of msdb.dbo.log_shipping_primary_databases.
type lsPrimaryDB struct {
	PrimaryID            string `json:"primary_id"`
	PrimaryDatabase      string `json:"primary_database"`
	BackupDirectory      string `json:"backup_directory"`
	BackupShare          string `json:"backup_share"`
	BackupRetention      int    `json:"backup_retention_period"`
	BackupJobID          string `json:"backup_job_id"`
	MonitorServer        string `json:"monitor_server"`
	MonitorSecurityWin   bool   `json:"monitor_server_security_mode"`
	UserSpecifiedMonitor bool   `json:"user_specified_monitor"`
	BackupCompression    int    `json:"backup_compression"`
}

// lsPrimarySecondary is a row of msdb.dbo.log_shipping_primary_secondaries.
type lsPrimarySecondary struct {
	PrimaryID         string `json:"primary_id"`
	SecondaryServer   string `json:"secondary_server"`
	SecondaryDatabase string `json:"secondary_database"`
}

// lsMonitorPrimary is a row of msdb.dbo.log_shipping_monitor_primary.
type lsMonitorPrimary struct {
	PrimaryID        string `json:"primary_id"`
	PrimaryServer    string `json:"primary_server"`
	PrimaryDatabase  string `json:"primary_database"`
	BackupThreshold  int    `json:"backup_threshold"`
	ThresholdAlert   int    `json:"threshold_alert"`
	AlertEnabled     bool   `json:"threshold_alert_enabled"`
	HistoryRetention int    `json:"history_retention_period"`
}

// addPrimaryDatabase is sp_add_log_shipping_primary_database: the
// primary's entry in log_shipping_primary_databases, its monitor record
// and a disabled backup job. The database must be ONLINE (32007) and
// not in SIMPLE recovery (32015); an entry for it is 32009 unless
// @overwrite = 1 replaces it. OUTPUT: @backup_job_id, @primary_id.
func (x *stmtCtx) addPrimaryDatabase(a procValues) error {
	var e lsPrimaryDB
	var mon lsMonitorPrimary
	var job string
	var err error
	texts := []struct {
		dst  *string
		name string
	}{{&e.PrimaryDatabase, "@database"}, {&e.BackupDirectory, "@backup_directory"},
		{&e.BackupShare, "@backup_share"}, {&job, "@backup_job_name"}}
	for _, t := range texts {
		if *t.dst, err = a.text(t.name, true); err != nil {
			return err
		}
	}
	nums := []struct {
		dst      *int
		name     string
		def      int64
		required bool
	}{{&e.BackupRetention, "@backup_retention_period", 0, true}, {&e.BackupCompression, "@backup_compression", 2, false},
		{&mon.BackupThreshold, "@backup_threshold", 60, false}, {&mon.ThresholdAlert, "@threshold_alert", 14420, false},
		{&mon.HistoryRetention, "@history_retention_period", 14420, false}}
	for _, n := range nums {
		v, err := a.num(n.name, n.def, n.required)
		if err != nil {
			return err
		}
		*n.dst = int(v)
	}
	if e.MonitorSecurityWin, err = a.bit("@monitor_server_security_mode", true); err != nil {
		return err
	}
	if mon.AlertEnabled, err = a.bit("@threshold_alert_enabled", false); err != nil {
		return err
	}
	overwrite, err := a.bit("@overwrite", false)
	if err != nil {
		return err
	}
	e.MonitorServer, _ = a.text("@monitor_server", false)
	e.UserSpecifiedMonitor = e.MonitorServer != ""
	return x.putPrimaryDatabase(e, mon, job, overwrite)
}

// putPrimaryDatabase checks and stores a primary entry.
func (x *stmtCtx) putPrimaryDatabase(e lsPrimaryDB, mon lsMonitorPrimary, job string, overwrite bool) error {
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	st := in.st
	d := st.database(e.PrimaryDatabase)
	switch {
	case d == nil:
		return fail(msgUnsupported("log shipping of database " + e.PrimaryDatabase + ", which does not exist on this server"))
	case d.State != "ONLINE" || d.Standby:
		return fail(msgLSNotOnline(d.Name))
	case strings.EqualFold(d.RecoveryModel, "SIMPLE"):
		return fail(msgLSSimple(d.Name))
	}
	i := slices.IndexFunc(st.PrimaryDBs, func(p *lsPrimaryDB) bool { return strings.EqualFold(p.PrimaryDatabase, d.Name) })
	e.PrimaryID, e.BackupJobID, e.PrimaryDatabase = newGUID(), newGUID(), d.Name
	if i >= 0 {
		if !overwrite {
			return fail(msgLSPrimaryExists(d.Name))
		}
		e.PrimaryID, e.BackupJobID = st.PrimaryDBs[i].PrimaryID, st.PrimaryDBs[i].BackupJobID
	}
	if !in.jobNameFree(job, e.BackupJobID) {
		return fail(msgLSJobExists(job))
	}
	if e.MonitorServer == "" {
		e.MonitorServer = st.ServerName
	}
	mon.PrimaryID, mon.PrimaryServer, mon.PrimaryDatabase = e.PrimaryID, st.ServerName, d.Name
	if i >= 0 {
		st.PrimaryDBs[i] = &e
		st.MonitorPrimary = slices.DeleteFunc(st.MonitorPrimary, func(m *lsMonitorPrimary) bool { return m.PrimaryID == e.PrimaryID })
	} else {
		st.PrimaryDBs = append(st.PrimaryDBs, &e)
	}
	st.MonitorPrimary = append(st.MonitorPrimary, &mon)
	in.putJob(e.BackupJobID, job, "Log shipping backup log job for "+st.ServerName+"."+d.Name+".")
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	x.outputGUID("@backup_job_id", e.BackupJobID)
	x.outputGUID("@primary_id", e.PrimaryID)
	return nil
}

// addPrimarySecondary is sp_add_log_shipping_primary_secondary: a row of
// log_shipping_primary_secondaries for a primary entry (32010 without
// one); the same secondary again is 32012 unless @overwrite = 1.
func (x *stmtCtx) addPrimarySecondary(a procValues) error {
	var db, server, secDB string
	var err error
	for _, t := range []struct {
		dst  *string
		name string
	}{{&db, "@primary_database"}, {&server, "@secondary_server"}, {&secDB, "@secondary_database"}} {
		if *t.dst, err = a.text(t.name, true); err != nil {
			return err
		}
	}
	overwrite, err := a.bit("@overwrite", false)
	if err != nil {
		return err
	}
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	st := in.st
	i := slices.IndexFunc(st.PrimaryDBs, func(p *lsPrimaryDB) bool { return strings.EqualFold(p.PrimaryDatabase, db) })
	if i < 0 {
		return fail(msgLSNotPrimary(db))
	}
	id := st.PrimaryDBs[i].PrimaryID
	if slices.ContainsFunc(st.PrimarySecondaries, func(s *lsPrimarySecondary) bool {
		return s.PrimaryID == id && strings.EqualFold(s.SecondaryServer, server) && strings.EqualFold(s.SecondaryDatabase, secDB)
	}) {
		if !overwrite {
			return fail(msgLSSecondaryExists(server, secDB, st.PrimaryDBs[i].PrimaryDatabase))
		}
		return nil
	}
	st.PrimarySecondaries = append(st.PrimarySecondaries, &lsPrimarySecondary{PrimaryID: id, SecondaryServer: server, SecondaryDatabase: secDB})
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	return nil
}

func (in *instance) tPrimaryDBs(bool) *table {
	t := &table{cols: []tds.Column{cGUID("primary_id"), cStr("primary_database"), cStr("backup_directory"),
		cStr("backup_share"), cInt("backup_retention_period"), cGUID("backup_job_id"), cStr("monitor_server"),
		cBit("monitor_server_security_mode"), cStr("last_backup_file"), cTime("last_backup_date"),
		cBit("user_specified_monitor"), cTiny("backup_compression")}}
	for _, p := range in.st.PrimaryDBs {
		// last_backup_* are the backup job's (sqllogship) record; the lab
		// runs no job, so they stay NULL.
		t.rows = append(t.rows, []any{guid(p.PrimaryID), p.PrimaryDatabase, p.BackupDirectory, p.BackupShare,
			int64(p.BackupRetention), guid(p.BackupJobID), p.MonitorServer, p.MonitorSecurityWin, nil, nil,
			p.UserSpecifiedMonitor, int64(p.BackupCompression)})
	}
	return t
}

func (in *instance) tPrimarySecondaries(bool) *table {
	t := &table{cols: []tds.Column{cGUID("primary_id"), cStr("secondary_server"), cStr("secondary_database")}}
	for _, s := range in.st.PrimarySecondaries {
		t.rows = append(t.rows, []any{guid(s.PrimaryID), s.SecondaryServer, s.SecondaryDatabase})
	}
	return t
}

func (in *instance) tMonitorPrimary(bool) *table {
	t := &table{cols: []tds.Column{cGUID("primary_id"), cStr("primary_server"), cStr("primary_database"),
		cInt("backup_threshold"), cInt("threshold_alert"), cBit("threshold_alert_enabled"), cStr("last_backup_file"),
		cTime("last_backup_date"), cTime("last_backup_date_utc"), cInt("history_retention_period")}}
	for _, m := range in.st.MonitorPrimary {
		t.rows = append(t.rows, []any{guid(m.PrimaryID), m.PrimaryServer, m.PrimaryDatabase, int64(m.BackupThreshold),
			int64(m.ThresholdAlert), m.AlertEnabled, nil, nil, nil, int64(m.HistoryRetention)})
	}
	return t
}

package lab

import (
	"strconv"
	"time"

	"github.com/failover-dev/failover/internal/tds"
)

// who2 is sp_who2, which the runbook's step 4 uses to find the sessions
// to kill: one row per session, SPID twice (it is undocumented and meant
// for people; the lab answers it so a drill can follow the runbook).
func (x *stmtCtx) who2() error {
	cols := []tds.Column{cStr("SPID"), cStr("Status"), cStr("Login"), cStr("HostName"), cStr("BlkBy"),
		cStr("DBName"), cStr("Command"), cInt("CPUTime"), cInt("DiskIO"), cStr("LastBatch"),
		cStr("ProgramName"), cStr("SPID"), cInt("REQUESTID")}
	in := x.in
	in.mu.Lock()
	rows := in.sessionRows()
	in.mu.Unlock()
	rs := tds.ResultSet{Columns: cols}
	for _, r := range rows {
		status, cmd, db := "sleeping", "AWAITING COMMAND", any(r.db)
		if !r.user {
			status, cmd, db = "BACKGROUND", "TASK MANAGER", nil
		}
		if r.spid == x.s.SPID() {
			status, cmd = "RUNNABLE", "SELECT INTO"
		}
		spid := strconv.Itoa(r.spid)
		rs.Rows = append(rs.Rows, []any{spid, status, r.login, nullStr(r.host), "  .", db, cmd, int64(0), int64(0),
			r.loginTime.Local().Format("01/02 15:04:05"), r.program, spid, int64(0)})
	}
	x.w.Rows(rs)
	x.status = 0
	return nil
}

// helpLogShippingMonitor is sys.sp_help_log_shipping_monitor on the
// secondary: one row per monitored secondary database; status 1 when the
// last restore is older than the restore threshold.
func (x *stmtCtx) helpLogShippingMonitor() error {
	cols := []tds.Column{cBit("status"), cBit("is_primary"), cStr("server"), cStr("database_name"),
		cInt("time_since_last_backup"), cStr("last_backup_file"), cInt("backup_threshold"),
		cBit("is_backup_alert_enabled"), cInt("time_since_last_copy"), cStr("last_copied_file"),
		cInt("time_since_last_restore"), cStr("last_restored_file"), cInt("last_restored_latency"),
		cInt("restore_threshold"), cBit("is_restore_alert_enabled")}
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	rs := tds.ResultSet{Columns: cols}
	now := time.Now()
	for _, m := range in.st.Monitor {
		sinceCopy, sinceRestore := minutesSince(now, m.LastCopiedDate), minutesSince(now, m.LastRestoredDate)
		alert := sinceRestore == nil || sinceRestore.(int64) >= int64(m.RestoreThreshold)
		rs.Rows = append(rs.Rows, []any{alert, false, in.st.ServerName, m.SecondaryDatabase, nil, nil, nil, nil,
			sinceCopy, nullStr(m.LastCopiedFile), sinceRestore, nullStr(m.LastRestoredFile),
			int64(m.LastRestoredLat), int64(m.RestoreThreshold), true})
	}
	x.w.Rows(rs)
	x.status = 0
	return nil
}

func minutesSince(now, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return int64(now.Sub(t) / time.Minute)
}

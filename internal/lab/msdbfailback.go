package lab

import "github.com/failover-dev/failover/internal/labfile"

// msdbFailback is the part of msdb the failback's statements fill,
// embedded in instanceState: the backups taken (msdb.dbo.backupset and
// backupmediafamily) and the log shipping tables of a primary.
type msdbFailback struct {
	// BackupHistory are the backups BACKUP took on this instance, as
	// restoreRecords without a restore (Date is the backup's end).
	BackupHistory []*restoreRecord `json:"backup_history,omitempty"`
	// The log shipping tables of a primary (lsprimary.go).
	PrimaryDBs         []*lsPrimaryDB        `json:"log_shipping_primary_databases,omitempty"`
	PrimarySecondaries []*lsPrimarySecondary `json:"log_shipping_primary_secondaries,omitempty"`
	MonitorPrimary     []*lsMonitorPrimary   `json:"log_shipping_monitor_primary,omitempty"`
}

// nextHistoryID is the next id of msdb's history rows: restores and
// backups share one sequence, as their backupset rows do.
func (st *instanceState) nextHistoryID() int {
	id := 0
	for _, r := range st.RestoreHistory {
		id = max(id, r.ID)
	}
	for _, r := range st.BackupHistory {
		id = max(id, r.ID)
	}
	return id + 1
}

// addBackupHistory records a backup the instance took; the caller holds
// mu.
func (st *instanceState) addBackupHistory(device string, set labfile.BackupSet) {
	typ := "L"
	if set.BackupType == labfile.TypeFull {
		typ = "D"
	}
	st.BackupHistory = append(st.BackupHistory, &restoreRecord{ID: st.nextHistoryID(), Date: set.BackupFinishDate,
		Type: typ, SourceDB: set.DatabaseName, Server: set.ServerName, FirstLSN: set.FirstLSN, LastLSN: set.LastLSN,
		DBBackupLSN: set.DatabaseBackupLSN, Position: set.Position, Device: device,
		BackupStart: set.BackupStartDate, BackupEnd: set.BackupFinishDate})
}

// backupSetRows adds the backups to msdb.dbo.backupset; the caller holds
// mu.
func (in *instance) backupSetRows(t *table) {
	for _, r := range in.st.BackupHistory {
		t.rows = append(t.rows, []any{int64(r.ID), int64(r.ID), int64(r.Position), r.SourceDB, r.Server, r.Type,
			lsnValue(r.FirstLSN), lsnValue(r.LastLSN), nullLSN(r.DBBackupLSN), nullTime(in.localTime(r.BackupStart)),
			nullTime(in.localTime(r.BackupEnd))})
	}
}

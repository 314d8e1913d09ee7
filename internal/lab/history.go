package lab

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
	"github.com/failover-dev/failover/internal/tds"
)

// restoreRecord is one restore as msdb's restorehistory, backupset and
// backupmediafamily show it (one backup set and media set per restore).
// Its times are instants (UTC in the state file); the tables show them
// as the server's local time, as msdb's datetime columns hold them, so
// backupset's dates equal RESTORE HEADERONLY's for the same set.
type restoreRecord struct {
	ID          int       `json:"restore_history_id"`
	Date        time.Time `json:"restore_date"`
	Database    string    `json:"destination_database_name"`
	Type        string    `json:"restore_type"` // D database, L log
	SourceDB    string    `json:"database_name"`
	Server      string    `json:"server_name"`
	FirstLSN    lsn.LSN   `json:"first_lsn"`
	LastLSN     lsn.LSN   `json:"last_lsn"`
	DBBackupLSN lsn.LSN   `json:"database_backup_lsn"`
	Position    int       `json:"position"`
	Device      string    `json:"physical_device_name"`
	BackupStart time.Time `json:"backup_start_date"`
	BackupEnd   time.Time `json:"backup_finish_date"`
}

// addHistory records a restored backup set; the caller holds mu.
func (st *instanceState) addHistory(db, device string, set labfile.BackupSet, at time.Time) {
	typ := "L"
	if set.BackupType == labfile.TypeFull {
		typ = "D"
	}
	st.RestoreHistory = append(st.RestoreHistory, &restoreRecord{ID: st.nextHistoryID(), Date: at,
		Database: db, Type: typ, SourceDB: set.DatabaseName, Server: set.ServerName, FirstLSN: set.FirstLSN,
		LastLSN: set.LastLSN, DBBackupLSN: set.DatabaseBackupLSN, Position: set.Position, Device: device,
		BackupStart: set.BackupStartDate, BackupEnd: set.BackupFinishDate})
}

// The ids of backupset and media set are the restore's id.
func (in *instance) tRestoreHistory() *table {
	t := &table{cols: []tds.Column{cInt("restore_history_id"), cTime("restore_date"),
		cStr("destination_database_name"), cStr("user_name"), cInt("backup_set_id"), cStr("restore_type"),
		cBit("replace"), cBit("recovery"), cBit("restart")}}
	for _, r := range in.st.RestoreHistory {
		t.rows = append(t.rows, []any{int64(r.ID), in.localTime(r.Date), r.Database, "sa", int64(r.ID), r.Type, false, false, false})
	}
	return t
}

func (in *instance) tBackupSet() *table {
	t := &table{cols: []tds.Column{cInt("backup_set_id"), cInt("media_set_id"), cInt("position"),
		cStr("database_name"), cStr("server_name"), cStr("type"), cLSN("first_lsn"), cLSN("last_lsn"),
		cLSN("database_backup_lsn"), cTime("backup_start_date"), cTime("backup_finish_date")}}
	for _, r := range in.st.RestoreHistory {
		typ := "L"
		if r.Type == "D" {
			typ = "D"
		}
		t.rows = append(t.rows, []any{int64(r.ID), int64(r.ID), int64(r.Position), r.SourceDB, r.Server, typ,
			lsnValue(r.FirstLSN), lsnValue(r.LastLSN), nullLSN(r.DBBackupLSN), nullTime(in.localTime(r.BackupStart)),
			nullTime(in.localTime(r.BackupEnd))})
	}
	in.backupSetRows(t)
	return t
}

func (in *instance) tMediaFamily() *table {
	t := &table{cols: []tds.Column{cInt("media_set_id"), cTiny("family_sequence_number"),
		cStr("physical_device_name"), cTiny("device_type")}}
	for _, r := range slices.Concat(in.st.RestoreHistory, in.st.BackupHistory) {
		t.rows = append(t.rows, []any{int64(r.ID), int64(1), r.Device, int64(2)})
	}
	return t
}

// historyOfChain records the restores the restore job already did.
func historyOfChain(st *instanceState, chain labfile.Chain, copyDir string, db string, now time.Time) {
	at := now.Add(-time.Hour)
	for _, f := range chain.Files {
		if !f.Restored || !strings.HasPrefix(f.Name, db+"_") {
			continue
		}
		for _, s := range f.Sets {
			st.addHistory(db, filepath.Join(copyDir, f.Name), s, at)
			at = at.Add(time.Minute)
		}
	}
}

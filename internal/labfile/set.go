package labfile

import (
	"time"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// Backup types as RESTORE HEADERONLY's BackupType column reports them.
const (
	TypeFull         = 1
	TypeLog          = 2
	TypeDifferential = 5
)

// TypeDescription is RESTORE HEADERONLY's BackupTypeDescription for a
// BackupType, e.g. "Transaction Log".
func TypeDescription(backupType int) string {
	switch backupType {
	case TypeFull:
		return "Database"
	case TypeLog:
		return "Transaction Log"
	case TypeDifferential:
		return "Database Differential"
	}
	return "Unknown"
}

// BackupSet is one backup set in a file: the columns of RESTORE HEADERONLY
// the restore logic needs, plus simulated page counts for the "Processed N
// pages" messages. Dates are the backup server's local time in SQL Server;
// the lab writes UTC.
type BackupSet struct {
	BackupName        string `json:"backup_name"`
	BackupDescription string `json:"backup_description,omitempty"`
	// BackupType is 1 (full), 2 (log) or 5 (differential).
	BackupType int `json:"backup_type"`
	// Position is the set's FILE = n, counted from 1; WriteFile sets it.
	Position     int    `json:"position"`
	DatabaseName string `json:"database_name"`
	ServerName   string `json:"server_name"`
	MachineName  string `json:"machine_name"`
	UserName     string `json:"user_name"`

	// FirstLSN is the first log record in the set; LastLSN the next log
	// record after it (exclusive).
	FirstLSN          lsn.LSN `json:"first_lsn"`
	LastLSN           lsn.LSN `json:"last_lsn"`
	CheckpointLSN     lsn.LSN `json:"checkpoint_lsn"`
	DatabaseBackupLSN lsn.LSN `json:"database_backup_lsn"`
	// ForkPointLSN is zero (NULL) unless the set spans a recovery fork.
	ForkPointLSN lsn.LSN `json:"fork_point_lsn"`

	FirstRecoveryForkID uuid.UUID `json:"first_recovery_fork_id"`
	RecoveryForkID      uuid.UUID `json:"recovery_fork_id"`
	BackupSetGUID       uuid.UUID `json:"backup_set_guid"`
	FamilyGUID          uuid.UUID `json:"family_guid"`

	BackupStartDate  time.Time `json:"backup_start_date"`
	BackupFinishDate time.Time `json:"backup_finish_date"`

	SoftwareVersionMajor int    `json:"software_version_major"`
	SoftwareVersionMinor int    `json:"software_version_minor"`
	SoftwareVersionBuild int    `json:"software_version_build"`
	DatabaseVersion      int    `json:"database_version"`
	RecoveryModel        string `json:"recovery_model"`
	Collation            string `json:"collation,omitempty"`

	Compressed     bool `json:"compressed"`
	IsCopyOnly     bool `json:"is_copy_only"`
	IsDamaged      bool `json:"is_damaged"`
	BeginsLogChain bool `json:"begins_log_chain"`
	IsForceOffline bool `json:"is_force_offline"`
	// PasswordProtected sets show BackupName "*** Password Protected ***"
	// and NULL in the other HEADERONLY columns.
	PasswordProtected bool `json:"password_protected,omitempty"`
	Flags             int  `json:"flags"`

	BackupSize           int64 `json:"backup_size"`
	CompressedBackupSize int64 `json:"compressed_backup_size"`

	// DataPages and LogPages are what a restore of the set "processes"
	// (the INFO messages of RESTORE).
	DataPages int `json:"data_pages"`
	LogPages  int `json:"log_pages"`

	// HasChecksums: the backup was taken WITH CHECKSUM.
	HasChecksums bool `json:"has_backup_checksums,omitempty"`
	// Files are the database files the set holds (RESTORE FILELISTONLY);
	// empty in sets written before the lab recorded them, whose readers
	// assume the database's default files.
	Files []FileEntry `json:"files,omitempty"`
}

// IsEmptyLog reports whether the set is a log backup without log records
// (FirstLSN == LastLSN), which restore tools skip.
func (b BackupSet) IsEmptyLog() bool {
	return b.BackupType == TypeLog && b.FirstLSN == b.LastLSN
}

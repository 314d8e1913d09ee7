package labfile

import (
	"errors"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// DBLog is an online database's transaction log as BACKUP sees it: where
// the log ends, on which recovery fork, the last checkpoint, the base of
// the backup chain (the last full backup) and where the next log backup
// begins. Its methods are pure: each returns the backup's LSNs and the
// log after it, so the LSNs of the lab's backups follow SQL Server's
// rules (domain.md B.1, B.3) and tests can check them without a server.
type DBLog struct {
	// EndLSN is the LSN the next log record gets.
	EndLSN lsn.LSN `json:"end_lsn"`
	// ForkID is the recovery fork the log is on now.
	ForkID uuid.UUID `json:"recovery_fork_guid"`
	// PrevForkID and ForkPointLSN: the fork before the last recovery
	// (RESTORE … WITH RECOVERY) and the LSN where it ended, until a log
	// backup has carried the log past that point.
	PrevForkID   uuid.UUID `json:"previous_fork_guid"`
	ForkPointLSN lsn.LSN   `json:"fork_point_lsn"`
	// CheckpointLSN is the last checkpoint.
	CheckpointLSN lsn.LSN `json:"checkpoint_lsn"`
	// BaseLSN is the CheckpointLSN of the last full backup (not copy
	// only): the DatabaseBackupLSN of later backups. Zero: the database
	// has no full backup, so BACKUP LOG cannot run (4214).
	BaseLSN lsn.LSN `json:"database_backup_lsn"`
	// LogBackupLSN is where the next log backup begins: the LastLSN of
	// the last one, the FirstLSN of the full backup that started the
	// chain, or the point a restore recovered at. Zero: no chain.
	LogBackupLSN lsn.LSN `json:"log_backup_lsn"`
	// NewChain: the next log backup is the first of a new log chain
	// (HEADERONLY's BeginsLogChain).
	NewChain bool `json:"new_chain,omitempty"`
}

// ErrNoFullBackup is BACKUP LOG without a full backup to base it on
// (SQL Server's error 4214).
var ErrNoFullBackup = errors.New("no current database backup")

// How far a backup moves the log: a full backup writes a checkpoint and
// the log of the work done while it copies the data; a log backup and a
// recovery write a few records of their own.
const (
	fullCheckpointBlocks = 8
	fullBlocks           = 32
	logBackupBlocks      = 4
	recoveryBlocks       = 2
)

// NewDBLog is the log of a database that has never been backed up,
// ending at end on fork.
func NewDBLog(end lsn.LSN, fork uuid.UUID) DBLog {
	return DBLog{EndLSN: end, ForkID: fork, CheckpointLSN: end}
}

// Grow is the log after n blocks of work.
func (g DBLog) Grow(n uint32) DBLog {
	g.EndLSN = AddBlocks(g.EndLSN, n)
	return g
}

// Full is a full backup of the database: the set's LSNs and forks (the
// caller fills in names, dates and sizes) and the log after it. The set
// begins where the log ends, checkpoints, and ends after the log written
// while the data was copied; its DatabaseBackupLSN is the previous full
// backup's checkpoint. Unless copyOnly, it becomes the base of later
// backups, and it starts a log chain when there is none.
func (g DBLog) Full(copyOnly bool) (BackupSet, DBLog) {
	s := BackupSet{BackupType: TypeFull, FirstLSN: g.EndLSN, DatabaseBackupLSN: g.BaseLSN,
		FirstRecoveryForkID: g.ForkID, RecoveryForkID: g.ForkID, IsCopyOnly: copyOnly}
	s.CheckpointLSN = AddBlocks(g.EndLSN, fullCheckpointBlocks)
	s.LastLSN = AddBlocks(g.EndLSN, fullBlocks)
	next := g
	next.EndLSN, next.CheckpointLSN = s.LastLSN, s.CheckpointLSN
	if !copyOnly {
		next.BaseLSN = s.CheckpointLSN
		if next.LogBackupLSN.IsZero() {
			next.LogBackupLSN, next.NewChain = s.FirstLSN, true
		}
	}
	return s, next
}

// Log is a log backup: from where the last one ended to the end of the
// log (after the backup's own records). A log backup whose range holds
// the last fork point begins on the previous fork (FirstRecoveryForkID)
// and names the fork point. It fails with ErrNoFullBackup when there is
// no full backup or no log chain.
func (g DBLog) Log() (BackupSet, DBLog, error) {
	if g.BaseLSN.IsZero() || g.LogBackupLSN.IsZero() {
		return BackupSet{}, g, ErrNoFullBackup
	}
	s := BackupSet{BackupType: TypeLog, FirstLSN: g.LogBackupLSN, LastLSN: AddBlocks(g.EndLSN, logBackupBlocks),
		CheckpointLSN: g.CheckpointLSN, DatabaseBackupLSN: g.BaseLSN, BeginsLogChain: g.NewChain,
		FirstRecoveryForkID: g.ForkID, RecoveryForkID: g.ForkID}
	if !g.ForkPointLSN.IsZero() && s.FirstLSN.Cmp(g.ForkPointLSN) <= 0 {
		s.FirstRecoveryForkID, s.ForkPointLSN = g.PrevForkID, g.ForkPointLSN
	}
	next := g
	next.EndLSN, next.LogBackupLSN, next.NewChain = s.LastLSN, s.LastLSN, false
	next.PrevForkID, next.ForkPointLSN = uuid.UUID{}, lsn.LSN{}
	return s, next, nil
}

// Recovered is the log of a database recovered (RESTORE … WITH
// RECOVERY) at restore point p: a new recovery fork begins at p's redo
// point, the log chain goes on from there (the next log backup begins
// at it) and base is the full backup the restored sets were based on.
func Recovered(p RestorePoint, newFork uuid.UUID, base lsn.LSN) DBLog {
	end := AddBlocks(p.RedoStartLSN, recoveryBlocks)
	return DBLog{EndLSN: end, ForkID: newFork, PrevForkID: p.RedoStartForkID, ForkPointLSN: p.RedoStartLSN,
		CheckpointLSN: end, BaseLSN: base, LogBackupLSN: p.RedoStartLSN}
}

// TailRestorePoint is where a database stands after a tail-log backup
// WITH NORECOVERY (it is RESTORING): at the backup's end, on its fork.
func TailRestorePoint(tail BackupSet) RestorePoint {
	return RestorePoint{RedoStartLSN: tail.LastLSN, RedoStartForkID: tail.RecoveryForkID}
}

// RestoredFull is the restore point of a database a full backup was
// just restored into WITH NORECOVERY: the log the backup holds is
// redone up to its LastLSN, so the next log backup must include it.
func RestoredFull(full BackupSet) RestorePoint {
	return RestorePoint{RedoStartLSN: full.LastLSN, RedoStartForkID: full.RecoveryForkID}
}

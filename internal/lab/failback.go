package lab

import (
	"fmt"
	"hash/fnv"
	"os"
	"strings"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// failbackState is what a database holds for the failback's statements
// (BACKUP, RESTORE DATABASE … FROM DISK, database mirroring), embedded
// in dbState so the state file keeps it beside the rest.
type failbackState struct {
	// Log is the database's transaction log while it is ONLINE (BACKUP
	// reads and moves it); nil while it is RESTORING, and for a database
	// of an older state file until a statement needs it.
	Log *labfile.DBLog `json:"log,omitempty"`
	// RestoreBase is, while RESTORING, the checkpoint of the full backup
	// the restored sets are based on (their DatabaseBackupLSN): the base
	// of the log chain after recovery.
	RestoreBase lsn.LSN `json:"restore_base_lsn"`
	// FamilyGUID is the database's family (HEADERONLY's FamilyGUID),
	// kept when it is restored; empty: derived from the names.
	FamilyGUID string `json:"family_guid,omitempty"`
	// Files are the database's files; empty: the default two
	// (defaultFiles).
	Files []dbFile `json:"files,omitempty"`
	// Mirroring is the database's mirroring session; nil: not mirrored.
	Mirroring *mirrorState `json:"mirroring,omitempty"`
}

// stableGUID is a GUID that depends only on its parts, so a database
// that has no recorded family or fork gets the same one every time.
func stableGUID(parts ...string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.ToLower(strings.Join(parts, "/"))))
}

// logOf is the database's log, made up (initialLog) for a database that
// has none yet, and moved on past the log backups the primary's backup
// job wrote (a live-primary fault). The caller holds mu.
func (in *instance) logOf(d *dbState) *labfile.DBLog {
	if d.Log == nil {
		g := initialLog(in.st.ServerName, d)
		d.Log = &g
	}
	if lb := in.jobChain(d); lb != nil && lb.Last.RecoveryForkID == d.Log.ForkID && lb.Last.LastLSN.Cmp(d.Log.LogBackupLSN) > 0 {
		g := d.Log
		g.LogBackupLSN, g.NewChain = lb.Last.LastLSN, false
		if g.EndLSN.Cmp(g.LogBackupLSN) < 0 {
			g.EndLSN = g.LogBackupLSN
		}
		if !g.ForkPointLSN.IsZero() && g.ForkPointLSN.Cmp(g.LogBackupLSN) < 0 {
			g.PrevForkID, g.ForkPointLSN = uuid.UUID{}, lsn.LSN{}
		}
	}
	return d.Log
}

// jobChain is the chain of the backup job of log-shipped primary
// database d (LogBackups, which a live-primary fault continues), nil
// when d has none; the caller holds mu. The job and BACKUP keep one
// chain: BACKUP LOG and a recovery move the job's last backup, and
// logOf takes in the job's backups.
func (in *instance) jobChain(d *dbState) *logBackups {
	lb := in.st.LogBackups
	if lb == nil || !strings.EqualFold(lb.Database, d.Name) || d.State != "ONLINE" {
		return nil
	}
	return lb
}

// tellJob tells the backup job of d about a backup BACKUP took: the job's
// next log backup continues after a log backup, and is based on a full
// backup. The caller holds mu.
func (in *instance) tellJob(d *dbState, set labfile.BackupSet, g labfile.DBLog) {
	lb := in.jobChain(d)
	switch {
	case lb == nil || set.IsCopyOnly:
	case set.BackupType == labfile.TypeLog:
		lb.Last = set
	default:
		lb.Last.DatabaseBackupLSN = g.BaseLSN
	}
}

// initialLog is the log of a database of the config that was never
// backed up: it ends at an LSN derived from the server and database
// names, on a fork of its own, with no full backup (BACKUP LOG is 4214
// until BACKUP DATABASE); an ONLINE database that has a log keeps it.
func initialLog(server string, d *dbState) labfile.DBLog {
	if d.Log != nil {
		return *d.Log
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(server + "/" + d.Name)))
	start := lsn.Make(100+h.Sum32()%900, 1000+h.Sum32()%20000, 1)
	return labfile.NewDBLog(start, stableGUID("fork", server, d.Name))
}

// chainLogs ties the log-shipped database to the chain on the share: the
// primary's log goes on after the newest log backup (a little work since
// then), based on the chain's full backup; the secondary's restored sets
// are based on it too.
func chainLogs(prim, sec *instanceState, ls LogShippingConfig, chain labfile.Chain) {
	base := chain.Full.CheckpointLSN
	if n := len(chain.Logs); n > 0 {
		base = chain.Logs[n-1].DatabaseBackupLSN
	}
	if d := prim.database(ls.Database); d != nil && d.State == "ONLINE" {
		g := labfile.DBLog{EndLSN: labfile.AddBlocks(chain.Tip, 120), ForkID: chain.ForkID, CheckpointLSN: chain.Tip,
			BaseLSN: base, LogBackupLSN: chain.Tip}
		d.Log = &g
	}
	d := sec.database(ls.Database)
	if d == nil {
		return
	}
	d.RestoreBase = chain.Full.CheckpointLSN
	for _, s := range chain.Logs {
		if s.LastLSN.Cmp(chain.Restore.RedoStartLSN) <= 0 {
			d.RestoreBase = s.DatabaseBackupLSN
		}
	}
	if d.State == "ONLINE" && !d.Standby { // scenario already_recovered
		g := labfile.Recovered(chain.Restore, stableGUID("recovered", sec.ServerName, d.Name), d.RestoreBase)
		d.Log, d.RestoreBase = &g, lsn.LSN{}
	}
}

// familyOf is the database's FamilyGUID.
func (in *instance) familyOf(d *dbState) uuid.UUID {
	if g, err := uuid.Parse(d.FamilyGUID); err == nil {
		return g
	}
	return stableGUID("family", in.st.ServerName, d.Name)
}

// recovered gives a database that a restore just recovered (RESTORE …
// WITH RECOVERY) its log: a new recovery fork from the restore point,
// the log chain going on from there (also for the backup job of a
// log-shipped primary). The caller holds mu.
func (in *instance) recovered(d *dbState) {
	base := d.RestoreBase
	if base.IsZero() {
		// A restore point the lab did not record a base for (an older
		// state file): the restore point stands in for it.
		base = d.Restore.RedoStartLSN
	}
	g := labfile.Recovered(d.Restore, uuid.New(), base)
	d.Log, d.RestoreBase = &g, lsn.LSN{}
	if lb := in.jobChain(d); lb != nil {
		lb.Last.LastLSN, lb.Last.DatabaseBackupLSN = g.LogBackupLSN, g.BaseLSN
		lb.Last.FirstRecoveryForkID, lb.Last.RecoveryForkID = g.ForkID, g.ForkID
	}
}

// makeLabFolders creates the path map's folders of a lab without log
// shipping (a lab in its failed-over state), where BACKUP writes.
func makeLabFolders(dir string, cfg Config) error {
	for _, d := range cfg.labFolders(dir) {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}

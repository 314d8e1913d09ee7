package lab

import (
	"errors"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/google/uuid"
)

// backupRun is what one BACKUP statement works with once its values are
// evaluated.
type backupRun struct {
	spec       backupSpec
	stmt       string // "BACKUP DATABASE" or "BACKUP LOG"
	name, desc string
	dev        device
	// compressed: the set is compressed (COMPRESSION, or the media's).
	compressed bool
}

// backup runs BACKUP DATABASE | LOG … TO DISK: the checks SQL Server
// makes, the simulated work (STATS progress, cancellable), then the set
// appended to the file (or the file overwritten with INIT or FORMAT),
// written atomically. Only then does the database's log move on (and a
// tail-log backup WITH NORECOVERY leave it RESTORING): a cancelled or
// failed backup changes nothing. Every failure sends its cause, then
// 3013.
func (x *stmtCtx) backup(b backupSpec) error {
	r := backupRun{spec: b, stmt: "BACKUP " + b.kind}
	term := msgTerminating(r.stmt)
	if x.s.InTransaction() {
		return fail(msgInTransaction(), term)
	}
	db, err := x.evalText(b.db)
	if err != nil {
		return err
	}
	if r.name, r.desc, err = x.backupNames(b); err != nil {
		return err
	}
	if r.dev, err = x.devicePath(b.disk); err != nil {
		return err
	}
	d, err := x.startBackup(&r, db, term)
	if err != nil {
		return err
	}
	defer x.in.endBusy(d.Name, x.s.SPID())
	media, keep, m := x.in.readMedia(r.dev, b)
	if m == nil {
		r.compressed, m = mediaCompression(media, b.compression)
	}
	if m != nil {
		return fail(*m, term)
	}
	start := time.Now()
	if !x.work(b.stats) {
		return errAbort
	}
	return x.finishBackup(d, r, media[:keep], time.Since(start), term)
}

// backupNames evaluates NAME and DESCRIPTION.
func (x *stmtCtx) backupNames(b backupSpec) (name, desc string, err error) {
	if b.name != nil {
		if name, err = x.evalText(b.name); err != nil {
			return "", "", err
		}
	}
	if b.desc != nil {
		desc, err = x.evalText(b.desc)
	}
	return name, desc, err
}

// startBackup finds the database, checks the login and the database's
// state, and marks the database busy (a second backup gets 3023, a
// RESTORE 3101) until endBusy.
func (x *stmtCtx) startBackup(r *backupRun, db string, term sqlMsg) (*dbState, error) {
	in := x.in
	in.mu.Lock()
	d := in.st.database(db)
	in.mu.Unlock()
	if d == nil {
		return nil, fail(msgNoDatabase(db), term)
	}
	if !x.sysadmin() {
		return nil, fail(msgBackupDenied(r.stmt, d.Name), term)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if m := in.backupable(d, r.spec, x.s.SPID()); m != nil {
		return nil, fail(*m, term)
	}
	in.restoring[strings.ToLower(d.Name)] = x.s.SPID()
	return d, nil
}

// endBusy ends session spid's backup or restore hold on a database; a
// hold another session has taken since (after this one's connection
// dropped) stays.
func (in *instance) endBusy(db string, spid int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if k := strings.ToLower(db); in.restoring[k] == spid {
		delete(in.restoring, k)
	}
}

// backupable is the error SQL Server gives for a BACKUP of d, nil when
// it can run; the caller holds mu.
func (in *instance) backupable(d *dbState, b backupSpec, own int) *sqlMsg {
	var m sqlMsg
	_, busy := in.restoring[strings.ToLower(d.Name)]
	switch {
	case strings.EqualFold(d.Name, "tempdb"):
		m = msgTempdbBackup()
	case isSystemDB(d.Name):
		m = msgUnsupported("BACKUP of the system database " + d.Name)
	case d.Mirroring != nil && d.Mirroring.Role == mirrorRoleMirror:
		m = msgMirrorDatabase(d.Name)
	case d.State == "RESTORING":
		m = msgInRestore(d.Name)
	case d.Standby:
		m = msgWarmStandby(d.Name)
	case d.State == "OFFLINE":
		m = msgOffline(d.Name)
	case d.State != "ONLINE":
		m = msgUnsupported("BACKUP of a database in state " + d.State)
	case busy:
		m = msgSerialized()
	default:
		return in.logBackupable(d, b, own)
	}
	return &m
}

// logBackupable checks what only BACKUP LOG needs: a recovery model that
// keeps the log (4208), a full backup (4214) and, for a tail-log backup
// WITH NORECOVERY, that nobody else uses the database (3101).
func (in *instance) logBackupable(d *dbState, b backupSpec, own int) *sqlMsg {
	if b.kind != "LOG" {
		return nil
	}
	var m sqlMsg
	g := in.logOf(d)
	live, sim := in.usersOf(d.Name, own)
	switch {
	case strings.EqualFold(d.RecoveryModel, "SIMPLE"):
		m = msgLogSimple()
	case g.BaseLSN.IsZero() || g.LogBackupLSN.IsZero():
		m = msgNoFullBackup()
	case b.noRecovery && in.ownSessionIn(own, d.Name):
		m = msgOwnSession(d.Name)
	case b.noRecovery && len(live)+len(sim) > 0:
		m = msgExclusive()
	default:
		return nil
	}
	return &m
}

func isSystemDB(name string) bool {
	for _, s := range systemDatabases {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// finishBackup makes the set from the database's log, writes the file
// and only then moves the log on.
func (x *stmtCtx) finishBackup(d *dbState, r backupRun, keep []labfile.BackupSet, took time.Duration, term sqlMsg) error {
	in := x.in
	in.mu.Lock()
	set, next, err := in.backupSet(d, r, x.s.Login().User, len(keep)+1, took)
	in.mu.Unlock()
	if errors.Is(err, labfile.ErrNoFullBackup) {
		return fail(msgNoFullBackup(), term)
	}
	if set.Compressed = r.compressed; set.Compressed {
		set.CompressedBackupSize = set.BackupSize / 4
	}
	if m := writeMedia(r.dev, append(keep, set)); m != nil {
		return fail(*m, term)
	}
	x.changed()
	in.mu.Lock()
	d.Log = &next
	in.tellJob(d, set, next)
	if r.spec.noRecovery {
		d.State, d.Standby, d.Log = "RESTORING", false, nil
		d.Restore, d.RestoreBase = labfile.TailRestorePoint(set), set.DatabaseBackupLSN
	}
	in.st.addBackupHistory(r.dev.name, set)
	err = in.save()
	in.mu.Unlock()
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, term)
	}
	x.backupDone(r, set, took)
	return nil
}

// backupSet is the backup set of d, numbered pos, and d's log after it;
// the caller holds mu.
func (in *instance) backupSet(d *dbState, r backupRun, user string, pos int, took time.Duration) (labfile.BackupSet, labfile.DBLog, error) {
	g := *in.logOf(d)
	var set labfile.BackupSet
	next := g
	var err error
	if r.spec.kind == "DATABASE" {
		set, next = g.Full(r.spec.copyOnly)
		set.DataPages, set.LogPages = 24000+int(stableGUID("pages", d.Name).ID()%8000), 2
	} else {
		if set, next, err = g.Log(); err != nil {
			return set, g, err
		}
		set.LogPages = 8 + int(uuid.New().ID()%200)
		if r.spec.copyOnly {
			// A copy-only log backup leaves the log chain alone.
			next.LogBackupLSN, next.NewChain, next.PrevForkID, next.ForkPointLSN = g.LogBackupLSN, g.NewChain, g.PrevForkID, g.ForkPointLSN
		}
	}
	now := time.Now().UTC()
	server := in.st.ServerName
	set.Position, set.BackupName, set.BackupDescription = pos, r.name, r.desc
	set.DatabaseName, set.ServerName, set.MachineName, set.UserName = d.Name, server, machineOf(server), user
	set.BackupSetGUID, set.FamilyGUID = uuid.New(), in.familyOf(d)
	set.BackupStartDate, set.BackupFinishDate = now.Add(-took), now
	set.SoftwareVersionMajor, set.SoftwareVersionBuild, set.DatabaseVersion = 12, 6024, 782
	set.RecoveryModel, set.Collation = d.RecoveryModel, "SQL_Latin1_General_CP1_CI_AS"
	set.IsCopyOnly, set.HasChecksums, set.IsForceOffline = r.spec.copyOnly, r.spec.checksum, r.spec.noRecovery
	set.BackupSize = int64(set.DataPages+set.LogPages)*8192 + 12288
	set.CompressedBackupSize = set.BackupSize
	set.Flags = backupFlags(r.spec)
	set.Files = d.fileEntries(set)
	return set, next, nil
}

// backupFlags is HEADERONLY's Flags: 16 checksums, 64|256 a tail-log
// backup WITH NORECOVERY.
func backupFlags(b backupSpec) int {
	f := 0
	if b.checksum {
		f |= 16
	}
	if b.noRecovery {
		f |= 64 | 256
	}
	return f
}

// machineOf is the computer of a server name (DC1-SQL01\PCHAT → DC1-SQL01).
func machineOf(server string) string {
	m, _, _ := strings.Cut(server, `\`)
	return m
}

// backupDone sends the messages of a finished backup: pages processed
// per file (a log backup only the log file's), then 3014.
func (x *stmtCtx) backupDone(r backupRun, set labfile.BackupSet, took time.Duration) {
	for _, f := range set.Files {
		switch {
		case f.Type == labfile.FileData && set.BackupType == labfile.TypeFull:
			x.info(msgProcessed(set.DataPages, set.DatabaseName, f.LogicalName, set.Position))
		case f.Type == labfile.FileLog:
			x.info(msgProcessed(set.LogPages, set.DatabaseName, f.LogicalName, set.Position))
		}
	}
	x.info(msgRestoreDone(r.stmt, set.DataPages+set.LogPages, took.Seconds()))
	x.w.Done(-1)
}

package lab

import (
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/google/uuid"
)

// fullRestore is one RESTORE DATABASE … FROM DISK with its values
// evaluated and its backup set read.
type fullRestore struct {
	spec    fullRestoreSpec
	db      string
	dev     device
	set     labfile.BackupSet
	files   []dbFile
	standby string
}

// restoreFull restores a full backup set over an existing database or
// into a new one. SQL Server's checks come first (3021 in a transaction,
// 3110/262 without the permission, the device and set errors of RESTORE
// LOG, 3135 for a set that is not a full backup, the file plan, then
// the target's: 3102, 3101, 3104, 3154, 3159, 1834); then the target is
// marked RESTORING with the set interrupted (durably: a cancelled,
// dropped or killed restore leaves it needing the restore again, 4319
// for anything else), the simulated work runs, and the database ends
// ONLINE (RECOVERY, a new recovery fork), RESTORING at the set's LastLSN
// (NORECOVERY: log backups apply next) or in STANDBY.
func (x *stmtCtx) restoreFull(spec fullRestoreSpec) error {
	term := msgTerminating("RESTORE DATABASE")
	if x.s.InTransaction() {
		return fail(msgInTransaction(), term)
	}
	r, err := x.evalFullRestore(spec)
	if err != nil {
		return err
	}
	x.in.mu.Lock()
	exists := x.in.st.database(r.db) != nil
	x.in.mu.Unlock()
	switch {
	case !x.sysadmin() && exists:
		return fail(msgRestoreDenied(r.db), term)
	case !x.sysadmin():
		return fail(msgCreateDatabaseDenied(), term)
	}
	if err := x.readFullSet(&r, term); err != nil {
		return err
	}
	d, err := x.startFullRestore(r, term)
	if err != nil {
		return err
	}
	defer x.in.endBusy(d.Name, x.s.SPID())
	if x.dropMidway {
		x.drop()
		return errAbort
	}
	start := time.Now()
	if !x.work(spec.stats) {
		return errAbort
	}
	return x.finishFullRestore(d, r, time.Since(start), term)
}

// evalFullRestore evaluates the statement's names, device and options.
func (x *stmtCtx) evalFullRestore(spec fullRestoreSpec) (fullRestore, error) {
	r := fullRestore{spec: spec}
	var err error
	if r.db, err = x.evalText(spec.db); err != nil {
		return r, err
	}
	if r.dev, err = x.devicePath(spec.disk); err != nil {
		return r, err
	}
	if spec.standby != nil {
		if r.standby, err = x.evalText(spec.standby); err != nil {
			return r, err
		}
	}
	return r, nil
}

// readFullSet reads set FILE of the device and plans its files.
func (x *stmtCtx) readFullSet(r *fullRestore, term sqlMsg) error {
	pos, err := x.evalFile(r.spec.file)
	if err != nil {
		return err
	}
	if r.set, err = x.readSet(r.dev, pos, term); err != nil {
		return err
	}
	if r.set.BackupType != labfile.TypeFull {
		return fail(msgWrongBackupKind(r.dev.name, "BACKUP LOG"), term)
	}
	if m := x.checkStandbyFile(restoreSpec{mode: r.spec.mode, standby: r.spec.standby}); m != nil {
		return fail(*m, term)
	}
	files, msgs, err := x.planFiles(r.set, r.spec.moves)
	if err != nil {
		return err
	}
	if len(msgs) > 0 {
		return fail(append(msgs, term)...)
	}
	r.files = files
	return nil
}

// planFiles is where each file of the set goes: its physical name, or
// the one a MOVE gives it. MOVE of a logical name the set lacks is 3234;
// two files on one physical name are 3176 and 3119.
func (x *stmtCtx) planFiles(set labfile.BackupSet, moves []fileMove) ([]dbFile, []sqlMsg, error) {
	entries := setFiles(set)
	to := map[string]string{}
	for _, mv := range moves {
		logical, err := x.evalText(mv.logical)
		if err != nil {
			return nil, nil, err
		}
		physical, err := x.evalText(mv.physical)
		if err != nil {
			return nil, nil, err
		}
		known := false
		for _, e := range entries {
			known = known || strings.EqualFold(e.LogicalName, logical)
		}
		if !known {
			return nil, []sqlMsg{msgNotLogicalFile(logical, set.DatabaseName)}, nil
		}
		to[strings.ToLower(logical)] = physical
	}
	var files []dbFile
	for i, e := range entries {
		f := dbFile{Logical: e.LogicalName, Physical: e.PhysicalName, Type: e.Type}
		if p, ok := to[strings.ToLower(e.LogicalName)]; ok {
			f.Physical = p
		}
		for j, g := range files {
			if strings.EqualFold(g.Physical, f.Physical) {
				return nil, []sqlMsg{msgFileClaimedTwice(f.Physical, g.Logical, j+1, f.Logical, i+1), msgPlanningFailed()}, nil
			}
		}
		files = append(files, f)
	}
	return files, nil, nil
}

// startFullRestore checks the target and marks it RESTORING with the set
// interrupted, creating the database when it does not exist.
func (x *stmtCtx) startFullRestore(r fullRestore, term sqlMsg) (*dbState, error) {
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.st.database(r.db)
	if msgs := in.fullRestorable(d, r, x.s.SPID()); len(msgs) > 0 {
		return nil, fail(append(msgs, term)...)
	}
	if d == nil {
		d = &dbState{Name: r.db, ID: in.nextDatabaseID()}
		in.st.Databases = append(in.st.Databases, d)
	}
	d.State, d.Standby, d.StandbyFile, d.UserAccess = "RESTORING", false, "", "MULTI_USER"
	d.Restore = labfile.RestorePoint{Interrupted: r.set.BackupSetGUID}
	d.Log, d.Mirroring, d.Files = nil, nil, r.files
	in.restoring[strings.ToLower(d.Name)] = x.s.SPID()
	x.changed()
	if err := in.save(); err != nil {
		delete(in.restoring, strings.ToLower(d.Name))
		return nil, fail(sqlMsg{50000, 1, 16, err.Error()}, term)
	}
	return d, nil
}

// fullRestorable is what SQL Server refuses about the target of a full
// restore (none: it may go on); the caller holds mu.
func (in *instance) fullRestorable(d *dbState, r fullRestore, own int) []sqlMsg {
	if d != nil {
		if m := in.targetBlocked(d, r, own); m != nil {
			return []sqlMsg{*m}
		}
	}
	var msgs []sqlMsg
	for _, f := range r.files {
		if owner := in.fileOwner(f.Physical); owner != nil && owner != d {
			msgs = append(msgs, msgFileInUse(f.Physical, owner.Name), msgUseMove(f.Logical, f.Physical))
		}
	}
	if len(msgs) > 0 {
		msgs = append(msgs, msgPlanningFailed())
	}
	return msgs
}

// targetBlocked checks an existing target: this session in it (3102),
// others in it or a backup or restore running on it (3101), mirroring
// (3104), a backup of another database without REPLACE (3154), and a log
// whose tail was not backed up without REPLACE (3159: an ONLINE
// database in FULL or BULK_LOGGED recovery with a log chain).
func (in *instance) targetBlocked(d *dbState, r fullRestore, own int) *sqlMsg {
	var m sqlMsg
	live, sim := in.usersOf(d.Name, own)
	_, busy := in.restoring[strings.ToLower(d.Name)]
	hasChain := d.Log != nil && !d.Log.BaseLSN.IsZero()
	switch {
	case in.ownSessionIn(own, d.Name):
		m = msgOwnSession(d.Name)
	case busy || len(live)+len(sim) > 0:
		m = msgExclusive()
	case d.Mirroring != nil:
		m = msgMirroredRestore(d.Name)
	case !r.spec.replace && !strings.EqualFold(r.set.DatabaseName, d.Name):
		m = msgOtherDatabase(d.Name)
	case !r.spec.replace && d.State == "ONLINE" && !d.Standby && !strings.EqualFold(d.RecoveryModel, "SIMPLE") && hasChain:
		m = msgTailNotBackedUp(d.Name)
	default:
		return nil
	}
	return &m
}

// nextDatabaseID is the database_id a new database gets; the caller
// holds mu.
func (in *instance) nextDatabaseID() int {
	id := 0
	for _, d := range in.st.Databases {
		id = max(id, d.ID)
	}
	return id + 1
}

// finishFullRestore sets the restore point to the set's end and leaves
// the state asked for, records the restore in msdb and reports the pages.
func (x *stmtCtx) finishFullRestore(d *dbState, r fullRestore, took time.Duration, term sqlMsg) error {
	in := x.in
	in.mu.Lock()
	now := time.Now().UTC()
	d.Restore, d.RestoreBase = labfile.RestoredFull(r.set), r.set.CheckpointLSN
	d.FamilyGUID, d.Created = familyString(r.set.FamilyGUID), now
	if r.set.RecoveryModel != "" {
		d.RecoveryModel = r.set.RecoveryModel
	}
	x.setMode(d, r.spec.mode, r.standby)
	if r.spec.restrictedUser {
		d.UserAccess = "RESTRICTED_USER"
	}
	in.st.addHistory(d.Name, r.dev.name, r.set, now)
	err := in.save()
	in.mu.Unlock()
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, term)
	}
	for _, f := range r.files {
		pages := r.set.LogPages
		if f.Type == labfile.FileData {
			pages = r.set.DataPages
		}
		x.info(msgProcessed(pages, d.Name, f.Logical, r.set.Position))
	}
	x.info(msgRestoreDone("RESTORE DATABASE", r.set.DataPages+r.set.LogPages, took.Seconds()))
	x.w.Done(-1)
	return nil
}

func familyString(g uuid.UUID) string {
	if g == (uuid.UUID{}) {
		return ""
	}
	return strings.ToUpper(g.String())
}

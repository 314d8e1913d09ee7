package lab

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/google/uuid"
)

// restore runs RESTORE LOG … FROM DISK and RESTORE DATABASE … WITH
// RECOVERY | NORECOVERY | STANDBY. Every failure sends its cause, then
// 3013, as SQL Server does.
func (x *stmtCtx) restore(r restoreSpec) error {
	name := "RESTORE " + r.kind
	term := msgTerminating(name)
	if x.s.InTransaction() {
		return fail(msgInTransaction(), term)
	}
	db, err := x.evalText(r.db)
	if err != nil {
		return err
	}
	if !x.sysadmin() {
		return fail(msgRestoreDenied(db), term)
	}
	in := x.in
	in.mu.Lock()
	d, m := in.restorable(db, x.s.SPID())
	if m == nil {
		m = x.checkStandbyFile(r)
	}
	if m != nil {
		in.mu.Unlock()
		return fail(*m, term)
	}
	in.restoring[strings.ToLower(d.Name)] = x.s.SPID()
	in.mu.Unlock()
	defer in.endBusy(d.Name, x.s.SPID())
	if r.kind == "DATABASE" {
		return x.restoreDatabase(d, r, term)
	}
	return x.restoreLog(d, r, term)
}

// restorable finds the database and checks the session conditions of a
// restore: it exists, this session does not use it (3102), no other does
// (3101); the caller holds mu.
func (in *instance) restorable(db string, own int) (*dbState, *sqlMsg) {
	d := in.st.database(db)
	var m sqlMsg
	switch {
	case d == nil:
		m = msgNoDatabase(db)
		return nil, &m
	case in.ownSessionIn(own, d.Name):
		m = msgOwnSession(d.Name)
		return nil, &m
	}
	live, sim := in.usersOf(d.Name, own)
	if _, busy := in.restoring[strings.ToLower(d.Name)]; busy || len(live)+len(sim) > 0 {
		m = msgExclusive()
		return nil, &m
	}
	if d.Mirroring != nil {
		m = msgMirroredRestore(d.Name)
		return nil, &m
	}
	return d, nil
}

func (in *instance) ownSessionIn(own int, db string) bool {
	ls, ok := in.sessions[own]
	return ok && strings.EqualFold(ls.s.Database(), db)
}

// checkStandbyFile checks that the undo file's folder exists (SQL Server
// creates the file there).
func (x *stmtCtx) checkStandbyFile(r restoreSpec) *sqlMsg {
	if r.mode != "STANDBY" {
		return nil
	}
	path, err := x.evalText(r.standby)
	if err != nil {
		m := msgSyntax("STANDBY")
		return &m
	}
	dev := x.in.resolveDevice(path)
	if dev.unreachable != nil {
		return dev.unreachable
	}
	if st, err := os.Stat(filepath.Dir(dev.local)); err != nil || !st.IsDir() {
		m := msgCannotOpen(path, osPathNotFound, "The system cannot find the path specified.")
		return &m
	}
	return nil
}

// restoreDatabase is RESTORE DATABASE db WITH RECOVERY | NORECOVERY |
// STANDBY on a database that is RESTORING or in STANDBY.
func (x *stmtCtx) restoreDatabase(d *dbState, r restoreSpec, term sqlMsg) error {
	in := x.in
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case d.State == "ONLINE" && !d.Standby:
		return fail(msgAlreadyRecovered(), term)
	case d.State != "RESTORING" && !d.Standby:
		return fail(msgNoRollforward(), term)
	case d.Restore.Interrupted != uuid.UUID{}:
		return fail(msgInterrupted(d.Name+"_log"), term)
	}
	standby, _ := x.evalText(r.standby)
	x.setMode(d, r.mode, standby)
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, term)
	}
	x.info(msgRestoreDone("RESTORE DATABASE", 0, 0.01))
	x.w.Done(-1)
	return nil
}

// setMode sets the state a restore leaves; the caller holds mu.
func (x *stmtCtx) setMode(d *dbState, mode, standbyFile string) {
	switch mode {
	case "RECOVERY":
		d.State, d.Standby, d.StandbyFile = "ONLINE", false, ""
		x.in.recovered(d)
		d.Restore = labfile.RestorePoint{}
	case "STANDBY":
		d.State, d.Standby, d.StandbyFile = "ONLINE", true, standbyFile
	default:
		d.State, d.Standby, d.StandbyFile = "RESTORING", false, ""
	}
}

// restoreLog applies one log backup set with the LSN rules of
// labfile.CheckRestore. The set is marked as interrupted (durably) before
// the simulated work starts, so a cancel, a dropped connection or a killed
// lab leaves the database needing that set again (4319 for any other).
func (x *stmtCtx) restoreLog(d *dbState, r restoreSpec, term sqlMsg) error {
	dev, err := x.devicePath(r.disk)
	if err != nil {
		return err
	}
	pos, err := x.evalFile(r.file)
	if err != nil {
		return err
	}
	set, m, abort := x.pickSet(d, dev, pos, r.restart)
	switch {
	case abort:
		return errAbort
	case m != nil:
		return fail(*m, term)
	}
	x.in.mu.Lock()
	d.Restore.Interrupted = set.BackupSetGUID
	x.changed()
	err = x.in.save()
	x.in.mu.Unlock()
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, term)
	}
	if x.dropMidway {
		x.drop()
		return errAbort
	}
	start := time.Now()
	if !x.work(r.stats) {
		return errAbort
	}
	return x.finishLog(d, r, set, dev.name, time.Since(start))
}

// work spends the simulated restore time; with STATS = n it reports
// "n percent processed." (3211) every n percent, flushed at once so the
// client sees progress while the restore runs. It returns false when the
// request was cancelled.
func (x *stmtCtx) work(stats expr) bool {
	step := int64(0)
	if stats != nil {
		if v, err := (&env{x: x}).eval(stats); err == nil {
			if n, err := castTo(v, "int"); err == nil && n != nil {
				step = min(max(n.(int64), 1), 100)
			}
		}
	}
	if step == 0 {
		return sleepCtx(x.ctx, x.in.restoreTime)
	}
	for p := step; p <= 100; p += step {
		if !sleepCtx(x.ctx, x.in.restoreTime*time.Duration(step)/100) {
			return false
		}
		x.info(sqlMsg{3211, 1, 0, itoa(int(p)) + " percent processed."})
		_ = x.w.Flush() // a client gone shows as a cancelled ctx
	}
	return true
}

// pickSet reads the file, finds set pos and judges it; abort: the request
// was cancelled while it waited for the file.
func (x *stmtCtx) pickSet(d *dbState, dev device, pos int, restart bool) (labfile.BackupSet, *sqlMsg, bool) {
	sets, m, abort := x.readBackup(dev)
	if m != nil || abort {
		return labfile.BackupSet{}, m, abort
	}
	set, m := x.judgeSet(d, sets, dev.name, pos, restart)
	return set, m, false
}

// judgeSet finds set pos and applies the restore rules to it.
func (x *stmtCtx) judgeSet(d *dbState, sets []labfile.BackupSet, path string, pos int, restart bool) (labfile.BackupSet, *sqlMsg) {
	found := filterPosition(sets, pos)
	if len(found) == 0 {
		msg := msgNoFileID(pos, path)
		return labfile.BackupSet{}, &msg
	}
	set := found[0]
	x.in.mu.Lock()
	defer x.in.mu.Unlock()
	var msg sqlMsg
	switch {
	case d.State != "RESTORING" && !d.Standby:
		msg = msgNoRollforward()
	case set.BackupType != labfile.TypeLog:
		msg = msgWrongBackupKind(path, "BACKUP DATABASE")
	case !strings.EqualFold(set.DatabaseName, d.Name):
		msg = msgOtherDatabase(d.Name)
	default:
		v := labfile.CheckRestore(d.Restore, set, restart)
		switch {
		case v == labfile.Applies:
			return set, nil
		case v == labfile.Gap && set.BeginsLogChain:
			// A log backup that starts a new log chain (after a switch
			// to SIMPLE recovery) cannot follow the restored one.
			msg = msgChainGap()
		default:
			msg = verdictMsg(v, d, set)
		}
	}
	return labfile.BackupSet{}, &msg
}

func verdictMsg(v labfile.Verdict, d *dbState, set labfile.BackupSet) sqlMsg {
	redo := d.Restore.RedoStartLSN.String()
	switch v {
	case labfile.AlreadyApplied:
		return msgTooEarly(set.LastLSN.String(), redo)
	case labfile.Gap:
		return msgTooRecent(set.FirstLSN.String(), redo)
	case labfile.ForkMismatch:
		return msgForkMismatch()
	case labfile.Interrupted:
		return msgInterrupted(d.Name + "_log")
	}
	return msgChainGap()
}

// finishLog moves the restore point, leaves the requested state, records
// the restore in msdb's restorehistory and backupset (as RESTORE does; the
// log shipping tables' last_restored_file is the restore job's doing, not
// RESTORE's) and reports the pages processed.
func (x *stmtCtx) finishLog(d *dbState, r restoreSpec, set labfile.BackupSet, path string, took time.Duration) error {
	standby, _ := x.evalText(r.standby)
	in := x.in
	in.mu.Lock()
	d.Restore, d.RestoreBase = d.Restore.Advance(set), set.DatabaseBackupLSN
	x.setMode(d, r.mode, standby)
	// Stored in UTC; msdb shows it in the server's time zone.
	in.st.addHistory(d.Name, path, set, time.Now().UTC())
	err := in.save()
	in.mu.Unlock()
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, msgTerminating("RESTORE LOG"))
	}
	x.info(msgProcessed(set.DataPages, d.Name, d.Name, set.Position))
	x.info(msgProcessed(set.LogPages, d.Name, d.Name+"_log", set.Position))
	x.info(msgRestoreDone("RESTORE LOG", set.DataPages+set.LogPages, took.Seconds()))
	x.w.Done(-1)
	return nil
}

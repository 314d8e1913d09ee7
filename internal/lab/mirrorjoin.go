package lab

import (
	"strings"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// joinSession makes database db of p, the pending mirror of principal
// (a server name) whose log is g, the mirror of a running session, and
// returns the session's GUID. SQL Server's checks, in the lab's order:
// the database exists (1448), is RESTORING (1464), is in no session
// (1410), awaits this principal (1416: its own SET PARTNER did not name
// it), is not in the middle of a restore (1409), is in FULL recovery
// (1465), is a copy of the principal on its recovery fork and not
// beyond its log (1407), and holds the log the principal's log backup
// chain goes on from (1478).
func (p *instance) joinSession(db, principal string, g labfile.DBLog) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pd := p.st.database(db)
	var m sqlMsg
	switch {
	case pd == nil:
		m = msgNoRemoteCopy(db)
	case pd.State != "RESTORING":
		m = msgRemoteNotRestoring(pd.Name)
	case pd.Mirroring != nil && !pd.Mirroring.Pending:
		m = msgRemoteMirrored(pd.Name)
	case pd.Mirroring == nil || !strings.EqualFold(pd.Mirroring.Partner, principal):
		m = msgNotMirrored(pd.Name)
	case pd.Restore.Interrupted != uuid.Nil:
		m = msgRemoteNeedsLogs(pd.Name)
	case !fullRecovery(pd.RecoveryModel):
		m = msgNotFullRecovery(pd.Name)
	default:
		if msg := p.catchesUp(pd, g); msg != nil {
			return "", fail(*msg)
		}
		pd.Mirroring.Pending, pd.Mirroring.State = false, "SYNCHRONIZED"
		pd.Restore.RedoStartLSN, pd.Restore.RedoStartForkID = g.EndLSN, g.ForkID
		if err := p.save(); err != nil {
			return "", fail(sqlMsg{50000, 1, 16, err.Error()})
		}
		return pd.Mirroring.GUID, nil
	}
	return "", fail(m)
}

// catchesUp checks the mirror database pd against the principal's log
// g: on its recovery fork, not beyond its end (else 1407), and holding
// the log from where the principal's next log backup begins, so that
// the log backup chain goes on after a failover (else 1478): a log
// backup the mirror has not restored, or a mirror restored from a full
// backup taken after the principal's last log backup without a log
// backup restored after it. The caller holds p.mu.
func (p *instance) catchesUp(pd *dbState, g labfile.DBLog) *sqlMsg {
	r := pd.Restore
	if r.RedoStartForkID != uuid.Nil && r.RedoStartForkID != g.ForkID || r.RedoStartLSN.Cmp(g.EndLSN) > 0 {
		m := msgNotRelated(pd.Name)
		return &m
	}
	if g.LogBackupLSN.IsZero() {
		return nil // no log backup chain to preserve
	}
	from := p.st.restoredFrom(pd.Name)
	if r.RedoStartLSN.Cmp(g.LogBackupLSN) < 0 || !from.IsZero() && from.Cmp(g.LogBackupLSN) > 0 {
		m := msgMirrorLacksLog(pd.Name)
		return &m
	}
	return nil
}

// restoredFrom is where the log a RESTORING database holds begins: the
// FirstLSN of the last full backup restored into it (restorehistory);
// zero when msdb has no record of one.
func (st *instanceState) restoredFrom(db string) lsn.LSN {
	for i := len(st.RestoreHistory) - 1; i >= 0; i-- {
		r := st.RestoreHistory[i]
		if strings.EqualFold(r.Database, db) && r.Type == "D" {
			return r.FirstLSN
		}
	}
	return lsn.LSN{}
}

// leaveSession puts the mirror of session guid back to waiting for its
// principal (the principal's side could not start).
func (p *instance) leaveSession(db, guid string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pd := p.st.database(db); pd != nil && pd.Mirroring != nil && pd.Mirroring.GUID == guid {
		pd.Mirroring.Pending, pd.Mirroring.State = true, "DISCONNECTED"
		_ = p.save() // best effort: the principal's error is what the client sees
	}
}

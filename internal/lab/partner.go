package lab

import (
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
)

// parsePartner parses ALTER DATABASE db SET PARTNER OFF, which removes
// database mirroring, and SET PARTNER = 'TCP://host:port', which sets a
// session up (partnerset.go). Failing over, suspending, resuming,
// SAFETY, TIMEOUT and the witness are not simulated (50000).
func parsePartner(p *parser, db, text string) (func(*stmtCtx) error, error) {
	if !p.accept("PARTNER") {
		return nil, fail(msgUnsupported(text + " (the lab simulates only SET PARTNER = 'TCP://…' and SET PARTNER OFF)"))
	}
	var run func(*stmtCtx) error
	switch {
	case p.accept("OFF"):
		run = func(x *stmtCtx) error { return x.partnerOff(db) }
	case p.acceptOp("="):
		t := p.next()
		if t.kind != tString {
			return nil, fail(msgSyntax(t.text))
		}
		run = func(x *stmtCtx) error { return x.partnerSet(db, t.text) }
	default:
		return nil, fail(msgUnsupported(text + " (the lab simulates only SET PARTNER = 'TCP://…' and SET PARTNER OFF)"))
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return run, nil
}

// partnerOff removes the database's mirroring session, as SQL Server does
// from either partner: the principal stays ONLINE, the mirror stays
// RESTORING, its redo point where the principal's log ended. A partner
// that is a lab instance and not down loses the session too; one that is
// down or outside the lab keeps what it had. Errors: 5011 without the
// permission or for a database that does not exist, 1416 for one that is
// not mirrored, each followed by 5069. The instances' locks are taken
// one after the other, never both at once.
func (x *stmtCtx) partnerOff(db string) error {
	if !x.sysadmin() {
		return fail(msgAlterDenied(db), msgAlterFailed())
	}
	in := x.in
	in.mu.Lock()
	d := in.st.database(db)
	var m mirrorState
	if d != nil && d.Mirroring != nil {
		m = *d.Mirroring
	}
	reachable := in.peer != nil && !in.partnerDown(&m)
	in.mu.Unlock()
	switch {
	case d == nil:
		return fail(msgAlterDenied(db), msgAlterFailed())
	case m.GUID == "":
		return fail(msgNotMirrored(d.Name), msgAlterFailed())
	}
	var end *labfile.RestorePoint
	if m.Role == mirrorRoleMirror && reachable {
		end = in.peerEndOfLog(m, d.Name)
	}
	in.mu.Lock()
	if d.Mirroring == nil || d.Mirroring.GUID != m.GUID {
		in.mu.Unlock()
		return fail(msgNotMirrored(d.Name), msgAlterFailed()) // removed meanwhile
	}
	d.Mirroring = nil
	switch {
	case m.Role == mirrorRolePrincipal:
		g := in.logOf(d)
		end = &labfile.RestorePoint{RedoStartLSN: g.EndLSN, RedoStartForkID: g.ForkID}
	case end != nil:
		d.Restore.RedoStartLSN, d.Restore.RedoStartForkID = end.RedoStartLSN, end.RedoStartForkID
		end = nil
	}
	x.changed()
	err := in.save()
	in.mu.Unlock()
	if err == nil && reachable {
		err = in.peerPartnerOff(m, d.Name, end)
	}
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()}, msgAlterFailed())
	}
	x.w.Done(-1)
	return nil
}

// sessionPeer is the partner's database of session m, when the partner
// is a lab instance holding the same session; the caller holds p.mu.
func sessionPeer(p *instance, m mirrorState, db string) *dbState {
	pd := p.st.database(db)
	if pd == nil || pd.Mirroring == nil || !strings.EqualFold(pd.Mirroring.GUID, m.GUID) {
		return nil
	}
	return pd
}

// peerEndOfLog is where the principal partner's log ends, nil when the
// partner is not a lab instance with the session.
func (in *instance) peerEndOfLog(m mirrorState, db string) *labfile.RestorePoint {
	p := in.peer(m.Partner)
	if p == nil || p == in {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pd := sessionPeer(p, m, db)
	if pd == nil || pd.Mirroring.Role != mirrorRolePrincipal {
		return nil
	}
	g := p.logOf(pd)
	return &labfile.RestorePoint{RedoStartLSN: g.EndLSN, RedoStartForkID: g.ForkID}
}

// peerPartnerOff ends the session on the partner instance; a mirror
// there gets end (the principal's end of log) as its redo point.
func (in *instance) peerPartnerOff(m mirrorState, db string, end *labfile.RestorePoint) error {
	p := in.peer(m.Partner)
	if p == nil || p == in {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pd := sessionPeer(p, m, db)
	if pd == nil {
		return nil
	}
	if pd.Mirroring.Role == mirrorRoleMirror && end != nil {
		pd.Restore.RedoStartLSN, pd.Restore.RedoStartForkID = end.RedoStartLSN, end.RedoStartForkID
	}
	pd.Mirroring = nil
	return p.save()
}

package lab

import (
	"slices"
	"strconv"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// parseKill parses KILL <spid>. KILL takes no variable (as in SQL Server:
// use dynamic SQL).
func parseKill(p *parser) (func(*stmtCtx) error, error) {
	t := p.next()
	if t.kind == tNumber && p.accept("WITH") {
		return nil, fail(msgUnsupported("KILL … WITH STATUSONLY"))
	}
	if t.kind != tNumber || !p.done() {
		if t.kind == tString {
			return nil, fail(msgUnsupported("KILL of a unit of work"))
		}
		if t.kind == tEOF {
			return nil, fail(msgSyntax("KILL"))
		}
		return nil, fail(msgSyntax(t.text))
	}
	spid, err := strconv.Atoi(t.text)
	if err != nil {
		return nil, fail(msgSyntax(t.text))
	}
	return func(x *stmtCtx) error {
		if !x.sysadmin() {
			return fail(msgKillDenied())
		}
		if err := x.in.kill(x.s.SPID(), spid); err != nil {
			return err
		}
		x.changed()
		x.w.Done(-1)
		return nil
	}, nil
}

// kill ends session spid on behalf of session own.
func (in *instance) kill(own, spid int) error {
	if spid == own {
		return fail(msgKillSelf())
	}
	if slices.Contains(systemSPIDs, spid) {
		return fail(msgSystemProcess())
	}
	in.mu.Lock()
	victim, live := in.sessions[spid]
	var err error
	if !live {
		err = in.killSimulated(spid)
	}
	in.mu.Unlock()
	if live {
		// Kill outside the lock: the session's Close comes back here.
		victim.s.Kill()
	}
	return err
}

// killSimulated removes a connected simulated session (or sends it away
// to reconnect); the caller holds mu.
func (in *instance) killSimulated(spid int) error {
	for i, ss := range in.st.UserSessions {
		if ss.SPID != spid || ss.ReturnsAt != nil {
			continue
		}
		if ss.Reconnect {
			at := in.now().Add(ss.ReconnectAfter)
			ss.ReturnsAt, ss.Reconnect = &at, false
		} else {
			in.st.UserSessions = slices.Delete(in.st.UserSessions, i, i+1)
		}
		return in.save()
	}
	return fail(msgNoProcess(spid))
}

// arriveSessions brings the simulated sessions up to date before each
// statement, as SQL Server never has a session inside a database that
// cannot be opened (927): a session inside a database that is not ONLINE
// (RESTORING, …) is not connected, and it connects, with a new session
// id, the moment the database is ONLINE again (STANDBY included), as
// Lync services retry; a killed session that reconnects comes back when
// its delay is over. A lock holder (From set) sits in another database
// and holds its lock whatever the state of the one it locks. None
// connects to a SINGLE_USER database.
func (in *instance) arriveSessions() {
	in.mu.Lock()
	defer in.mu.Unlock()
	now, changed := in.now(), false
	for _, ss := range in.st.UserSessions {
		d := in.st.database(ss.Database)
		open := d != nil && d.State == "ONLINE"
		if ss.From == "" && ss.ReturnsAt == nil && !open {
			at := now
			ss.ReturnsAt, changed = &at, true
			continue
		}
		if ss.ReturnsAt == nil || now.Before(*ss.ReturnsAt) || d == nil || d.UserAccess == "SINGLE_USER" {
			continue
		}
		if ss.From == "" && !open {
			continue
		}
		ss.SPID, ss.ReturnsAt, ss.LoginTime = in.st.NextSimSPID, nil, now
		in.st.NextSimSPID++
		changed = true
	}
	if changed {
		_ = in.save() // a failed save only loses the arrival on restart
	}
}

// usersOf lists the sessions other than own that use db (their current
// database) or hold a lock on it from another database; the caller
// holds mu.
func (in *instance) usersOf(db string, own int) (live []tds.Session, simulated []int) {
	for id, ls := range in.sessions {
		if id != own && strings.EqualFold(ls.s.Database(), db) {
			live = append(live, ls.s)
		}
	}
	for _, ss := range in.st.UserSessions {
		if ss.ReturnsAt == nil && strings.EqualFold(ss.Database, db) {
			simulated = append(simulated, ss.SPID)
		}
	}
	return live, simulated
}

// hasUsers reports whether a session other than own uses db; the caller
// holds mu.
func (in *instance) hasUsers(db string, own int) bool {
	live, sim := in.usersOf(db, own)
	return len(live)+len(sim) > 0
}

// alterSpec is a parsed ALTER DATABASE … SET <access>.
type alterSpec struct {
	db       string
	access   string
	rollback bool
}

// parseAlter parses ALTER DATABASE db SET SINGLE_USER | RESTRICTED_USER |
// MULTI_USER [WITH ROLLBACK IMMEDIATE | ROLLBACK AFTER n [SECONDS] | NO_WAIT].
func parseAlter(p *parser, text string) (func(*stmtCtx) error, error) {
	if !p.accept("DATABASE") {
		return nil, fail(msgUnsupported(text))
	}
	db, err := p.ident()
	if err != nil {
		return nil, err
	}
	if err := p.expect("SET"); err != nil {
		return nil, err
	}
	if p.peek().is("PARTNER") || p.peek().is("WITNESS") {
		return parsePartner(p, db, text)
	}
	a := alterSpec{db: db, access: strings.ToUpper(p.next().text)}
	if a.access != "SINGLE_USER" && a.access != "MULTI_USER" && a.access != "RESTRICTED_USER" {
		return nil, fail(msgUnsupported(text))
	}
	if p.accept("WITH") {
		switch {
		case p.accept("ROLLBACK"):
			a.rollback = true
			if p.accept("AFTER") {
				p.next()
				p.accept("SECONDS")
			} else if err := p.expect("IMMEDIATE"); err != nil {
				return nil, err
			}
		case p.accept("NO_WAIT"):
		default:
			return nil, p.errNear()
		}
	}
	if !p.done() {
		return nil, p.errNear()
	}
	return func(x *stmtCtx) error { return x.alterAccess(a) }, nil
}

func (x *stmtCtx) alterAccess(a alterSpec) error {
	if !x.sysadmin() {
		return fail(msgAlterDenied(a.db), msgAlterFailed())
	}
	in := x.in
	in.mu.Lock()
	d := in.st.database(a.db)
	if d == nil {
		in.mu.Unlock()
		return fail(msgAlterDenied(a.db), msgAlterFailed())
	}
	if d.State != "ONLINE" {
		in.mu.Unlock()
		return fail(msgAlterInState(stateWord(d.State)), msgAlterFailed())
	}
	var victims []tds.Session
	if a.access != "MULTI_USER" {
		live, sim := in.usersOf(d.Name, x.s.SPID())
		if len(live)+len(sim) > 0 && !a.rollback {
			in.mu.Unlock()
			return fail(sqlMsg{5061, 1, 16, "ALTER DATABASE failed because a lock could not be placed on database '" + d.Name + "'. Try again later."}, msgAlterFailed())
		}
		d.UserAccess = a.access // set first so killed simulated sessions do not come back
		for _, spid := range sim {
			_ = in.killSimulated(spid)
		}
		victims = live
	}
	d.UserAccess = a.access
	x.changed()
	err := in.save()
	in.mu.Unlock()
	for _, v := range victims {
		v.Kill()
	}
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	if a.rollback {
		x.info(sqlMsg{5060, 1, 0, "Nonqualified transactions are being rolled back. Estimated rollback completion: 100%."})
	}
	x.w.Done(-1)
	return nil
}

// stateWord is a state as the 5052 message spells it.
func stateWord(s string) string {
	switch s {
	case "RESTORING":
		return "Restoring"
	case "RECOVERY_PENDING":
		return "Recovery Pending"
	case "OFFLINE":
		return "Offline"
	case "SUSPECT":
		return "Suspect"
	}
	return s
}

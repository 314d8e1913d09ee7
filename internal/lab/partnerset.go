package lab

import (
	"strconv"
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/google/uuid"
)

// partnerSet runs ALTER DATABASE db SET PARTNER = 'TCP://host:port'.
// SQL Server starts a session with two of them, the mirror's first: on
// the mirror server, naming the principal (the lab marks the RESTORING
// database a pending mirror, which shows as a DISCONNECTED MIRROR); then
// on the principal server, naming the mirror, which the principal
// contacts: its database must be the pending mirror of this server and
// a copy of this database restored far enough, and the session starts
// on both partners, SYNCHRONIZED at once (the lab has no redo to wait
// for). The host names a lab instance by its server name, alone or with
// a domain; the port is not checked (the lab has no endpoints). The
// errors of SET PARTNER stand alone; 5011 is followed by 5069.
func (x *stmtCtx) partnerSet(db, address string) error {
	if !x.sysadmin() {
		return fail(msgAlterDenied(db), msgAlterFailed())
	}
	host, ok := partnerHost(address)
	if !ok {
		return fail(msgBadPartnerAddress())
	}
	if systemDatabase(db) {
		return fail(msgUnsupported("database mirroring of system database " + db))
	}
	in := x.in
	in.mu.Lock()
	d := in.st.database(db)
	var err error
	mirror := false
	switch {
	case d == nil:
		err = fail(msgAlterDenied(db), msgAlterFailed())
	case d.Mirroring != nil && !d.Mirroring.Pending:
		err = fail(msgAlreadyMirrored(d.Name))
	case d.State == "RESTORING":
		mirror, db = true, d.Name
	case d.State == "ONLINE":
		db = d.Name
	case d.State == "SUSPECT" || d.State == "EMERGENCY":
		err = fail(msgSuspectPartner(d.Name))
	default:
		err = fail(msgAlterDenied(db), msgAlterFailed())
	}
	in.mu.Unlock()
	switch {
	case err != nil:
	case mirror:
		err = x.awaitPrincipal(db, address, host)
	default:
		err = x.startSession(db, address, host)
	}
	if err != nil {
		return err
	}
	x.w.Done(-1)
	return nil
}

// partnerHost checks a server network address, TCP://host:port, and
// returns its host.
func partnerHost(address string) (string, bool) {
	if len(address) < 6 || !strings.EqualFold(address[:6], "TCP://") {
		return "", false
	}
	host, port, found := strings.Cut(address[6:], ":")
	n, err := strconv.Atoi(port)
	if !found || host == "" || strings.ContainsAny(host, " /\\@") || err != nil || n < 1 || n > 65535 {
		return "", false
	}
	return host, true
}

// peerByHost is the lab instance an address's host names, by server
// name alone (dc2-sql02) or with a domain (dc2-sql02.litwareinc.com),
// any case; nil when there is none.
func (in *instance) peerByHost(host string) *instance {
	if in.peer == nil {
		return nil
	}
	if p := in.peer(host); p != nil {
		return p
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		return in.peer(host[:i])
	}
	return nil
}

// awaitPrincipal is the mirror's statement: the database becomes a
// pending mirror of the principal the address names (a new GUID each
// time). The mirror contacts no one, so a principal that is down or
// outside the lab is not noticed until the principal's statement.
func (x *stmtCtx) awaitPrincipal(db, address, host string) error {
	in := x.in
	partner := strings.ToUpper(host)
	if i := strings.IndexByte(partner, '.'); i > 0 {
		partner = partner[:i]
	}
	if p := in.peerByHost(host); p != nil {
		partner = p.st.ServerName // fixed before serving: no lock needed
	}
	if strings.EqualFold(partner, in.st.ServerName) {
		return fail(msgPartnerIsSelf())
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	d := in.st.database(db)
	if d == nil || d.State != "RESTORING" || d.Mirroring != nil && !d.Mirroring.Pending {
		return fail(msgAlterDenied(db), msgAlterFailed()) // changed meanwhile
	}
	d.Mirroring = &mirrorState{GUID: strings.ToUpper(uuid.NewString()), Role: mirrorRoleMirror, State: "DISCONNECTED",
		Partner: partner, PartnerAddress: address, Safety: "FULL", Pending: true}
	x.changed()
	if err := in.save(); err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	return nil
}

// startSession is the principal's statement: it checks this database,
// has the mirror instance join the session, then starts its own side.
// The instances' locks are taken one after the other, never both.
func (x *stmtCtx) startSession(db, address, host string) error {
	in := x.in
	p := in.peerByHost(host)
	switch {
	case p == in:
		return fail(msgPartnerIsSelf())
	case p == nil || in.faults.downInstances()[p.name] != "":
		return fail(msgUnreachable(address))
	}
	in.mu.Lock()
	d := in.st.database(db)
	msgs := principalReady(d, db)
	var g labfile.DBLog
	if msgs == nil {
		g = *in.logOf(d)
	}
	in.mu.Unlock()
	if msgs != nil {
		return fail(msgs...)
	}
	guid, err := p.joinSession(db, in.st.ServerName, g)
	if err != nil {
		return err
	}
	in.mu.Lock()
	d = in.st.database(db)
	if msgs := principalReady(d, db); msgs != nil {
		in.mu.Unlock()
		p.leaveSession(db, guid) // this side changed meanwhile: the mirror waits again
		return fail(msgs...)
	}
	d.Mirroring = &mirrorState{GUID: guid, Role: mirrorRolePrincipal, State: "SYNCHRONIZED",
		Partner: p.st.ServerName, PartnerAddress: address, Safety: "FULL"}
	x.changed()
	err = in.save()
	in.mu.Unlock()
	if err != nil {
		return fail(sqlMsg{50000, 1, 16, err.Error()})
	}
	return nil
}

// principalReady is what refuses a principal database (nil: none): it
// must exist, be ONLINE, writable, not SINGLE_USER, not mirrored, and
// in FULL recovery. The caller holds mu.
func principalReady(d *dbState, db string) []sqlMsg {
	var m sqlMsg
	switch {
	case d == nil:
		return []sqlMsg{msgAlterDenied(db), msgAlterFailed()}
	case d.Mirroring != nil:
		m = msgAlreadyMirrored(d.Name)
	case d.State != "ONLINE":
		return []sqlMsg{msgAlterDenied(d.Name), msgAlterFailed()}
	case d.Standby:
		m = msgReadOnlyPartner(d.Name)
	case strings.EqualFold(d.UserAccess, "SINGLE_USER"):
		m = msgSingleUserMirroring(d.Name)
	case !fullRecovery(d.RecoveryModel):
		m = msgNotFullRecovery(d.Name)
	default:
		return nil
	}
	return []sqlMsg{m}
}

// fullRecovery reports whether a recovery model is FULL ("" is the
// default, FULL).
func fullRecovery(model string) bool { return model == "" || strings.EqualFold(model, "FULL") }

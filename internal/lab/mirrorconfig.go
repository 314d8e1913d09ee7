package lab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/failover-dev/failover/internal/labfile"
)

// MirroringConfig makes a database a partner of a database mirroring
// session from the start (sys.database_mirroring shows it, ALTER
// DATABASE … SET PARTNER OFF removes it). When the partner is a lab
// instance (its server_name), that instance's database of the same name
// must be the other partner of the same session; a partner outside the
// lab is only named.
type MirroringConfig struct {
	// Role is principal (the database is ONLINE) or mirror (it is
	// RESTORING).
	Role string `yaml:"role"`
	// Partner is the other partner's server name, e.g. DC2-SQL02.
	Partner string `yaml:"partner"`
	// Address is the partner's endpoint (mirroring_partner_name);
	// default TCP://<partner in lower case>:5022.
	Address string `yaml:"address,omitempty"`
	// State is synchronized (default), synchronizing, suspended or
	// disconnected. A partner that is a lab instance stopped by a down
	// fault shows disconnected whatever the state.
	State string `yaml:"state,omitempty"`
	// Safety is full (default, synchronous) or off.
	Safety string `yaml:"safety,omitempty"`
	// Witness is the witness's address; empty: none.
	Witness string `yaml:"witness,omitempty"`
}

// mirrorSide is a configured mirroring partner: instance and database.
type mirrorSide struct {
	ic InstanceConfig
	db DatabaseConfig
}

// mirrorSides lists the configured partners.
func (c Config) mirrorSides() []mirrorSide {
	var out []mirrorSide
	for _, ic := range c.Instances {
		for _, db := range ic.Databases {
			if db.Mirroring != nil {
				out = append(out, mirrorSide{ic, db})
			}
		}
	}
	return out
}

func serverOf(ic InstanceConfig) string {
	if ic.ServerName == "" {
		return strings.ToUpper(ic.Name)
	}
	return ic.ServerName
}

// validateMirroring checks each session: role, state and safety words,
// the database's state for its role, a partner other than itself, and a
// lab partner that holds the other side.
func (c Config) validateMirroring() []error {
	var errs []error
	sides := c.mirrorSides()
	for _, s := range sides {
		m, where := s.db.Mirroring, fmt.Sprintf("database %s on %s: mirroring", s.db.Name, s.ic.Name)
		role := strings.ToUpper(m.Role)
		desc, standby, _ := parseDBState(s.db.State)
		switch {
		case role != mirrorRolePrincipal && role != mirrorRoleMirror:
			errs = append(errs, fmt.Errorf("%s: role %q: use principal or mirror", where, m.Role))
		case role == mirrorRolePrincipal && (desc != "ONLINE" || standby):
			errs = append(errs, fmt.Errorf("%s: a principal database must be ONLINE, not %s", where, s.db.State))
		case role == mirrorRoleMirror && desc != "RESTORING":
			errs = append(errs, fmt.Errorf("%s: a mirror database must be RESTORING, not %q", where, s.db.State))
		}
		if _, ok := mirroringStates[mirrorStateWord(m.State)]; !ok || strings.EqualFold(m.State, "pending_failover") {
			errs = append(errs, fmt.Errorf("%s: state %q: use synchronized, synchronizing, suspended or disconnected", where, m.State))
		}
		if sf := strings.ToUpper(m.Safety); sf != "" && sf != "FULL" && sf != "OFF" {
			errs = append(errs, fmt.Errorf("%s: safety %q: use full or off", where, m.Safety))
		}
		errs = append(errs, c.checkPartner(s, sides, where)...)
	}
	return errs
}

// checkPartner checks the partner of one side.
func (c Config) checkPartner(s mirrorSide, sides []mirrorSide, where string) []error {
	m := s.db.Mirroring
	switch {
	case m.Partner == "":
		return []error{fmt.Errorf("%s: partner: name the other partner's server", where)}
	case strings.EqualFold(m.Partner, serverOf(s.ic)):
		return []error{fmt.Errorf("%s: the partner must be another server than %s (SQL Server's 1452)", where, m.Partner)}
	}
	inLab := slices.ContainsFunc(c.Instances, func(ic InstanceConfig) bool { return strings.EqualFold(serverOf(ic), m.Partner) })
	if !inLab {
		return nil
	}
	i := slices.IndexFunc(sides, func(o mirrorSide) bool {
		return strings.EqualFold(serverOf(o.ic), m.Partner) && strings.EqualFold(o.db.Name, s.db.Name)
	})
	if i < 0 {
		return []error{fmt.Errorf("%s: partner %s is a lab instance, but its database %s has no mirroring", where, m.Partner, s.db.Name)}
	}
	o := sides[i].db.Mirroring
	if !strings.EqualFold(o.Partner, serverOf(s.ic)) || strings.EqualFold(o.Role, m.Role) {
		return []error{fmt.Errorf("%s: partner %s must name %s as its partner, in the other role", where, m.Partner, serverOf(s.ic))}
	}
	return nil
}

// mirrorStateWord is a configured state as state_desc spells it.
func mirrorStateWord(s string) string {
	if s == "" {
		return "SYNCHRONIZED"
	}
	return strings.ToUpper(s)
}

// setupMirroring gives each configured partner its session; both sides
// of a session get the same GUID (from the two server names and the
// database). A mirror whose principal is a lab instance stands where
// the principal's log ends.
func setupMirroring(cfg Config, states []*instanceState) {
	for _, s := range cfg.mirrorSides() {
		st := findState(states, s.ic.Name)
		d := st.database(s.db.Name)
		m := s.db.Mirroring
		pair := []string{strings.ToUpper(st.ServerName), strings.ToUpper(m.Partner)}
		slices.Sort(pair)
		addr := m.Address
		if addr == "" {
			addr = "TCP://" + strings.ToLower(m.Partner) + ":5022"
		}
		safety := strings.ToUpper(m.Safety)
		if safety == "" {
			safety = "FULL"
		}
		d.Mirroring = &mirrorState{GUID: strings.ToUpper(stableGUID("mirroring", pair[0], pair[1], d.Name).String()),
			Role: strings.ToUpper(m.Role), State: mirrorStateWord(m.State), Partner: m.Partner,
			PartnerAddress: addr, Safety: safety, Witness: m.Witness}
		if d.Mirroring.Role == mirrorRoleMirror {
			d.Restore = principalEnd(states, m.Partner, d)
		}
	}
}

// principalEnd is where a lab principal's log ends (the mirror's redo
// point); for a principal outside the lab, the mirror's own made-up log.
func principalEnd(states []*instanceState, partner string, mirror *dbState) labfile.RestorePoint {
	for _, st := range states {
		if !strings.EqualFold(st.ServerName, partner) {
			continue
		}
		if pd := st.database(mirror.Name); pd != nil {
			g := initialLog(st.ServerName, pd)
			return labfile.RestorePoint{RedoStartLSN: g.EndLSN, RedoStartForkID: g.ForkID}
		}
	}
	g := initialLog(partner, mirror)
	return labfile.RestorePoint{RedoStartLSN: g.EndLSN, RedoStartForkID: g.ForkID}
}

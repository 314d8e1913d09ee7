package lab

import (
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// mirrorState is a database's mirroring session as sys.database_mirroring
// shows it. Both partners of a session the lab simulates hold the same
// GUID; a partner that is not a lab instance is only named.
type mirrorState struct {
	GUID string `json:"mirroring_guid"`
	// Role is mirrorRolePrincipal or mirrorRoleMirror.
	Role string `json:"mirroring_role_desc"`
	// State is SYNCHRONIZED, SYNCHRONIZING, SUSPENDED or DISCONNECTED.
	State string `json:"mirroring_state_desc"`
	// Partner is the other partner's server name (its @@SERVERNAME:
	// mirroring_partner_instance), PartnerAddress its endpoint
	// (mirroring_partner_name, TCP://host:port).
	Partner        string `json:"mirroring_partner_instance"`
	PartnerAddress string `json:"mirroring_partner_name"`
	// Safety is FULL (synchronous) or OFF.
	Safety string `json:"mirroring_safety_level_desc"`
	// Witness is the witness's address; "" when there is none.
	Witness string `json:"mirroring_witness_name,omitempty"`
	// Pending marks a mirror whose ALTER DATABASE … SET PARTNER named
	// its principal, which has not yet named it back (partnerset.go):
	// it shows as a DISCONNECTED mirror until the session starts.
	Pending bool `json:"pending,omitempty"`
}

// The mirroring roles.
const (
	mirrorRolePrincipal = "PRINCIPAL"
	mirrorRoleMirror    = "MIRROR"
)

// mirroringStates are sys.database_mirroring's mirroring_state codes.
var mirroringStates = map[string]int64{"SUSPENDED": 0, "DISCONNECTED": 1, "SYNCHRONIZING": 2,
	"PENDING_FAILOVER": 3, "SYNCHRONIZED": 4}

// partnerDown reports whether a session's partner is a lab instance that
// a down fault stops (its session then shows DISCONNECTED); the caller
// holds mu.
func (in *instance) partnerDown(m *mirrorState) bool {
	if in.peer == nil {
		return false
	}
	p := in.peer(m.Partner)
	return p != nil && in.faults.downInstances()[p.name] != ""
}

// tDatabaseMirroring is sys.database_mirroring: one row per database,
// every column but database_id NULL for a database that is not mirrored
// or not ONLINE (a mirror database, which is RESTORING, shows its values
// to sysadmin logins only, as SQL Server does).
func (in *instance) tDatabaseMirroring(sysadmin bool) *table {
	t := &table{cols: []tds.Column{cInt("database_id"), cGUID("mirroring_guid"), cTiny("mirroring_state"),
		cStr("mirroring_state_desc"), cTiny("mirroring_role"), cStr("mirroring_role_desc"),
		cInt("mirroring_role_sequence"), cTiny("mirroring_safety_level"), cStr("mirroring_safety_level_desc"),
		cInt("mirroring_safety_sequence"), cStr("mirroring_partner_name"), cStr("mirroring_partner_instance"),
		cStr("mirroring_witness_name"), cTiny("mirroring_witness_state"), cStr("mirroring_witness_state_desc"),
		cLSN("mirroring_failover_lsn"), cInt("mirroring_connection_timeout"), cInt("mirroring_redo_queue"),
		cStr("mirroring_redo_queue_type"), cLSN("mirroring_end_of_log_lsn"), cLSN("mirroring_replication_lsn")}}
	for _, d := range in.st.Databases {
		row := make([]any, len(t.cols))
		row[0] = int64(d.ID)
		if m := d.Mirroring; m != nil && (m.Role == mirrorRolePrincipal && d.State == "ONLINE" || m.Role == mirrorRoleMirror && sysadmin) {
			in.mirroringRow(d, m, row)
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// mirroringRow fills the mirroring_ columns; the caller holds mu.
func (in *instance) mirroringRow(d *dbState, m *mirrorState, row []any) {
	state := m.State
	if in.partnerDown(m) {
		state = "DISCONNECTED"
	}
	role, safety := int64(1), int64(2)
	if m.Role == mirrorRoleMirror {
		role = 2
	}
	if m.Safety == "OFF" {
		safety = 1
	}
	var lsn any
	if d.Log != nil {
		lsn = lsnValue(d.Log.EndLSN)
	} else if d.State == "RESTORING" {
		lsn = lsnValue(d.Restore.RedoStartLSN)
	}
	var witnessState, witnessDesc any
	if m.Witness != "" {
		witnessState, witnessDesc = int64(1), "CONNECTED"
	}
	copy(row[1:], []any{guid(strings.ToUpper(m.GUID)), mirroringStates[state], state, role, m.Role,
		int64(1), safety, m.Safety, int64(1), m.PartnerAddress, m.Partner,
		nullStr(m.Witness), witnessState, witnessDesc, lsn, int64(10), nil, "UNLIMITED", lsn, lsn})
}

// failbackTables are the views and msdb tables of the failback; a view
// whose rows depend on the login's rights gets sysadmin. They run with
// instance.mu held.
var failbackTables = map[string]func(in *instance, sysadmin bool) *table{
	"sys.database_mirroring":                (*instance).tDatabaseMirroring,
	"msdb.log_shipping_primary_databases":   (*instance).tPrimaryDBs,
	"msdb.log_shipping_primary_secondaries": (*instance).tPrimarySecondaries,
	"msdb.log_shipping_monitor_primary":     (*instance).tMonitorPrimary,
}

// linkPeers lets each instance find the others by server name (the
// partners of a mirroring session).
func linkPeers(ins []*instance) {
	byServer := map[string]*instance{}
	for _, in := range ins {
		byServer[strings.ToUpper(in.st.ServerName)] = in
	}
	for _, in := range ins {
		in.peer = func(server string) *instance { return byServer[strings.ToUpper(server)] }
	}
}

package lab

import (
	"strings"
)

// MirroringView is a database's mirroring session as readers outside
// the simulator see it (the lab's Lync Management Shell, whose
// Get-CsDatabaseMirrorState and Install-CsMirrorDatabase must agree with
// sys.database_mirroring). It is read from the state files and changes
// nothing.
type MirroringView struct {
	// Instance is the lab instance (PRIMARY), ServerName its @@SERVERNAME.
	Instance, ServerName string
	Database             string
	// DatabaseState is the database's state_desc (a principal is
	// ONLINE, a mirror RESTORING).
	DatabaseState string
	// Role is PRINCIPAL or MIRROR.
	Role string
	// State is sys.database_mirroring's mirroring_state_desc:
	// SYNCHRONIZED, SYNCHRONIZING, SUSPENDED, or DISCONNECTED (also
	// when the partner is a lab instance a down fault stops).
	State string
	// Partner is the other partner's server name, PartnerAddress its
	// endpoint (TCP://host:port).
	Partner, PartnerAddress string
	// Safety is FULL or OFF; Witness the witness's address ("" none).
	Safety, Witness string
	// GUID is mirroring_guid, the same on both partners of a session.
	GUID string
}

// ReadMirroring lists the mirroring sessions of the initialised lab in
// dir, one view per partner database, in config order. A session
// removed by ALTER DATABASE … SET PARTNER OFF is gone from the list as
// soon as the lab saved it (state files are written atomically).
func ReadMirroring(dir string) ([]MirroringView, error) {
	cfg, down, states, err := readSaved(dir)
	if err != nil {
		return nil, err
	}
	servers := map[string]string{} // server name → instance
	for _, ic := range cfg.Instances {
		servers[strings.ToUpper(serverOf(ic))] = strings.ToUpper(ic.Name)
	}
	var out []MirroringView
	for _, st := range states {
		for _, d := range st.Databases {
			if m := d.Mirroring; m != nil {
				v := MirroringView{Instance: st.Name, ServerName: st.ServerName, Database: d.Name, DatabaseState: d.State,
					Role: m.Role, State: m.State, Partner: m.Partner, PartnerAddress: m.PartnerAddress,
					Safety: m.Safety, Witness: m.Witness, GUID: m.GUID}
				if down[servers[strings.ToUpper(m.Partner)]] {
					v.State = "DISCONNECTED"
				}
				out = append(out, v)
			}
		}
	}
	return out, nil
}

package lyncshell

import (
	"strings"

	"github.com/failover-dev/failover/internal/lab"
)

// notEnabled is Get-CsDatabaseMirrorState's word for a database that is
// not mirrored or cannot be reached.
const notEnabled = "DatabaseInaccessibleOrMirroringNotEnabled"

// getMirrorState is Get-CsDatabaseMirrorState -PoolFqdn P
// [-DatabaseType T]: for each database (PersistentChat: mgc,
// PersistentChatCompliance: mgccomp) of the store the pool uses (the
// backup store once FailedOver), its role and mirroring state on that
// store's SQL server (StateOnPrimary, MirroringStatusOnPrimary) and on
// the store's mirror in the topology (StateOnMirror,
// MirroringStatusOnSecondary), read from the lab's SQL state
// (lab.ReadMirroring): Principal or Mirror, and Synchronized,
// Synchronizing, Suspended or Disconnected; notEnabled and "" for a
// database that is not mirrored, does not exist, or whose server is
// down or not in the lab.
func getMirrorState(sh *shell, b bound, _ []any) ([]any, error) {
	const cmd = "Get-CsDatabaseMirrorState"
	if b.has("Report") {
		return nil, unsupported(cmd, "-Report")
	}
	pool := b.text("PoolFqdn")
	if !strings.EqualFold(pool, sh.st.Pool) {
		return nil, cmdletError(cmd, "PoolNotFound", "ObjectNotFound", pool, "System.Management.Automation.ItemNotFoundException",
			"Pool %s is not found in the topology. (lab: the pool is %s)", pool, sh.st.Pool)
	}
	types := []string{"PersistentChat", "PersistentChatCompliance"}
	if t := b.text("DatabaseType"); t != "" {
		if _, ok := databases[t]; !ok {
			return nil, unsupported(cmd, "-DatabaseType %q (the lab simulates PersistentChat and PersistentChatCompliance)", t)
		}
		types = []string{t}
	}
	st := &sh.st.Primary
	if sh.st.PoolState == "FailedOver" {
		st = &sh.st.Backup
	}
	views, err := lab.ReadMirroring(sh.labDir)
	if err != nil {
		return nil, cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", st.Fqdn, "System.Data.SqlClient.SqlException",
			"Cannot read the mirroring state of %s: %v", storeName(st.Fqdn, st.Instance), err)
	}
	insts, err := lab.ReadInstances(sh.labDir)
	if err != nil {
		return nil, cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", st.Fqdn, "System.Data.SqlClient.SqlException",
			"Cannot read the SQL servers of %s: %v", storeName(st.Fqdn, st.Instance), err)
	}
	var out []any
	for _, t := range types {
		db := databases[t]
		primary, pStatus := side(views, insts, func(in lab.InstanceView) bool { return strings.EqualFold(in.Name, st.LabInstance) }, db)
		mirror, mStatus := side(views, insts, func(in lab.InstanceView) bool { return strings.EqualFold(hostFqdn(in.ServerName), st.MirrorFqdn) }, db)
		out = append(out, newObject("Microsoft.Rtc.Management.Deployment.DatabaseMirrorState",
			"DatabaseName", db, "StateOnPrimary", primary, "StateOnMirror", mirror,
			"MirroringStatusOnPrimary", pStatus, "MirroringStatusOnSecondary", mStatus))
	}
	return out, nil
}

// side is how db stands on the lab instance that is picks: its
// mirroring role and status, or notEnabled and "".
func side(views []lab.MirroringView, insts []lab.InstanceView, is func(lab.InstanceView) bool, db string) (role, status string) {
	for _, in := range insts {
		if !is(in) || in.Down {
			continue
		}
		for _, v := range views {
			if strings.EqualFold(v.Instance, in.Name) && strings.EqualFold(v.Database, db) {
				return titleWord(v.Role), titleWord(v.State)
			}
		}
	}
	return notEnabled, ""
}

// titleWord is PRINCIPAL as Principal, SYNCHRONIZED as Synchronized:
// how the cmdlet's enumerations spell SQL Server's words.
func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

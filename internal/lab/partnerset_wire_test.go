package lab

import (
	"database/sql"
	"testing"
)

// failedOver serves the default lab and runs the failover's SQL steps
// (domain.md 0.1 steps 1–4) on BACKUP: its mgc is ONLINE, on a new
// recovery fork, its log chain going on from the log shipping's.
func failedOver(t *testing.T, cfg Config) (sl *servedLab, backup, mirror *sql.DB) {
	t.Helper()
	sl = serveTestLab(t, cfg)
	backup, mirror = sl.db(t, "BACKUP"), sl.db(t, "BACKUP_MIRROR")
	if rs, err := execProc(t, backup, "master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc")); err != nil || rs != 0 {
		t.Fatalf("remove log shipping: %v (status %d)", err, rs)
	}
	copyShare(t, sl.share(), sl.copyDir())
	applyInOrder(t, backup, sl.copyDir())
	mustExec(t, backup, "RESTORE DATABASE mgc WITH RECOVERY")
	return sl, backup, mirror
}

// The addresses of the backup and its mirror, as Install-CsMirrorDatabase
// gives them (FQDN, the default endpoint port).
const (
	backupAddress = "N'TCP://dc2-sql01.litwareinc.com:5022'"
	mirrorAddress = "N'TCP://dc2-sql02.litwareinc.com:5022'"
)

// TestRoundTripSetPartnerStartsASession sets up mirroring of the
// failed-over backup mgc as SQL Server's documentation does it: a full
// and a log backup of the principal restored WITH NORECOVERY on the
// mirror, SET PARTNER on the mirror first, then on the principal. The
// wrong orders and the missing log backup get SQL Server's errors; the
// session shows on both partners and in ReadMirroring, and SET PARTNER
// OFF ends it.
func TestRoundTripSetPartnerStartsASession(t *testing.T) {
	sl, backup, mirror := failedOver(t, DefaultConfig())
	dev := onShare("mgc_mirror.bak")
	wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1448) // no copy on the mirror yet
	mustExec(t, backup, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", dev))
	mustExec(t, mirror, "RESTORE DATABASE mgc FROM DISK = @d WITH FILE = 1, NORECOVERY", sql.Named("d", dev))
	wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1416) // the mirror's statement comes first

	mustExec(t, mirror, "ALTER DATABASE mgc SET PARTNER = "+backupAddress)
	m := mirroringRow(rowsAsMaps(t, mirror, mirroringQuery), "mgc")
	if m["mirroring_role_desc"] != "MIRROR" || m["mirroring_state_desc"] != "DISCONNECTED" || m["mirroring_partner_instance"] != "DC2-SQL01" ||
		m["mirroring_partner_name"] != "TCP://dc2-sql01.litwareinc.com:5022" {
		t.Errorf("the mirror waiting for its principal shows %v", m)
	}
	// The backup mgc's log chain began before the full backup (at its
	// recovery): without a log backup restored, the chain would break.
	wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1478)
	wantErrors(t, mirror, "RESTORE LOG mgc FROM DISK = N'"+dev+"' WITH FILE = 2, NORECOVERY", 3104, 3013)
	mustExec(t, mirror, "ALTER DATABASE mgc SET PARTNER OFF") // the waiting mirror lets go
	mustExec(t, backup, "BACKUP LOG mgc TO DISK = @d", sql.Named("d", dev))
	mustExec(t, mirror, "RESTORE LOG mgc FROM DISK = @d WITH FILE = 2, NORECOVERY", sql.Named("d", dev))
	mustExec(t, mirror, "ALTER DATABASE mgc SET PARTNER = "+backupAddress)
	mustExec(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress)

	p := mirroringRow(rowsAsMaps(t, backup, mirroringQuery), "mgc")
	m = mirroringRow(rowsAsMaps(t, mirror, mirroringQuery), "mgc")
	if p["mirroring_role_desc"] != "PRINCIPAL" || p["mirroring_state_desc"] != "SYNCHRONIZED" || p["mirroring_partner_instance"] != "DC2-SQL02" ||
		p["mirroring_partner_name"] != "TCP://dc2-sql02.litwareinc.com:5022" || p["mirroring_safety_level_desc"] != "FULL" {
		t.Errorf("principal's row = %v", p)
	}
	if m["mirroring_role_desc"] != "MIRROR" || m["mirroring_state_desc"] != "SYNCHRONIZED" || m["mirroring_guid"] != p["mirroring_guid"] {
		t.Errorf("mirror's row = %v, want the principal's session (%v)", m, p["mirroring_guid"])
	}
	views, err := ReadMirroring(sl.dir)
	if err != nil || len(views) != 2 || views[0].Instance != "BACKUP" || views[0].Role != "PRINCIPAL" ||
		views[1].Instance != "BACKUP_MIRROR" || views[1].State != "SYNCHRONIZED" || views[0].GUID != views[1].GUID {
		t.Errorf("ReadMirroring = %+v, %v", views, err)
	}
	wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1405)
	wantErrors(t, mirror, "ALTER DATABASE mgc SET PARTNER = "+backupAddress, 1405)

	// The failback's step 2 ends it for both.
	mustExec(t, backup, "ALTER DATABASE mgc SET PARTNER OFF")
	if views, err := ReadMirroring(sl.dir); err != nil || len(views) != 0 {
		t.Errorf("after SET PARTNER OFF: %+v, %v", views, err)
	}
	if state, _ := stateOf(t, mirror, "mgc"); state != "RESTORING" {
		t.Errorf("the former mirror is %s", state)
	}
}

// TestRoundTripSetPartnerRefusals: what SQL Server refuses of SET PARTNER
// = 'TCP://…', on the failed-over lab (mgccomp exists ONLINE on the
// mirror, scratch is in SIMPLE recovery on the backup).
func TestRoundTripSetPartnerRefusals(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[1].Databases = append(cfg.Instances[1].Databases, DatabaseConfig{Name: "scratch", RecoveryModel: "SIMPLE"})
	cfg.Instances[2].Databases = []DatabaseConfig{{Name: "mgccomp", State: "ONLINE"}}
	sl, backup, mirror := failedOver(t, cfg)
	tests := []struct {
		name string
		db   *sql.DB
		q    string
		want []int32
	}{
		{"not TCP://host:port", backup, "ALTER DATABASE mgc SET PARTNER = N'dc2-sql02:5022'", []int32{1449}},
		{"no port", backup, "ALTER DATABASE mgc SET PARTNER = N'TCP://dc2-sql02'", []int32{1449}},
		{"itself", backup, "ALTER DATABASE mgc SET PARTNER = N'TCP://DC2-SQL01:5022'", []int32{1452}},
		{"itself from the mirror", mirror, "ALTER DATABASE mgccomp SET PARTNER = N'tcp://dc2-sql02:7022'", []int32{1452}},
		{"a server outside the lab", backup, "ALTER DATABASE mgc SET PARTNER = N'TCP://dc9-sql01.litwareinc.com:5022'", []int32{1418}},
		{"no such database", backup, "ALTER DATABASE nosuch SET PARTNER = " + mirrorAddress, []int32{5011, 5069}},
		{"simple recovery", backup, "ALTER DATABASE scratch SET PARTNER = " + mirrorAddress, []int32{1465}},
		{"the mirror's copy is online", backup, "ALTER DATABASE mgccomp SET PARTNER = " + mirrorAddress, []int32{1464}},
		{"a reader", sl.dbAs(t, "BACKUP", DefaultReader, DefaultReaderPassword), "ALTER DATABASE mgc SET PARTNER = " + mirrorAddress, []int32{5011, 5069}},
		{"a variable", backup, "DECLARE @a nvarchar(100) = " + mirrorAddress + "; ALTER DATABASE mgc SET PARTNER = @a", []int32{UnsupportedNumber}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantErrors(t, tt.db, tt.q, tt.want...) })
	}

	t.Run("a copy of another database", func(t *testing.T) {
		// The primary's mgc, restored on the mirror: same name, another
		// recovery fork.
		dev := onShare("primary.bak")
		mustExec(t, sl.db(t, "PRIMARY"), "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", dev))
		mustExec(t, mirror, "RESTORE DATABASE mgc FROM DISK = @d WITH NORECOVERY", sql.Named("d", dev))
		mustExec(t, mirror, "ALTER DATABASE mgc SET PARTNER = "+backupAddress)
		wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1407)
		mustExec(t, mirror, "ALTER DATABASE mgc SET PARTNER OFF")
	})
	t.Run("the mirror is down", func(t *testing.T) {
		if _, err := AddFault(sl.dir, Fault{Kind: FaultDown, Instance: "BACKUP_MIRROR", ID: "mirror-down"}); err != nil {
			t.Fatal(err)
		}
		wantErrors(t, backup, "ALTER DATABASE mgc SET PARTNER = "+mirrorAddress, 1418)
		if _, err := ClearFaults(sl.dir, "mirror-down"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a single-user principal", func(t *testing.T) {
		mustExec(t, backup, "ALTER DATABASE mgccomp SET SINGLE_USER")
		wantErrors(t, backup, "ALTER DATABASE mgccomp SET PARTNER = "+mirrorAddress, 1488)
		mustExec(t, backup, "ALTER DATABASE mgccomp SET MULTI_USER")
	})
	t.Run("a standby principal", func(t *testing.T) {
		mustExec(t, backup, "BACKUP DATABASE mgc TO DISK = @d WITH INIT", sql.Named("d", onShare("sb.bak")))
		mustExec(t, backup, "RESTORE DATABASE scratch FROM DISK = @d WITH MOVE 'mgc' TO 'D:\\SQLData\\sb.mdf', MOVE 'mgc_log' TO 'D:\\SQLData\\sb_log.ldf', STANDBY = 'D:\\sb.tuf', REPLACE",
			sql.Named("d", onShare("sb.bak")))
		wantErrors(t, backup, "ALTER DATABASE scratch SET PARTNER = "+mirrorAddress, 1466)
	})
}

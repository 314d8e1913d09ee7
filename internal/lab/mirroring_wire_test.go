package lab

import (
	"fmt"
	"strings"
	"testing"
)

// mirroredConfig is the default lab with the primary's mgc mirrored to a
// third instance, MIRROR (DC1-SQL02), as the Persistent Chat primary
// store is.
func mirroredConfig() Config {
	cfg := DefaultConfig()
	cfg.Instances[0].Databases[0].Mirroring = &MirroringConfig{Role: "principal", Partner: "DC1-SQL02"}
	cfg.Instances = append(cfg.Instances, InstanceConfig{Name: "MIRROR", ServerName: "DC1-SQL02", Logins: cfg.Instances[0].Logins,
		Databases: []DatabaseConfig{{Name: "mgc", State: "RESTORING", Mirroring: &MirroringConfig{Role: "mirror", Partner: "DC1-SQL01"}}}})
	return cfg
}

// mirrorOf is the MIRROR instance of mirroredConfig.
func mirrorOf(c *Config) *InstanceConfig { return &c.Instances[len(c.Instances)-1] }

const mirroringQuery = `SELECT d.name, m.mirroring_guid, m.mirroring_state, m.mirroring_state_desc, m.mirroring_role, m.mirroring_role_desc,
m.mirroring_partner_name, m.mirroring_partner_instance, m.mirroring_safety_level_desc, m.mirroring_end_of_log_lsn
FROM sys.databases AS d JOIN sys.database_mirroring AS m ON m.database_id = d.database_id ORDER BY d.database_id`

// mirroringRow is sys.database_mirroring's row of a database by name.
func mirroringRow(rows []map[string]any, db string) map[string]any {
	for _, r := range rows {
		if r["name"] == db {
			return r
		}
	}
	return nil
}

// TestRoundTripDatabaseMirroringView: one row per database, NULL for the
// ones not mirrored; the principal and the mirror share the session's
// GUID and name each other; the mirror's values are for sysadmin only;
// a partner stopped by a down fault shows DISCONNECTED.
func TestRoundTripDatabaseMirroringView(t *testing.T) {
	sl := serveTestLab(t, mirroredConfig())
	prim, mirror := sl.db(t, "PRIMARY"), sl.db(t, "MIRROR")
	rows := rowsAsMaps(t, prim, mirroringQuery)
	if n := len(rowsAsMaps(t, prim, "SELECT name FROM sys.databases")); len(rows) != n {
		t.Errorf("sys.database_mirroring has %d rows for %d databases", len(rows), n)
	}
	p := mirroringRow(rows, "mgc")
	if fmt.Sprintf("%v %v %v %v", p["mirroring_state"], p["mirroring_state_desc"], p["mirroring_role"], p["mirroring_role_desc"]) != "4 SYNCHRONIZED 1 PRINCIPAL" ||
		p["mirroring_partner_name"] != "TCP://dc1-sql02:5022" || p["mirroring_partner_instance"] != "DC1-SQL02" || p["mirroring_safety_level_desc"] != "FULL" {
		t.Errorf("principal's row = %v", p)
	}
	if c := mirroringRow(rows, "mgccomp"); c["mirroring_guid"] != nil || c["mirroring_role_desc"] != nil {
		t.Errorf("a database that is not mirrored: %v, want NULLs", c)
	}
	m := mirroringRow(rowsAsMaps(t, mirror, mirroringQuery), "mgc")
	if m["mirroring_role_desc"] != "MIRROR" || m["mirroring_guid"] != p["mirroring_guid"] || m["mirroring_partner_instance"] != "DC1-SQL01" {
		t.Errorf("mirror's row = %v, want the principal's session seen from the mirror", m)
	}
	reader := sl.dbAs(t, "MIRROR", DefaultReader, DefaultReaderPassword)
	if r := mirroringRow(rowsAsMaps(t, reader, mirroringQuery), "mgc"); r["mirroring_guid"] != nil {
		t.Errorf("the read-only login sees the mirror's values: %v", r)
	}
	// Through the faults file, as `failover-lab fault add` does, so that
	// ReadMirroring (another process's view) sees it too.
	if _, err := AddFault(sl.dir, Fault{Kind: FaultDown, Instance: "MIRROR"}); err != nil {
		t.Fatal(err)
	}
	if p := mirroringRow(rowsAsMaps(t, prim, mirroringQuery), "mgc"); p["mirroring_state_desc"] != "DISCONNECTED" {
		t.Errorf("with the mirror down the principal shows %v", p["mirroring_state_desc"])
	}
	views, err := ReadMirroring(sl.dir)
	if err != nil || len(views) != 2 || views[0].Role != "PRINCIPAL" || views[0].State != "DISCONNECTED" || views[1].Instance != "MIRROR" {
		t.Errorf("ReadMirroring = %+v, %v", views, err)
	}
}

// TestRoundTripMirroredDatabaseRefusals: RESTORE of either partner is
// 3104, BACKUP of the mirror 954.
func TestRoundTripMirroredDatabaseRefusals(t *testing.T) {
	sl := serveTestLab(t, mirroredConfig())
	prim, mirror := sl.db(t, "PRIMARY"), sl.db(t, "MIRROR")
	mustExec(t, prim, `BACKUP DATABASE mgc TO DISK = N'\\DC1-FS01\LSBackup\p.bak'`)
	wantErrors(t, prim, `RESTORE DATABASE mgc FROM DISK = N'\\DC1-FS01\LSBackup\p.bak' WITH REPLACE`, 3104, 3013)
	wantErrors(t, mirror, "RESTORE DATABASE mgc WITH RECOVERY", 3104, 3013)
	wantErrors(t, mirror, `BACKUP LOG mgc TO DISK = N'\\DC1-FS01\LSBackup\m.trn'`, 954, 3013)
}

// TestRoundTripSetPartnerOff is the failback's step 2: SET PARTNER OFF on
// the principal removes the session on both partners; the principal
// stays ONLINE and the mirror RESTORING where the principal's log ended.
// Again, or on a database that is not mirrored, it is 1416; the reader
// gets 5011; other mirroring statements are not simulated.
func TestRoundTripSetPartnerOff(t *testing.T) {
	for _, side := range []string{"PRIMARY", "MIRROR"} {
		t.Run("from "+side, func(t *testing.T) {
			sl := serveTestLab(t, mirroredConfig())
			prim, mirror := sl.db(t, "PRIMARY"), sl.db(t, "MIRROR")
			end := lsnOf(t, mirroringRow(rowsAsMaps(t, prim, mirroringQuery), "mgc"), "mirroring_end_of_log_lsn")
			mustExec(t, sl.db(t, side), "ALTER DATABASE mgc SET PARTNER OFF")
			for _, db := range []string{"PRIMARY", "MIRROR"} {
				if r := mirroringRow(rowsAsMaps(t, sl.db(t, db), mirroringQuery), "mgc"); r["mirroring_guid"] != nil {
					t.Errorf("%s still mirrors mgc: %v", db, r)
				}
			}
			if state, _ := stateOf(t, prim, "mgc"); state != "ONLINE" {
				t.Errorf("principal is %s", state)
			}
			if state, redo := stateOf(t, mirror, "mgc"); state != "RESTORING" || redo != end {
				t.Errorf("former mirror is %s at %s, want RESTORING at the principal's end of log %s", state, redo, end)
			}
			wantErrors(t, sl.db(t, side), "ALTER DATABASE mgc SET PARTNER OFF", 1416, 5069)
			if views, err := ReadMirroring(sl.dir); err != nil || len(views) != 0 {
				t.Errorf("ReadMirroring after SET PARTNER OFF = %+v, %v", views, err)
			}
		})
	}
	sl := serveTestLab(t, mirroredConfig())
	prim := sl.db(t, "PRIMARY")
	wantErrors(t, prim, "ALTER DATABASE mgccomp SET PARTNER OFF", 1416, 5069)
	wantErrors(t, sl.dbAs(t, "PRIMARY", DefaultReader, DefaultReaderPassword), "ALTER DATABASE mgc SET PARTNER OFF", 5011, 5069)
	wantErrors(t, prim, "ALTER DATABASE nosuch SET PARTNER OFF", 5011, 5069)
	for _, q := range []string{"ALTER DATABASE mgc SET PARTNER FAILOVER",
		"ALTER DATABASE mgc SET WITNESS OFF", "ALTER DATABASE mgc SET PARTNER SUSPEND"} {
		wantErrors(t, prim, q, UnsupportedNumber)
	}
}

// TestRoundTripSetPartnerOffWithPartnerDown: with the mirror's instance down, the
// principal removes its side only; the mirror keeps its session until it
// is removed there.
func TestRoundTripSetPartnerOffWithPartnerDown(t *testing.T) {
	sl := serveTestLab(t, mirroredConfig())
	if err := sl.lab.Inject(Fault{Kind: FaultDown, Instance: "MIRROR"}); err != nil {
		t.Fatal(err)
	}
	mustExec(t, sl.db(t, "PRIMARY"), "ALTER DATABASE mgc SET PARTNER OFF")
	views, err := ReadMirroring(sl.dir)
	if err != nil || len(views) != 1 || views[0].Instance != "MIRROR" {
		t.Errorf("ReadMirroring = %+v, %v; want the mirror's side only", views, err)
	}
}

func TestMirroringConfigChecks(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"principal not online", func(c *Config) { c.Instances[0].Databases[0].State = "RESTORING" }, "principal database must be ONLINE"},
		{"mirror not restoring", func(c *Config) { mirrorOf(c).Databases[0].State = "ONLINE" }, "mirror database must be RESTORING"},
		{"unknown role", func(c *Config) { c.Instances[0].Databases[0].Mirroring.Role = "witness" }, `role "witness"`},
		{"itself as partner", func(c *Config) { c.Instances[0].Databases[0].Mirroring.Partner = "DC1-SQL01" }, "another server"},
		{"lab partner without the other side", func(c *Config) { mirrorOf(c).Databases[0].Mirroring = nil }, "has no mirroring"},
		{"same role on both sides", func(c *Config) { mirrorOf(c).Databases[0].Mirroring.Role = "principal" }, "in the other role"},
		{"unknown state", func(c *Config) { c.Instances[0].Databases[0].Mirroring.State = "fine" }, `state "fine"`},
		{"unknown safety", func(c *Config) { c.Instances[0].Databases[0].Mirroring.Safety = "high" }, `safety "high"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mirroredConfig()
			tt.change(&cfg)
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
	cfg := mirroredConfig()
	mirrorOf(&cfg).Databases[0].Mirroring.Partner = "DC9-SQL01" // outside the lab: only named
	cfg.Instances[0].Databases[0].Mirroring.Partner = "DC9-SQL02"
	if err := cfg.Validate(); err != nil {
		t.Errorf("partners outside the lab: %v", err)
	}
}

// TestMirroringConfigFromYAML: the config keys of docs/lab.md, with a
// partner outside the lab (only named), and a typo named at its place.
func TestMirroringConfigFromYAML(t *testing.T) {
	const text = `instances:
  - name: PRIMARY
    server_name: DC1-SQL01
    logins: [{ user: failover, password: Lab-Passw0rd! }]
    databases:
      - name: mgc
        state: ONLINE
        mirroring:
          role: principal
          partner: DC1-SQL02
          address: 'TCP://dc1-sql02.litwareinc.com:5022'
          state: synchronizing
          safety: 'off'
  - name: BACKUP
    server_name: DC2-SQL01
    logins: [{ user: failover, password: Lab-Passw0rd! }]
    databases: [{ name: mgc, state: RESTORING }]
`
	cfg, err := loadConfigText(t, text)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	views, err := ReadMirroring(dir)
	if err != nil || len(views) != 1 {
		t.Fatalf("ReadMirroring = %+v, %v", views, err)
	}
	v := views[0]
	if v.Role != "PRINCIPAL" || v.State != "SYNCHRONIZING" || v.Safety != "OFF" || v.PartnerAddress != "TCP://dc1-sql02.litwareinc.com:5022" || v.Partner != "DC1-SQL02" {
		t.Errorf("session = %+v", v)
	}
	_, err = loadConfigText(t, strings.Replace(text, "safety:", "safty:", 1))
	if err == nil || !strings.Contains(err.Error(), `unknown key "safty"`) {
		t.Errorf("a misspelt key: %v", err)
	}
}

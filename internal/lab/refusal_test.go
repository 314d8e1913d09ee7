package lab

import (
	"strings"
	"testing"
)

// TestRoundTripRefusesWhatItDoesNotSimulate: a property the lab does not
// know and SELECT * are refused with 50000 over the wire, never a silent
// NULL or a result with fewer columns than SQL Server's; the properties
// it knows still answer.
func TestRoundTripRefusesWhatItDoesNotSimulate(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	for _, q := range []string{
		"SELECT DATABASEPROPERTYEX(N'mgc', 'IsAutoClose')",
		"SELECT DATABASEPROPERTYEX(N'nosuch', 'Collation')",
		"SELECT SERVERPROPERTY('ProductUpdateLevel')",
		"SELECT * FROM sys.databases",
		"SELECT d.* FROM sys.databases AS d WHERE d.name = N'mgc'",
		"SELECT * FROM msdb.dbo.log_shipping_secondary",
		"SELECT differential_base_lsn FROM sys.master_files WHERE database_id = DB_ID(N'mgc')",
	} {
		var v any
		err := db.QueryRow(q).Scan(&v)
		me := asMSSQL(t, err)
		if me.Number != UnsupportedNumber || !strings.Contains(me.Message, "does not support") {
			t.Errorf("%s: %d %q, want 50000 (the lab does not support …)", q, me.Number, me.Message)
		}
	}
	var status, version string
	var standby int
	var instance any
	err := db.QueryRow("SELECT DATABASEPROPERTYEX(N'mgc', 'Status'), DATABASEPROPERTYEX(N'mgc', 'IsInStandBy'), SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('InstanceName')").
		Scan(&status, &standby, &version, &instance)
	if err != nil || status != "RESTORING" || standby != 0 || version != "12.0.6024.0" || instance != nil {
		t.Errorf("known properties: %q %d %q %v (%v)", status, standby, version, instance, err)
	}
	var missing any = "x"
	if err := db.QueryRow("SELECT DATABASEPROPERTYEX(N'nosuch', 'Status')").Scan(&missing); err != nil || missing != nil {
		t.Errorf("a known property of a database that does not exist: %v (%v), want NULL as SQL Server", missing, err)
	}
}

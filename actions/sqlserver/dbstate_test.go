package sqlserver_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// labConfig is the default lab with extra databases on BACKUP in the
// states the tests need.
func labConfig() lab.Config {
	cfg := lab.DefaultConfig()
	for i := range cfg.Instances {
		if cfg.Instances[i].Name == "BACKUP" {
			cfg.Instances[i].Databases = append(cfg.Instances[i].Databases,
				lab.DatabaseConfig{Name: "reports", State: "STANDBY"},
				lab.DatabaseConfig{Name: "archive", State: "OFFLINE"})
		}
	}
	return cfg
}

func TestReadDatabaseState(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	p := pool(t, l.Env(t, "BACKUP"))
	lsn := regexp.MustCompile(`^[0-9]{16,25}$`)
	guid := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)
	tests := []struct {
		db, effective, text string
		restoring           bool
	}{
		{db: "mgc", effective: "RESTORING", restoring: true},
		{db: "mgccomp", effective: "ONLINE", text: "mgccomp is ONLINE"},
		{db: "reports", effective: "STANDBY"},
		{db: "archive", effective: "OFFLINE", text: "archive is OFFLINE"},
		{db: "nosuch", text: "database nosuch does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.db, func(t *testing.T) {
			s, err := sqlserver.ReadDatabaseState(context.Background(), p.DB(), tt.db)
			if err != nil {
				t.Fatal(err)
			}
			if s.Exists != (tt.effective != "") || s.Effective() != tt.effective {
				t.Fatalf("state = %+v, want %s", s, tt.effective)
			}
			if tt.restoring && (!lsn.MatchString(s.RedoStartLSN) || !guid.MatchString(s.RedoStartForkGUID)) {
				t.Errorf("redo start = %q on fork %q, want an LSN and a GUID", s.RedoStartLSN, s.RedoStartForkGUID)
			}
			if s.Recovered() != (tt.effective == "ONLINE") {
				t.Errorf("Recovered() = %v", s.Recovered())
			}
			if tt.text != "" && s.String() != tt.text {
				t.Errorf("String() = %q, want %q", s.String(), tt.text)
			}
			if tt.restoring && s.String() != "mgc is RESTORING (redo from LSN "+s.RedoStartLSN+")" {
				t.Errorf("String() = %q", s.String())
			}
		})
	}
}

// TestNumbersOfARestoreFailure: over the wire, a failed RESTORE carries
// its cause before 3013, and Classify reads the cause.
func TestNumbersOfARestoreFailure(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	p := pool(t, l.Env(t, "BACKUP"))
	c, err := p.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.ExecContext(context.Background(), "RESTORE DATABASE @db WITH RECOVERY", sqlNamed("db", "mgccomp"))
	if got := sqlserver.Numbers(err); !equal(got, []int32{3153, 3013}) {
		t.Fatalf("numbers = %v (%v), want [3153 3013]", got, err)
	}
	if c := classOf(err); c != "permanent" {
		t.Errorf("class = %s, want permanent", c)
	}
}

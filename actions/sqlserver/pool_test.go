package sqlserver_test

import (
	"context"
	"database/sql"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/tds"
)

// TestPoolOverTLSWithTheLabCA: the default target (encrypt omitted)
// connects encrypted and validates the lab's certificate against its CA;
// its sessions are named failover/VERSION.
func TestPoolOverTLSWithTheLabCA(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	p := pool(t, l.Env(t, "BACKUP"))
	var app, db string
	err := p.DB().QueryRowContext(context.Background(),
		"SELECT s.program_name, DB_NAME() FROM sys.dm_exec_sessions AS s WHERE s.session_id = @@SPID").Scan(&app, &db)
	if err != nil {
		t.Fatal(err)
	}
	if app != "failover/test" || db != "master" {
		t.Errorf("program_name, database = %q, %q; want failover/test, master", app, db)
	}
	if s := p.String(); s != "backup_sql ("+l.Addr("BACKUP")+", encrypted, certificate validated)" {
		t.Errorf("String() = %q", s)
	}
}

func TestPoolConnectErrors(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	otherCA, _, _, err := tds.GenerateCertificates(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	closed := closedPort(t)
	tests := []struct {
		name  string
		edit  func(tg *targets.SQLServer)
		class actions.Class
		nums  []int32
		text  string
	}{
		{name: "a certificate of another CA", edit: func(tg *targets.SQLServer) { tg.CAFile = otherCA },
			class: actions.Permanent, text: "certificate"},
		{name: "wrong password", edit: func(tg *targets.SQLServer) { tg.Password = "Wr0ng-S3cret" },
			class: actions.Permanent, nums: []int32{18456}},
		{name: "login database restoring: 4060 is transient", edit: func(tg *targets.SQLServer) { tg.Database = "mgc" },
			class: actions.Retryable, nums: []int32{4060, 18456}},
		{name: "nothing listens", edit: func(tg *targets.SQLServer) { tg.Port = closed },
			class: actions.Retryable, text: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := l.Target("BACKUP")
			tt.edit(tg)
			p := pool(t, sqltest.Env(t, "backup_sql", tg))
			_, err := p.Conn(context.Background())
			if err == nil {
				t.Fatal("connected")
			}
			if c := actions.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s: %v", c, tt.class, err)
			}
			if got := sqlserver.Numbers(err); tt.nums != nil && !equal(got, tt.nums) {
				t.Errorf("numbers = %v, want %v", got, tt.nums)
			}
			if !strings.Contains(err.Error(), tt.text) || !strings.HasPrefix(err.Error(), "connect on backup_sql: ") {
				t.Errorf("err = %v, want connect on backup_sql: …%s…", err, tt.text)
			}
			if strings.Contains(err.Error(), "S3cret") || strings.Contains(err.Error(), lab.DefaultPassword) {
				t.Errorf("the error shows a password: %v", err)
			}
		})
	}
}

// TestConnIsInMaster: a target whose database is not master still gets
// pinned sessions in master (for RESTORE), while DB() opens in its own.
func TestConnIsInMaster(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	tg := l.Target("BACKUP")
	tg.Database = "mgccomp"
	p := pool(t, sqltest.Env(t, "backup_sql", tg))
	ctx := context.Background()
	var db string
	if err := p.DB().QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&db); err != nil || db != "mgccomp" {
		t.Fatalf("DB() is in %q (%v), want mgccomp", db, err)
	}
	c, err := p.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.QueryRowContext(ctx, "SELECT DB_NAME()").Scan(&db); err != nil || db != "master" {
		t.Fatalf("Conn() is in %q (%v), want master", db, err)
	}
}

func TestShared(t *testing.T) {
	p, err := sqlserver.Open("t", &targets.SQLServer{Server: "h", ConnectTimeout: time.Second}, "1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var made atomic.Int32
	mk := func() any { made.Add(1); return &struct{ n int }{} }
	a, b := p.Shared("headers", mk), p.Shared("headers", mk)
	if a != b || made.Load() != 1 {
		t.Errorf("Shared made %d values (same: %v), want one", made.Load(), a == b)
	}
	if c := p.Shared("other", mk); c == a {
		t.Error("another key got the same value")
	}
}

func TestPoolOfWithoutHandle(t *testing.T) {
	env := &actions.Env{Mode: actions.ModePreview, Target: &actions.Target{Name: "backup_sql", Type: "sqlserver"}}
	if _, err := sqlserver.PoolOf(env); err == nil || err.Error() != "target backup_sql is not open (preview mode)" {
		t.Errorf("PoolOf = %v", err)
	}
}

func pool(t *testing.T, env *actions.Env) *sqlserver.Pool {
	t.Helper()
	p, err := sqlserver.PoolOf(env)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sqlNamed(name string, v any) sql.NamedArg { return sql.Named(name, v) }

func classOf(err error) string { return actions.ClassOf(sqlserver.Classify(err)).String() }

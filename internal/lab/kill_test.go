package lab

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/tds"
)

func TestKill(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 1}
	tests := []struct {
		name string
		sql  string
		want []int32
	}{
		{"own session", "KILL 51", []int32{6104}},
		{"no such session", "KILL 99", []int32{6106}},
		{"system process", "KILL 5", []int32{6107}},
		{"simulated session", "KILL 300", nil},
		{"dynamic SQL", "EXEC(N'KILL ' + CAST(300 AS nvarchar(11)))", nil},
		{"declared variable", "DECLARE @spid int = 300, @sql nvarchar(40);\nSET @sql = N'KILL ' + CAST(@spid AS nvarchar(11));\nEXEC (@sql)", nil},
		{"sp_executesql in a batch", "EXEC sp_executesql N'KILL 300'", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, cfg)
			in := tl.backup()
			s := open(in, 51, "master")
			w := run(t, in, s, tt.sql)
			if got := w.errorNumbers(); !reflect.DeepEqual(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("errors = %v, want %v (%v)", got, tt.want, w.errors)
			}
			if tt.want == nil && len(in.st.UserSessions) != 0 {
				t.Errorf("session 300 still there: %+v", in.st.UserSessions)
			}
		})
	}
}

func TestKillLiveSessionCallsKill(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	me := open(in, 51, "master")
	victim := open(in, 52, "mgccomp")
	if w := run(t, in, me, "KILL 52"); len(w.errors) > 0 {
		t.Fatalf("kill: %v", w.errors)
	}
	if !victim.wasKilled() {
		t.Error("KILL 52 did not kill session 52")
	}
}

func TestKilledSessionReconnectsOnce(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 1, Reconnect: true}
	tl := newTestLab(t, cfg)
	in := tl.backup()
	s := open(in, 51, "master")
	holders := "SELECT request_session_id FROM sys.dm_tran_locks WHERE resource_database_id = DB_ID(N'mgc')"
	count := "SELECT COUNT(*) AS n FROM sys.dm_tran_locks WHERE resource_database_id = DB_ID(N'mgc')"
	if w := run(t, in, s, "KILL 300"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	if got := cell(t, run(t, in, s, holders), 0, "request_session_id"); got != int64(301) {
		t.Fatalf("reconnected session id = %v, want 301", got)
	}
	if w := run(t, in, s, "KILL 301"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	if got := cell(t, run(t, in, s, count), 0, "n"); got != int64(0) {
		t.Errorf("locks after the second kill = %v, want 0 (reconnect once)", got)
	}
}

// fakeClock is the simulated sessions' clock in tests: time moves only
// when the test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)} }

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestReconnectAfterDelayBlocksRestore: a lock holder that reconnects
// after a delay lets a RESTORE right after the KILL (same batch) through,
// and blocks one after the delay with 3101.
func TestReconnectAfterDelayBlocksRestore(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 1, Reconnect: true, ReconnectAfter: 30 * time.Second}
	tl := newTestLab(t, cfg)
	in := tl.backup()
	clock := newFakeClock()
	in.clock = clock.now
	s := open(in, 51, "master")
	w := run(t, in, s, "KILL 300\nRESTORE DATABASE mgc WITH NORECOVERY")
	if len(w.errors) > 0 {
		t.Fatalf("kill then restore at once: %v", w.errors)
	}
	clock.advance(29 * time.Second)
	if w := run(t, in, s, "RESTORE DATABASE mgc WITH NORECOVERY"); len(w.errors) > 0 {
		t.Fatalf("restore before the session came back: %v", w.errors)
	}
	clock.advance(time.Second)
	w = run(t, in, s, "RESTORE DATABASE mgc WITH NORECOVERY")
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{3101, 3013}) {
		t.Errorf("restore after the session came back: %v, want 3101 then 3013", got)
	}
}

func TestAlterDatabase(t *testing.T) {
	tests := []struct {
		name       string
		sql        string
		want       []int32
		wantAccess string
	}{
		{"restoring database", "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE", []int32{5052, 5069}, "MULTI_USER"},
		{"online database", "ALTER DATABASE mgccomp SET SINGLE_USER WITH ROLLBACK IMMEDIATE", nil, "SINGLE_USER"},
		{"other user without rollback", "ALTER DATABASE mgccomp SET SINGLE_USER", []int32{5061, 5069}, "MULTI_USER"},
		{"multi user", "ALTER DATABASE mgccomp SET MULTI_USER", nil, "MULTI_USER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			s := open(in, 51, "master")
			other := open(in, 52, "mgccomp")
			w := run(t, in, s, tt.sql)
			if got := w.errorNumbers(); !reflect.DeepEqual(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("errors = %v, want %v", got, tt.want)
			}
			d := in.st.database(tt.sql[len("ALTER DATABASE "):][:len("mgccomp")])
			if d == nil {
				d = in.st.database("mgc")
			}
			if d.UserAccess != tt.wantAccess {
				t.Errorf("user access = %s, want %s", d.UserAccess, tt.wantAccess)
			}
			if tt.wantAccess == "SINGLE_USER" && !other.wasKilled() {
				t.Error("ROLLBACK IMMEDIATE left the other session connected")
			}
		})
	}
}

func TestUseRestoringDatabase(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	if got := run(t, in, s, "USE mgc").errorNumbers(); !reflect.DeepEqual(got, []int32{927}) {
		t.Errorf("USE mgc: %v, want 927", got)
	}
	if s.Database() != "master" {
		t.Errorf("database after refused USE = %s", s.Database())
	}
	w := run(t, in, s, "USE [mgccomp]; SELECT DB_NAME() AS db")
	if got := cell(t, w, 0, "db"); got != "mgccomp" {
		t.Errorf("DB_NAME() after USE = %v", got)
	}
}

func TestTransactionsInBatches(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	w := run(t, in, s, "BEGIN TRAN\nRESTORE DATABASE mgc WITH RECOVERY\nROLLBACK")
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{3021, 3013}) {
		t.Errorf("restore in a transaction: %v", got)
	}
	if s.InTransaction() {
		t.Error("ROLLBACK left the transaction open")
	}
	if got := run(t, in, s, "COMMIT").errorNumbers(); !reflect.DeepEqual(got, []int32{3902}) {
		t.Errorf("COMMIT without BEGIN: %v", got)
	}
}

func TestDeleteLogShippingSecondary(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	// Arguments it does not have are refused before it runs (nothing gone).
	for sql, want := range map[string]int32{
		"exec sp_delete_log_shipping_secondary_database @database = N'mgc'": 8145,
		"exec sp_delete_log_shipping_secondary_database N'mgc', 0, 1":       8144,
	} {
		if got := run(t, in, s, sql).errorNumbers(); !reflect.DeepEqual(got, []int32{want}) {
			t.Errorf("%s: %v, want [%d]", sql, got, want)
		}
	}
	w := &recWriter{}
	in.RPC(t.Context(), s, "master.dbo.sp_delete_log_shipping_secondary_database",
		[]tds.Param{{Name: "@secondary_database", Type: tds.TypeNVarChar, Value: "mgc"}}, w)
	if len(w.errors) > 0 || w.status == nil || *w.status != 0 {
		t.Fatalf("rpc: errors %v, status %v", w.errors, w.status)
	}
	for _, q := range []string{"msdb.dbo.log_shipping_secondary", "msdb.dbo.log_shipping_secondary_databases",
		"msdb.dbo.log_shipping_monitor_secondary", "msdb.dbo.sysjobs"} {
		if got := cell(t, run(t, in, s, "SELECT COUNT(*) AS n FROM "+q), 0, "n"); got != int64(0) {
			t.Errorf("%s has %v rows after the delete", q, got)
		}
	}
	if got := cell(t, run(t, in, s, "SELECT state_desc FROM sys.databases WHERE name = 'mgc'"), 0, "state_desc"); got != "RESTORING" {
		t.Errorf("mgc is %v after the delete, want RESTORING", got)
	}
	w = run(t, in, s, "exec sp_delete_log_shipping_secondary_database mgc")
	if got := w.errorNumbers(); !reflect.DeepEqual(got, []int32{32014}) {
		t.Errorf("second delete: %v, want 32014", got)
	}
}

func TestWho2AndLogShippingMonitor(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{Count: 1, Database: "mgccomp"}
	tl := newTestLab(t, cfg)
	in := tl.backup()
	s := open(in, 51, "master")
	w := run(t, in, s, "exec sp_who2")
	rows := w.results[0].Rows
	last := rows[len(rows)-1]
	if last[0] != "300" || last[5] != "mgccomp" || last[11] != "300" {
		t.Errorf("sp_who2 last row = %v, want the simulated session 300 in mgccomp", last)
	}
	w = run(t, in, s, "EXEC master.sys.sp_help_log_shipping_monitor")
	if got := cell(t, w, 0, "database_name"); got != "mgc" {
		t.Errorf("monitor database = %v", got)
	}
	if got := cell(t, w, 0, "status"); got != false {
		t.Errorf("monitor status = %v, want false (restored 4 minutes ago, threshold 45)", got)
	}
}

func TestUseSingleUserDatabase(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	admin := open(in, 51, "master")
	if w := run(t, in, admin, "ALTER DATABASE mgccomp SET SINGLE_USER WITH ROLLBACK IMMEDIATE; USE mgccomp"); len(w.errors) > 0 {
		t.Fatal(w.errors)
	}
	other := open(in, 52, "master")
	if got := run(t, in, other, "USE mgccomp").errorNumbers(); !reflect.DeepEqual(got, []int32{924}) {
		t.Errorf("second user: %v, want 924", got)
	}
}

func TestSetXactAbort(t *testing.T) {
	tests := []struct {
		sql  string
		want bool
		err  int32
	}{
		{"SET XACT_ABORT ON", true, 0},
		{"SET NOCOUNT, XACT_ABORT ON", true, 0},
		{"SET XACT_ABORT ON; SET XACT_ABORT OFF", false, 0},
		{"SET XACT_ABORT MAYBE", false, UnsupportedNumber},
		{"SET ROWCOUNT, XACT_ABORT ON", false, UnsupportedNumber},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			s := open(in, 51, "master")
			w := run(t, in, s, tt.sql)
			if got := w.errorNumbers(); tt.err != 0 && (len(got) != 1 || got[0] != tt.err) || tt.err == 0 && len(got) > 0 {
				t.Fatalf("errors %v, want %d", got, tt.err)
			}
			if on, _ := s.Value(xactAbortKey).(bool); on != tt.want {
				t.Errorf("XACT_ABORT on = %v, want %v", on, tt.want)
			}
		})
	}
}

// TestSetLockTimeout: @@LOCK_TIMEOUT answers what the session set, not a
// fixed -1; a timeout that is not a number is refused.
func TestSetLockTimeout(t *testing.T) {
	tests := []struct {
		sql  string
		want int64
		err  int32
	}{
		{"SELECT 1", -1, 0},
		{"SET LOCK_TIMEOUT 5000", 5000, 0},
		{"SET LOCK_TIMEOUT 5000; SET LOCK_TIMEOUT -1", -1, 0},
		{"SET LOCK_TIMEOUT 0", 0, 0},
		{"SET LOCK_TIMEOUT @t", -1, UnsupportedNumber},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			tl := newTestLab(t, DefaultConfig())
			in := tl.backup()
			s := open(in, 51, "master")
			if got := run(t, in, s, tt.sql).errorNumbers(); tt.err != 0 && (len(got) != 1 || got[0] != tt.err) || tt.err == 0 && len(got) > 0 {
				t.Fatalf("errors %v, want %d", got, tt.err)
			}
			w := run(t, in, s, "SELECT @@LOCK_TIMEOUT")
			if len(w.errors) > 0 || len(w.results) != 1 || w.results[0].Rows[0][0] != tt.want {
				t.Errorf("@@LOCK_TIMEOUT = %v (%v), want %d", w.results, w.errors, tt.want)
			}
		})
	}
}

package lab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// servedLab is a lab dir served on loopback for go-mssqldb tests.
type servedLab struct {
	*testLab
	lab *Lab
}

func serveTestLab(t *testing.T, cfg Config) *servedLab {
	t.Helper()
	tl := &testLab{dir: t.TempDir(), cfg: cfg}
	if err := Init(tl.dir, cfg); err != nil {
		t.Fatal(err)
	}
	l, err := Serve(context.Background(), tl.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return &servedLab{testLab: tl, lab: l}
}

// dsn is a go-mssqldb DSN for an instance; extra is appended to the query.
func (sl *servedLab) dsn(instance, extra string) string {
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(DefaultUser, DefaultPassword),
		Host: sl.lab.Addrs()[instance], RawQuery: "database=master&encrypt=disable&app+name=lab-test" + extra}
	return u.String()
}

func (sl *servedLab) db(t *testing.T, instance string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", sl.dsn(instance, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func asMSSQL(t *testing.T, err error) mssql.Error {
	t.Helper()
	var me mssql.Error
	if !errors.As(err, &me) {
		t.Fatalf("err = %v (%T), want an mssql.Error", err, err)
	}
	return me
}

func TestRoundTripRestoreErrorsCarryCauseThen3013(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	var redoText string
	if err := db.QueryRow("SELECT mf.redo_start_lsn FROM sys.master_files AS mf WHERE mf.database_id = DB_ID(@db) AND mf.file_id = 1",
		sql.Named("db", "mgc")).Scan(&redoText); err != nil {
		t.Fatal(err)
	}
	redo, err := lsn.Parse(redoText)
	if err != nil {
		t.Fatal(err)
	}
	st, err := loadState(statePath(sl.dir, "BACKUP"))
	if err != nil {
		t.Fatal(err)
	}
	gap := logSet("mgc", lsnPlus(t, redo, 10), lsnPlus(t, redo, 20), st.database("mgc").Restore.RedoStartForkID)
	path := filepath.Join(sl.copyDir(), "mgc_gap.trn")
	if err := labfile.WriteFile(path, []labfile.BackupSet{gap}); err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("RESTORE LOG @db FROM DISK = @path WITH FILE = 1, NORECOVERY", sql.Named("db", "mgc"), sql.Named("path", path))
	me := asMSSQL(t, err)
	if me.Number != 3013 || len(me.All) != 2 || me.All[0].Number != 4305 {
		t.Fatalf("error = %d, all = %+v; want 4305 then 3013", me.Number, me.All)
	}
	if !strings.Contains(me.All[0].Message, "which is too recent to apply to the database") || !strings.Contains(me.All[0].Message, redoText) {
		t.Errorf("4305 text = %q", me.All[0].Message)
	}
	if me.All[1].Message != "RESTORE LOG is terminating abnormally." {
		t.Errorf("3013 text = %q", me.All[1].Message)
	}
}

func TestRoundTripRestoreSendsInfoMessages(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	next := nextCopiedFile(t, sl)
	retmsg := &sqlexp.ReturnMessage{}
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "RESTORE LOG mgc FROM DISK = @p WITH NORECOVERY", retmsg, sql.Named("p", next))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var notices []string
	for active := true; active; {
		switch m := retmsg.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			notices = append(notices, m.Message.String())
		case sqlexp.MsgError:
			t.Fatalf("restore of %s: %v", next, m.Error)
		case sqlexp.MsgNextResultSet:
			active = rows.NextResultSet()
		case sqlexp.MsgNext:
			for rows.Next() {
			}
		}
	}
	joined := strings.Join(notices, "\n")
	if !strings.Contains(joined, "Processed ") || !strings.Contains(joined, "RESTORE LOG successfully processed") {
		t.Errorf("notices = %q", notices)
	}
}

// nextCopiedFile finds the copied file that applies next, by HEADERONLY.
func nextCopiedFile(t *testing.T, sl *servedLab) string {
	t.Helper()
	in, _ := loadState(statePath(sl.dir, "BACKUP"))
	redo := in.database("mgc").Restore.RedoStartLSN
	entries, _ := os.ReadDir(sl.copyDir())
	for _, e := range entries {
		p := filepath.Join(sl.copyDir(), e.Name())
		sets, err := labfile.ReadFile(p)
		if err == nil && len(sets) > 0 && sets[0].DatabaseName == "mgc" &&
			sets[0].FirstLSN.Cmp(redo) <= 0 && sets[0].LastLSN.Cmp(redo) > 0 {
			return p
		}
	}
	t.Fatal("no copied file applies next")
	return ""
}

func TestRoundTripKillDropsOtherSession(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	ctx := context.Background()
	victim, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close()
	var spid int
	if err := victim.QueryRowContext(ctx, "SELECT @@SPID").Scan(&spid); err != nil {
		t.Fatal(err)
	}
	killer, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	if _, err := killer.ExecContext(ctx, fmt.Sprintf("KILL %d", spid)); err != nil {
		t.Fatalf("KILL %d: %v", spid, err)
	}
	if err := victim.PingContext(ctx); err == nil {
		t.Error("the killed session still answers")
	}
	_, err = killer.ExecContext(ctx, fmt.Sprintf("KILL %d", spid))
	if me := asMSSQL(t, err); me.Number != 6106 {
		t.Errorf("second KILL = %d %q, want 6106", me.Number, me.Message)
	}
}

// TestRoundTripCancelKeepsConnectionUsable cancels a running statement
// (ATTENTION) and uses the same connection again. It cancels rather than
// times out: go-mssqldb marks a connection bad on context.DeadlineExceeded
// (a net.Error) even after the server acknowledged the attention.
func TestRoundTripCancelKeepsConnectionUsable(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var before, after time.Time
	const loginTime = "SELECT login_time FROM sys.dm_exec_sessions WHERE session_id = @@SPID"
	if err := conn.QueryRowContext(context.Background(), loginTime).Scan(&before); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = conn.ExecContext(ctx, "WAITFOR DELAY '00:00:05'")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %v: attention not acknowledged", d)
	}
	if err := conn.QueryRowContext(context.Background(), loginTime).Scan(&after); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
	if !after.Equal(before) {
		t.Errorf("login time %v after cancel, %v before: not the same session", after, before)
	}
}

func TestRoundTripRestartKeepsStateAndPort(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	addr := sl.lab.Addrs()["BACKUP"]
	db := sl.db(t, "BACKUP")
	var rs mssql.ReturnStatus
	if _, err := db.Exec("master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc"), &rs); err != nil || rs != 0 {
		t.Fatalf("delete secondary: %v, status %d", err, rs)
	}
	if _, err := db.Exec("RESTORE DATABASE mgc WITH RECOVERY"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	sl.lab.Close()
	l, err := Serve(context.Background(), sl.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sl.lab = l
	if got := l.Addrs()["BACKUP"]; got != addr {
		t.Errorf("address after restart = %s, want %s", got, addr)
	}
	db2 := sl.db(t, "BACKUP")
	var state string
	var jobs int
	if err := db2.QueryRow("SELECT state_desc, (0) AS x FROM sys.databases WHERE name = 'mgc'").Scan(&state, new(int)); err != nil {
		t.Fatal(err)
	}
	if err := db2.QueryRow("SELECT COUNT(*) FROM msdb.dbo.sysjobs").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if state != "ONLINE" || jobs != 0 {
		t.Errorf("after restart: mgc %s, %d jobs; want ONLINE, 0", state, jobs)
	}
}

func TestRoundTripCancelledRestoreNeedsTheSameSet(t *testing.T) {
	cfg := DefaultConfig()
	cfg.RestoreTime = 5 * time.Second
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	next := nextCopiedFile(t, sl)
	st, err := loadState(statePath(sl.dir, "BACKUP"))
	if err != nil {
		t.Fatal(err)
	}
	r := st.database("mgc").Restore
	other := filepath.Join(sl.copyDir(), "mgc_other.trn")
	if err := labfile.WriteFile(other, []labfile.BackupSet{logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 5), r.RedoStartForkID)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := db.ExecContext(ctx, "RESTORE LOG mgc FROM DISK = @p WITH NORECOVERY", sql.Named("p", next)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled restore: %v", err)
	}
	_, err = db.Exec("RESTORE LOG mgc FROM DISK = @p WITH NORECOVERY", sql.Named("p", other))
	if me := asMSSQL(t, err); len(me.All) != 2 || me.All[0].Number != 4319 {
		t.Errorf("another set after the cancel: %+v, want 4319 then 3013", me.All)
	}
}

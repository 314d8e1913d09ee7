package lab

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// dbAs connects to an instance as the given login.
func (sl *servedLab) dbAs(t *testing.T, instance, user, password string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(user, password),
		Host: sl.lab.Addrs()[instance], RawQuery: "database=master&encrypt=disable&app+name=lab-test"}
	db, err := sql.Open("sqlserver", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRoundTripReaderReadsAndIsRefusedWrites: the read-only login reads
// what a check reads (state, restore point, sessions and locks, msdb's log
// shipping tables, sp_who2), and every write of the actions is refused
// with SQL Server's error for the missing permission; nothing changes.
func TestRoundTripReaderReadsAndIsRefusedWrites(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 1}
	sl := serveTestLab(t, cfg)
	reader := sl.dbAs(t, "BACKUP", DefaultReader, DefaultReaderPassword)
	for _, q := range []string{
		"SELECT d.state_desc, mf.redo_start_lsn FROM sys.databases AS d LEFT JOIN sys.master_files AS mf ON mf.database_id = d.database_id AND mf.file_id = 1 WHERE d.name = N'mgc'",
		"SELECT session_id, login_name FROM sys.dm_exec_sessions WHERE is_user_process = 1",
		"SELECT spid, dbid FROM master.dbo.sysprocesses",
		"SELECT request_session_id FROM sys.dm_tran_locks WHERE resource_database_id = DB_ID(N'mgc')",
		"SELECT s.backup_source_directory, d.last_restored_file, j.name FROM msdb.dbo.log_shipping_secondary AS s JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id LEFT JOIN msdb.dbo.sysjobs AS j ON j.job_id = s.copy_job_id",
		"SELECT rh.restore_history_id, bs.last_lsn FROM msdb.dbo.restorehistory AS rh JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id",
		"EXEC sp_who2",
	} {
		rows, err := reader.Query(q)
		if err != nil {
			t.Errorf("reader: %s: %v", q, err)
			continue
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil || n == 0 {
			t.Errorf("reader: %s: %d rows, %v", q, n, err)
		}
		rows.Close()
	}
	next := nextCopiedFile(t, sl)
	tests := []struct {
		q    string
		args []any
		want []int32
		text string
	}{
		{"RESTORE DATABASE mgc WITH RECOVERY", nil, []int32{3110, 3013}, "User does not have permission to RESTORE database 'mgc'."},
		{"RESTORE LOG @db FROM DISK = @p WITH NORECOVERY", []any{sql.Named("db", "mgc"), sql.Named("p", next)}, []int32{3110, 3013}, "User does not have permission to RESTORE database 'mgc'."},
		{"RESTORE HEADERONLY FROM DISK = @p", []any{sql.Named("p", next)}, []int32{262, 3013}, "CREATE DATABASE permission denied in database 'master'."},
		{"KILL 300", nil, []int32{6102}, "User does not have permission to use the KILL statement."},
		{"EXEC(N'KILL ' + CAST(@s AS nvarchar(11)))", []any{sql.Named("s", 300)}, []int32{6102}, "permission to use the KILL statement"},
		{"ALTER DATABASE mgccomp SET SINGLE_USER WITH ROLLBACK IMMEDIATE", nil, []int32{5011, 5069}, "User does not have permission to alter database 'mgccomp'"},
		{"master.dbo.sp_delete_log_shipping_secondary_database", []any{sql.Named("secondary_database", "mgc")}, []int32{229},
			"The EXECUTE permission was denied on the object 'sp_delete_log_shipping_secondary_database', database 'mssqlsystemresource', schema 'sys'."},
		{"EXEC sys.sp_help_log_shipping_monitor", nil, []int32{229}, "'sp_help_log_shipping_monitor'"},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := reader.ExecContext(ctx, tt.q, tt.args...)
		cancel()
		me := asMSSQL(t, err)
		var got []int32
		for _, e := range me.All {
			got = append(got, e.Number)
		}
		if !reflect.DeepEqual(got, tt.want) || !strings.Contains(me.All[0].Message, tt.text) {
			t.Errorf("reader: %s: %v %q, want %v %q", tt.q, got, me.All[0].Message, tt.want, tt.text)
		}
	}
	admin := sl.db(t, "BACKUP")
	if v := readViews(t, admin, "mgc"); !reflect.DeepEqual(v.holders, []int{300}) {
		t.Errorf("the reader's KILL ended a session: %+v", v)
	}
	var state string
	var secondaries, jobs int
	if err := admin.QueryRow("SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil || state != "RESTORING" {
		t.Errorf("mgc %s (%v), want RESTORING", state, err)
	}
	if err := admin.QueryRow("SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases").Scan(&secondaries); err != nil || secondaries != 1 {
		t.Errorf("secondary databases %d (%v), want 1", secondaries, err)
	}
	if err := admin.QueryRow("SELECT COUNT(*) FROM msdb.dbo.sysjobs").Scan(&jobs); err != nil || jobs != 2 {
		t.Errorf("jobs %d (%v), want 2", jobs, err)
	}
}

// TestRoundTripLogShippingProceduresRunInMaster: the log shipping
// procedures run only in master (5001 elsewhere, nothing removed); a
// name qualified with master runs there from any database.
func TestRoundTripLogShippingProceduresRunInMaster(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	conn := pinned(t, sl.db(t, "BACKUP"))
	ctx := context.Background()
	if _, err := conn.ExecContext(ctx, "USE msdb"); err != nil {
		t.Fatal(err)
	}
	var rs mssql.ReturnStatus
	for _, proc := range []string{"sp_delete_log_shipping_secondary_database", "sys.sp_delete_log_shipping_secondary_database", "msdb.sys.sp_delete_log_shipping_secondary_database"} {
		rs = 0
		_, err := conn.ExecContext(ctx, proc, sql.Named("secondary_database", "mgc"), &rs)
		if me := asMSSQL(t, err); me.Number != 5001 || me.Message != "User must be in the master database." || rs != 1 {
			t.Errorf("%s in msdb: %d %q, status %d; want 5001, status 1", proc, me.Number, me.Message, rs)
		}
	}
	if _, err := conn.ExecContext(ctx, "EXEC sys.sp_help_log_shipping_monitor"); asMSSQL(t, err).Number != 5001 {
		t.Errorf("sp_help_log_shipping_monitor in msdb: %v, want 5001", err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM log_shipping_secondary_databases").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the refusals: %d secondary databases (%v), want 1", n, err)
	}
	rs = -1
	if _, err := conn.ExecContext(ctx, "master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc"), &rs); err != nil || rs != 0 {
		t.Fatalf("master.dbo.… from msdb: %v, status %d", err, rs)
	}
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM log_shipping_secondary_databases").Scan(&n); err != nil || n != 0 {
		t.Errorf("after the removal: %d secondary databases (%v), want 0", n, err)
	}
}

// TestRoundTripStatementLogProvesReadOnly: every statement is in the log
// with its session, login and effect, so a read-only run shows no line
// whose effect starts with write, a write shows "write", a refused one
// "write-failed"; no password is ever written.
func TestRoundTripStatementLogProvesReadOnly(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	reader := sl.dbAs(t, "BACKUP", DefaultReader, DefaultReaderPassword)
	admin := sl.db(t, "BACKUP")
	ctx := context.Background()
	for _, q := range []string{"SELECT name, state_desc FROM sys.databases", "EXEC sp_who2", "SET NOCOUNT ON; SELECT @@SPID"} {
		if _, err := reader.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reader.ExecContext(ctx, "SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(@db)", sql.Named("db", "mgc")); err != nil {
		t.Fatal(err)
	}
	sl.lab.log.writeEntry(logEntry{instance: "BACKUP", kind: "mark", text: "end of the read-only part"})
	_, _ = reader.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY")
	_, _ = admin.ExecContext(ctx, "SELECT 1; KILL 999")
	if _, err := admin.ExecContext(ctx, "EXEC(N'RESTORE DATABASE mgc WITH RECOVERY')"); err != nil {
		t.Fatal(err)
	}
	_, _ = admin.ExecContext(ctx, "DROP DATABASE mgc")
	// A batch ended by a deadlock: the statements it did not run are in
	// the log too, a write among them as sent.
	if err := sl.lab.Inject(Fault{Match: `^SELECT 42$`, Kind: FaultError, Error: 1205}); err != nil {
		t.Fatal(err)
	}
	_, _ = admin.ExecContext(ctx, "SELECT 42\nEXEC(N'KILL 998')\nSELECT 43")
	sl.lab.Close()
	data, err := os.ReadFile(filepath.Join(sl.dir, StatementLog))
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	lines := strings.Split(strings.TrimSpace(log), "\n")
	mark := slices.IndexFunc(lines, func(l string) bool { return strings.HasSuffix(l, "\tmark\t-\tend of the read-only part") })
	if mark < 0 {
		t.Fatal("no mark in the log")
	}
	rest := strings.Join(lines[mark:], "\n")
	for _, line := range lines[:mark] {
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			t.Fatalf("line with %d fields: %q", len(f), line)
		}
		if strings.HasPrefix(f[5], "write") {
			t.Errorf("read-only part has a write: %q", line)
		}
		if (f[4] == "batch" || f[4] == "rpc") && (f[3] != DefaultReader || f[2] == "0" || f[5] != EffectRead) {
			t.Errorf("statement line without session, login or effect: %q", line)
		}
	}
	for _, want := range []string{
		"\t" + DefaultReader + "\tbatch\twrite-failed\tRESTORE DATABASE mgc WITH RECOVERY",
		"\t" + DefaultUser + "\tbatch\tread\tSELECT 1",
		"\t" + DefaultUser + "\tbatch\twrite-failed\tKILL 999",
		"\t" + DefaultUser + "\tdynamic\twrite\tRESTORE DATABASE mgc WITH RECOVERY",
		"\t" + DefaultUser + "\tbatch\twrite\tEXEC(N'RESTORE DATABASE mgc WITH RECOVERY')",
		"\t" + DefaultUser + "\tbatch\twrite-failed\tDROP DATABASE mgc",
		"\t" + DefaultUser + "\tbatch\tread\tSELECT 42\n",
		"\t" + DefaultUser + "\tskipped\twrite-failed\tEXEC(N'KILL 998')\n",
		"\t" + DefaultUser + "\tskipped\tread\tSELECT 43",
	} {
		if !strings.Contains(rest, want) {
			t.Errorf("the log lacks %q:\n%s", want, rest)
		}
	}
	for _, pw := range []string{DefaultPassword, DefaultReaderPassword} {
		if strings.Contains(log, pw) {
			t.Errorf("the statement log holds a password")
		}
	}
}

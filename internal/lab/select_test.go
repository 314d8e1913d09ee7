package lab

import (
	"reflect"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions/logship"
	"github.com/failover-dev/failover/internal/tds"
)

func TestSelectAnswers(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 57, "master")
	tests := []struct {
		name string
		sql  string
		col  string
		want any
	}{
		{"spid", "SELECT @@SPID AS spid", "spid", int64(57)},
		{"servername", "SELECT @@SERVERNAME AS n", "n", "DC2-SQL01"},
		{"literal", "select 1 AS one;", "one", int64(1)},
		{"float literal with exponent", "SELECT 1.5E3 AS f", "f", 1500.0},
		{"select assigns a variable", "DECLARE @n sysname; SELECT @n = name FROM sys.databases WHERE database_id = 5; SELECT @n AS n", "n", "mgc"},
		{"select assigns from the last row", "DECLARE @n int; SELECT @n = database_id FROM sys.databases ORDER BY database_id; SELECT @n AS n", "n", int64(6)},
		{"select with no row keeps the value", "DECLARE @n sysname = N'x'; SELECT @n = name FROM sys.databases WHERE 1 = 0; SELECT @n AS n", "n", "x"},
		{"SET converts to the declared type", "DECLARE @n int; SET @n = N'42'; SELECT @n + 1 AS n", "n", int64(43)},
		{"SELECT @v = converts too", "DECLARE @s nvarchar(20); SELECT @s = 5; SELECT @s + N'x' AS s", "s", "5x"},
		{"cast to float", "SELECT CAST(3 AS float) / 2 AS f", "f", 1.5},
		{"datetime variable", "DECLARE @d datetime = CAST(GETDATE() AS datetime); SELECT CASE_FREE = 1 WHERE @d <= GETDATE()", "CASE_FREE", int64(1)},
		{"number then alias", "SELECT 12abc", "abc", int64(12)},
		{"string literal", "SELECT N'it''s' AS s", "s", "it's"},
		{"alias with equals", "SELECT answer = 6 * 7", "answer", int64(42)},
		{"concat and cast", "SELECT N'KILL ' + CAST(57 AS nvarchar(11)) AS k", "k", "KILL 57"},
		{"db_id", "SELECT DB_ID(N'mgc') AS id", "id", int64(5)},
		{"db_id of nothing", "SELECT DB_ID(N'nope') AS id", "id", nil},
		{"state", "SELECT state_desc FROM sys.databases WHERE name = N'MGC'", "state_desc", "RESTORING"},
		{"bracketed names", "SELECT [d].[state_desc] FROM [master].[sys].[databases] AS [d] WHERE [d].[name] = 'mgccomp'", "state_desc", "ONLINE"},
		{"count", "SELECT COUNT(*) AS n FROM sys.databases WHERE database_id > 4", "n", int64(2)},
		{"in list", "SELECT COUNT(*) AS n FROM sys.databases WHERE name IN (N'mgc', N'mgccomp', N'x')", "n", int64(2)},
		{"like", "SELECT COUNT(*) AS n FROM sys.databases WHERE name LIKE N'mgc%'", "n", int64(2)},
		{"standby flag", "SELECT is_in_standby FROM sys.databases WHERE name = N'mgc'", "is_in_standby", false},
		{"user access", "SELECT user_access_desc FROM sys.databases WHERE name = N'mgc'", "user_access_desc", "MULTI_USER"},
		{"msdb job", "SELECT name FROM msdb.dbo.sysjobs WHERE name LIKE N'LSRestore%'", "name", "LSRestore_DC1-SQL01_mgc"},
		{"msdb from msdb", "SELECT TOP (1) secondary_database FROM msdb..log_shipping_secondary_databases", "secondary_database", "mgc"},
		{"sysprocesses", "SELECT COUNT(*) AS n FROM sys.sysprocesses WHERE spid = @@SPID", "n", int64(1)},
		{"version", "SELECT SERVERPROPERTY('ProductVersion') AS v", "v", "12.0.6024.0"},
		{"top by alias", "SELECT TOP (1) database_id AS id FROM sys.databases ORDER BY id DESC", "id", int64(6)},
		{"top by hidden column", "SELECT TOP 1 name FROM sys.databases ORDER BY database_id DESC", "name", "mgccomp"},
		{"numeric compare", "SELECT COUNT(*) AS n FROM sys.master_files WHERE redo_start_lsn > 0", "n", int64(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := run(t, in, s, tt.sql)
			if got := cell(t, w, 0, tt.col); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.col, got, tt.want)
			}
		})
	}
}

func TestSelectRestorePointAsNumeric(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	w := run(t, in, s, `SELECT d.name, d.state_desc, d.is_in_standby, d.user_access_desc, d.recovery_model_desc,
       mf.redo_start_lsn, mf.redo_start_fork_guid
FROM sys.databases AS d
LEFT JOIN sys.master_files AS mf ON mf.database_id = d.database_id AND mf.file_id = 1
WHERE d.name = N'mgc'`)
	want := in.st.database("mgc").Restore.RedoStartLSN.String()
	if got := cell(t, w, 0, "redo_start_lsn"); got != want {
		t.Errorf("redo_start_lsn = %v, want %s", got, want)
	}
	if c := w.results[0].Columns[5]; c.Type != tds.TypeNumeric || c.Precision != 25 {
		t.Errorf("redo_start_lsn column = %+v, want NUMERIC(25,0)", c)
	}
	if want == "0" {
		t.Error("the restoring database has no restore point")
	}
}

func TestSelectSnapshotJoin(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	w := &recWriter{}
	in.RPC(t.Context(), s, "sp_executesql", []tds.Param{
		{Type: tds.TypeNVarChar, Value: logship.SnapshotQuery + ";"},
		{Type: tds.TypeNVarChar, Value: "@db nvarchar(3)"},
		{Name: "@db", Type: tds.TypeNVarChar, Value: "mgc"},
	}, w)
	checks := map[string]any{
		"primary_server":               "DC1-SQL01",
		"backup_source_directory":      `\\DC1-FS01\LSBackup`,
		"backup_destination_directory": `D:\LSCopy\mgc`,
		"copy_job_name":                "LSCopy_DC1-SQL01_mgc",
		"restore_job_name":             "LSRestore_DC1-SQL01_mgc",
		"restore_mode":                 false,
	}
	for col, want := range checks {
		if got := cell(t, w, 0, col); got != want {
			t.Errorf("%s = %#v, want %#v", col, got, want)
		}
	}
	if len(w.results[0].Rows) != 1 || len(w.results[0].Columns) != 20 {
		t.Errorf("got %d rows × %d columns, want 1 × 20", len(w.results[0].Rows), len(w.results[0].Columns))
	}
}

func TestSelectErrors(t *testing.T) {
	tl := newTestLab(t, DefaultConfig())
	in := tl.backup()
	s := open(in, 51, "master")
	tests := []struct {
		name string
		sql  string
		want int32
	}{
		// The lab knows only some objects, columns and functions: a name it
		// lacks may be real, so it says so instead of 207, 208 or 195.
		{"unknown column with no rows", "SELECT nme FROM sys.databases WHERE 1 = 0", UnsupportedNumber},
		{"real column the lab lacks", "SELECT d.page_verify_option FROM sys.databases AS d", UnsupportedNumber},
		{"real view the lab lacks", "SELECT name FROM sys.objects", UnsupportedNumber},
		{"real DMV the lab lacks", "SELECT encrypt_option FROM sys.dm_exec_connections WHERE session_id = @@SPID", UnsupportedNumber},
		{"real msdb table the lab lacks", "SELECT backup_set_id FROM msdb.dbo.backupfile", UnsupportedNumber},
		// The lab's views have only the columns the actions use: SELECT *
		// would answer with fewer columns than SQL Server.
		{"SELECT *", "SELECT * FROM sys.databases", UnsupportedNumber},
		{"SELECT alias.*", "SELECT d.* FROM sys.databases AS d", UnsupportedNumber},
		{"SELECT * of no table", "SELECT *", UnsupportedNumber},
		{"unknown DATABASEPROPERTYEX property", "SELECT DATABASEPROPERTYEX(N'mgc', 'IsAutoShrink')", UnsupportedNumber},
		{"unknown property, no such database", "SELECT DATABASEPROPERTYEX(N'nosuch', 'IsAutoShrink')", UnsupportedNumber},
		{"unknown property in WHERE with no rows", "SELECT name FROM sys.databases WHERE 1 = 0 AND DATABASEPROPERTYEX(name, 'Collation') = N'x'", UnsupportedNumber},
		{"unknown SERVERPROPERTY property", "SELECT SERVERPROPERTY('IsFullTextInstalled')", UnsupportedNumber},
		{"undeclared variable", "SELECT @x", 137},
		{"assignment of an undeclared variable", "SELECT @x = 1", 137},
		{"assignment mixed with retrieval", "DECLARE @x int; SELECT @x = 1, 2 AS y", 141},
		{"three-part name in a restoring database", "SELECT name FROM mgc.sys.databases", 927},
		{"three-part name in a missing database", "SELECT name FROM nosuch.sys.master_files", 911},
		{"real function the lab lacks", "SELECT NEWID()", UnsupportedNumber},
		{"ambiguous column", "SELECT name FROM sys.databases AS a JOIN sys.databases AS b ON a.database_id = b.database_id", 209},
		{"conversion", "SELECT 1 WHERE N'abc' = 1", 245},
		{"SET of a string that is no int", "DECLARE @n int; SET @n = N'abc'", 245},
		{"numeric overflow", "SELECT CAST(12345 AS numeric(4,0))", 8115},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := run(t, in, s, tt.sql)
			if got := w.errorNumbers(); len(got) != 1 || got[0] != tt.want {
				t.Fatalf("errors = %v, want [%d]", got, tt.want)
			}
			if tt.want == UnsupportedNumber && !strings.Contains(w.errors[0].Text, "does not support this statement") {
				t.Errorf("message %q does not say the lab does not support it", w.errors[0].Text)
			}
			if len(w.results) != 0 {
				t.Errorf("a failed SELECT sent %d result sets", len(w.results))
			}
		})
	}
}

func TestSessionsQueryFindsUsersOfDatabase(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 2}
	tl := newTestLab(t, cfg)
	in := tl.backup()
	me := open(in, 51, "master")
	open(in, 52, "mgccomp")
	w := run(t, in, me, `SELECT s.session_id, s.login_name, s.host_name, s.program_name, s.status
FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(N'mgc') AND s.is_user_process = 1 AND s.session_id <> @@SPID
UNION
SELECT l.request_session_id, NULL, NULL, NULL, NULL
FROM sys.dm_tran_locks AS l
WHERE l.resource_database_id = DB_ID(N'mgc') AND l.request_session_id <> @@SPID
ORDER BY session_id`)
	if len(w.errors) > 0 {
		t.Fatalf("errors: %v", w.errors)
	}
	var ids []any
	for _, r := range w.results[0].Rows {
		ids = append(ids, r[0])
	}
	// mgc is RESTORING: nobody is inside it, the lock holders sit in
	// master and show only in sys.dm_tran_locks.
	want := []any{int64(300), int64(301)}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("session ids = %v, want %v", ids, want)
	}
}

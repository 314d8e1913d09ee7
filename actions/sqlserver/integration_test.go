package sqlserver_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/journaltest"
)

// realServer is a scratch setup on a real SQL Server: a database with a
// full and two log backups, restored as a second database WITH
// NORECOVERY (one log applied) and as a third WITH STANDBY.
type realServer struct {
	env                *actions.Env
	src, sec, stb      string
	full, log1, log2   string
	dataDir, sep, undo string
}

// TestRealSQLServer runs the SQL actions against the SQL Server that
// FAILOVER_TEST_MSSQL names (a go-mssqldb DSN of a sysadmin login; see
// docs/sqlserver.md for a local container).
func TestRealSQLServer(t *testing.T) {
	dsn := os.Getenv("FAILOVER_TEST_MSSQL")
	if dsn == "" {
		t.Skip("FAILOVER_TEST_MSSQL is not set: no real SQL Server to test against (docs/sqlserver.md says how to run one)")
	}
	rs := setUpRealServer(t, dsn)
	env := rs.env
	withLog(env)

	t.Run("states", func(t *testing.T) {
		for db, want := range map[string]string{rs.src: "ONLINE", rs.sec: "RESTORING", rs.stb: "STANDBY"} {
			if res, err := check(t, env, "db.state", map[string]any{"database": db, "state": want}); err != nil || !res.OK {
				t.Errorf("%s: %+v, %v", db, res, err)
			}
		}
		res, err := check(t, env, "sql.check", map[string]any{
			"query":  "SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(@db) AND file_id = 1",
			"params": map[string]any{"db": rs.sec}, "expect": map[string]any{"gt": int64(0)}})
		if err != nil || !res.OK {
			t.Errorf("redo_start_lsn: %+v, %v", res, err)
		}
	})
	t.Run("a log applied twice: 4326 before 3013", func(t *testing.T) {
		_, err := run(t, env, "sql.exec", map[string]any{"script": "RESTORE LOG " + mustQuote(t, rs.sec) + " FROM DISK = @f WITH NORECOVERY",
			"params": map[string]any{"f": rs.log1}})
		if got := sqlserver.Numbers(err); len(got) < 2 || got[0] != 4326 || got[len(got)-1] != 3013 || actions.ClassOf(err) != actions.Permanent {
			t.Errorf("numbers %v (%s): %v", got, actions.ClassOf(err), err)
		}
	})
	t.Run("messages and errors of a script", func(t *testing.T) {
		out, err := run(t, env, "sql.exec", map[string]any{"script": "PRINT 'one'\nRAISERROR('two', 10, 1)\nGO\nSELECT @n + 1 AS n", "params": map[string]any{"n": int64(1)}})
		if err != nil || out["n"] != int64(2) || fmt.Sprint(out["messages"]) != "[one two]" {
			t.Errorf("outputs %v, %v", out, err)
		}
		_, err = run(t, env, "sql.exec", map[string]any{"script": "RAISERROR('bad', 16, 1)"})
		if !sqlserver.Has(err, 50000) {
			t.Errorf("RAISERROR 16: %v", err)
		}
	})
	t.Run("recover a restoring database", func(t *testing.T) {
		if pr := probe(t, env, "db.kill_sessions", map[string]any{"database": rs.sec}); pr.State != actions.ProbeDone {
			t.Errorf("kill_sessions probe: %+v", pr)
		}
		if in := inspect(t, env, "db.recover", map[string]any{"database": rs.sec}); in.Change != actions.ChangeSome {
			t.Errorf("inspect: %+v", in)
		}
		out, err := run(t, env, "db.recover", map[string]any{"database": rs.sec})
		if err != nil || out["state"] != "ONLINE" || out["already_online"] != false {
			t.Fatalf("recover: %v, %v", out, err)
		}
		if pr := probe(t, env, "db.recover", map[string]any{"database": rs.sec}); pr.State != actions.ProbeDone {
			t.Errorf("probe after: %+v", pr)
		}
		res, err := check(t, env, "sql.check", map[string]any{"query": "SELECT COUNT(*) FROM dbo.t", "database": rs.sec, "expect": int64(2)})
		if err != nil || !res.OK {
			t.Errorf("rows after recovery: %+v, %v", res, err)
		}
	})
	t.Run("recover a database in standby with a reader", func(t *testing.T) {
		tg := &targets.SQLServer{DSN: dsn, ConnectTimeout: 30 * time.Second, AppName: "it"}
		readerDB, err := sql.Open("sqlserver", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer readerDB.Close()
		reader, err := readerDB.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer reader.Close()
		if _, err := reader.ExecContext(context.Background(), "USE "+mustQuote(t, rs.stb)); err != nil {
			t.Fatal(err)
		}
		env2 := sqltest.Env(t, "it_sql", tg)
		withLog(env2)
		j := &journaltest.Journal{}
		env2.Journal = j
		out, err := run(t, env2, "db.recover", map[string]any{"database": rs.stb})
		if err != nil || out["state"] != "ONLINE" || out["user_access"] != "MULTI_USER" || j.Count() < 2 {
			t.Errorf("recover: %v, %v (%d checkpoints)", out, err, j.Count())
		}
	})
	t.Run("log shipping not configured", func(t *testing.T) {
		out, err := run(t, env, "logship.remove", map[string]any{"database": rs.src, "backup_source_directory": `\\nowhere\share`})
		if err != nil || out["already_removed"] != true || out["backup_source_directory"] != `\\nowhere\share` {
			t.Errorf("logship.remove: %v, %v", out, err)
		}
	})
}

// setUpRealServer creates the scratch databases and backups; they are
// dropped when the test ends (the backup files stay in the server's
// backup folder, named failover_it_*).
func setUpRealServer(t *testing.T, dsn string) *realServer {
	t.Helper()
	rs := &realServer{env: sqltest.Env(t, "it_sql", &targets.SQLServer{DSN: dsn, ConnectTimeout: 30 * time.Second})}
	p := pool(t, rs.env)
	ctx := context.Background()
	id := fmt.Sprintf("failover_it_%d", time.Now().UnixNano()%1_000_000_000)
	rs.src, rs.sec, rs.stb = id, id+"_sec", id+"_stb"
	var master string
	if err := p.DB().QueryRowContext(ctx, "SELECT physical_name FROM sys.master_files WHERE database_id = 1 AND file_id = 1").Scan(&master); err != nil {
		t.Fatal(err)
	}
	rs.sep = "/"
	if strings.Contains(master, `\`) {
		rs.sep = `\`
	}
	rs.dataDir = master[:strings.LastIndex(master, rs.sep)]
	rs.full, rs.log1, rs.log2 = rs.file(id+".bak"), rs.file(id+"_1.trn"), rs.file(id+"_2.trn")
	rs.undo = rs.file(rs.stb + ".tuf")
	t.Cleanup(func() { rs.drop(t) })
	src := mustQuote(t, rs.src)
	rs.exec(t, "CREATE DATABASE "+src)
	rs.exec(t, "ALTER DATABASE "+src+" SET RECOVERY FULL")
	rs.exec(t, "CREATE TABLE "+src+".dbo.t (n int NOT NULL)")
	rs.exec(t, "INSERT INTO "+src+".dbo.t VALUES (1)")
	rs.exec(t, "BACKUP DATABASE "+src+" TO DISK = @f WITH INIT, FORMAT", sql.Named("f", rs.full))
	rs.exec(t, "INSERT INTO "+src+".dbo.t VALUES (2)")
	rs.exec(t, "BACKUP LOG "+src+" TO DISK = @f WITH INIT, FORMAT", sql.Named("f", rs.log1))
	rs.exec(t, "INSERT INTO "+src+".dbo.t VALUES (3)")
	rs.exec(t, "BACKUP LOG "+src+" TO DISK = @f WITH INIT, FORMAT", sql.Named("f", rs.log2))
	rs.restoreCopy(t, rs.sec, "NORECOVERY")
	rs.restoreCopy(t, rs.stb, "STANDBY = @undo")
	return rs
}

// restoreCopy restores the full backup as db (its files moved beside
// the source's) and the first log backup, leaving it as with says.
func (rs *realServer) restoreCopy(t *testing.T, db, with string) {
	t.Helper()
	rows, err := pool(t, rs.env).DB().QueryContext(context.Background(), "SELECT name, type FROM sys.master_files WHERE database_id = DB_ID(@db)", sql.Named("db", rs.src))
	if err != nil {
		t.Fatal(err)
	}
	args := []any{sql.Named("f", rs.full), sql.Named("undo", rs.undo)}
	var moves []string
	for i := 0; rows.Next(); i++ {
		var name string
		var typ int64
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		ext := ".mdf"
		if typ == 1 {
			ext = ".ldf"
		}
		args = append(args, sql.Named(fmt.Sprintf("l%d", i), name), sql.Named(fmt.Sprintf("p%d", i), rs.file(fmt.Sprintf("%s_%d%s", db, i, ext))))
		moves = append(moves, fmt.Sprintf("MOVE @l%d TO @p%d", i, i))
	}
	rows.Close()
	q := mustQuote(t, db)
	rs.exec(t, "RESTORE DATABASE "+q+" FROM DISK = @f WITH "+strings.Join(moves, ", ")+", "+with, args...)
	rs.exec(t, "RESTORE LOG "+q+" FROM DISK = @f WITH "+with, sql.Named("f", rs.log1), sql.Named("undo", rs.undo))
}

func (rs *realServer) file(name string) string { return rs.dataDir + rs.sep + name }

func (rs *realServer) exec(t *testing.T, text string, args ...any) {
	t.Helper()
	if _, err := pool(t, rs.env).DB().ExecContext(context.Background(), text, args...); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
}

// drop removes the scratch databases, whatever state they are in.
func (rs *realServer) drop(t *testing.T) {
	db := pool(t, rs.env).DB()
	for _, name := range []string{rs.sec, rs.stb, rs.src} {
		q := mustQuote(t, name)
		_, _ = db.Exec("ALTER DATABASE " + q + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE")
		if _, err := db.Exec("IF DB_ID(@n) IS NOT NULL DROP DATABASE "+q, sql.Named("n", name)); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	}
}

func mustQuote(t *testing.T, name string) string {
	t.Helper()
	q, err := sqlserver.QuoteName(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

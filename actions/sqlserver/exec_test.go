package sqlserver_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

func TestExecRunsBatchesAndLogsMessages(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	log := withLog(env)
	out, err := run(t, env, "sql.exec", map[string]any{"script": "PRINT 'checking ' + @db\nGO\n" +
		"SELECT name AS db, state_desc AS state FROM sys.databases WHERE name = @db\ngo 2\n" +
		"PRINT N'done: Grüße'\n", "params": map[string]any{"db": "mgc"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"db": "mgc", "state": "RESTORING", "batches": int64(4), "rows_affected": int64(2),
		"messages": []any{"checking mgc", "done: Grüße"}}
	if !reflect.DeepEqual(out, want) {
		t.Errorf("outputs = %#v\nwant %#v", out, want)
	}
	logged := log.String()
	for _, w := range []string{`"step":"s1"`, `"batch":1`, `"message":"checking mgc"`, `"batch":4`, `"message":"done: Grüße"`} {
		if !strings.Contains(logged, w) {
			t.Errorf("the log lacks %s:\n%s", w, logged)
		}
	}
}

// TestExecParamsAreNeverSpliced: a value that would break out of a
// string literal arrives as a parameter, literally.
func TestExecParamsAreNeverSpliced(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	evil := "x'; ALTER DATABASE [mgc] SET SINGLE_USER; --"
	mark := l.Mark(t)
	out, err := run(t, env, "sql.exec", map[string]any{"script": "SELECT @v AS v, @n + 1 AS n, @b AS b, @z AS z",
		"params": map[string]any{"@v": evil, "n": int64(41), "b": true, "z": nil}})
	if err != nil {
		t.Fatal(err)
	}
	if out["v"] != evil || out["n"] != int64(42) || out["b"] != true || out["z"] != nil {
		t.Errorf("outputs = %#v", out)
	}
	stmts := withoutLogins(l.Since(t, mark))
	if len(stmts) != 1 || stmts[0].Kind != "rpc" || rpcStatement(stmts[0].Text) != "SELECT @v AS v, @n + 1 AS n, @b AS b, @z AS z" {
		t.Fatalf("sent %+v, want one sp_executesql with the text unchanged", stmts)
	}
	assertReadOnly(t, stmts)
}

func TestExecErrors(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	tests := []struct {
		name   string
		with   map[string]any
		class  actions.Class
		nums   []int32
		prefix string
	}{
		{name: "the cause of a RESTORE failure, not 3013", with: map[string]any{"script": "PRINT 'a'\nGO\nRESTORE DATABASE @db WITH RECOVERY", "params": map[string]any{"db": "mgccomp"}},
			class: actions.Permanent, nums: []int32{3153, 3013}, prefix: "batch 2 of 2 (RESTORE DATABASE @db WITH RECOVERY) on backup_sql: mssql: "},
		{name: "no such database", with: map[string]any{"script": "SELECT 1", "database": "nosuch"},
			class: actions.Permanent, nums: []int32{911}, prefix: "use database nosuch on backup_sql: "},
		{name: "a restore in a transaction", with: map[string]any{"script": "RESTORE DATABASE mgc WITH RECOVERY", "transaction": true},
			class: actions.Permanent, nums: []int32{3021, 3013}, prefix: "batch 1 of 1 (RESTORE DATABASE mgc WITH RECOVERY), transaction rolled back on backup_sql: "},
		{name: "what the lab does not simulate", with: map[string]any{"script": "SELECT * FROM sys.objects"},
			class: actions.Unknown, nums: []int32{lab.UnsupportedNumber}, prefix: "batch 1 of 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, l.Env(t, "BACKUP"), "sql.exec", tt.with)
			if err == nil {
				t.Fatal("no error")
			}
			if c := actions.ClassOf(err); c != tt.class {
				t.Errorf("class = %s, want %s", c, tt.class)
			}
			if got := sqlserver.Numbers(err); !equal(got, tt.nums) {
				t.Errorf("numbers = %v, want %v", got, tt.nums)
			}
			if !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Errorf("err = %v\nwant prefix %q", err, tt.prefix)
			}
		})
	}
}

func TestExecTransaction(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	for _, tx := range []bool{false, true} {
		out, err := run(t, env, "sql.exec", map[string]any{"script": "SELECT @@TRANCOUNT AS trancount", "transaction": tx})
		if err != nil {
			t.Fatal(err)
		}
		want := int64(0)
		if tx {
			want = 1
		}
		if out["trancount"] != want {
			t.Errorf("transaction %v: @@TRANCOUNT = %v, want %d", tx, out["trancount"], want)
		}
	}
}

func TestExecFileRelativeToThePlan(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	dir := t.TempDir()
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune("SELECT N'Grüße' AS greeting\r\nGO\r\nSELECT @@SERVERNAME AS server\r\n")) {
		utf16le = binary.LittleEndian.AppendUint16(utf16le, u)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sql"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sql", "ssms.sql"), utf16le, 0o644); err != nil {
		t.Fatal(err)
	}
	env := l.Env(t, "BACKUP")
	env.PlanDir = dir
	out, err := run(t, env, "sql.exec", map[string]any{"file": "sql/ssms.sql"})
	if err != nil {
		t.Fatal(err)
	}
	if out["server"] != "DC2-SQL01" || out["batches"] != int64(2) {
		t.Errorf("outputs = %v", out)
	}
	_, err = run(t, env, "sql.exec", map[string]any{"file": "sql/missing.sql"})
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), filepath.Join(dir, "sql", "missing.sql")) {
		t.Errorf("missing file: %v", err)
	}
}

// TestExecRetriesThroughFaults drives the engine's retry loop by hand:
// a deadlock twice, then success; a dropped connection, then success.
func TestExecRetriesThroughFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    lab.Fault
		attempts int
	}{
		{name: "deadlock victim twice", fault: lab.Fault{Instance: "BACKUP", Match: `SELECT @@SERVERNAME`, Kind: lab.FaultError, Error: 1205, Times: 2}, attempts: 3},
		{name: "connection dropped mid-step", fault: lab.Fault{Instance: "BACKUP", Match: `SELECT @@SERVERNAME`, Kind: lab.FaultDrop}, attempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sqltest.Start(t, lab.DefaultConfig())
			l.Inject(t, tt.fault)
			env := l.Env(t, "BACKUP")
			var out map[string]any
			attempts, err := retry(5, func() error {
				var err error
				out, err = run(t, env, "sql.exec", map[string]any{"script": "PRINT 'before'\nGO\nSELECT @@SERVERNAME AS server"})
				return err
			})
			if err != nil || attempts != tt.attempts || out["server"] != "DC2-SQL01" {
				t.Errorf("after %d attempts: %v, %v; want success at attempt %d", attempts, out, err, tt.attempts)
			}
		})
	}
}

// retry is the engine's policy in small: another attempt while the
// error is retryable.
func retry(max int, attempt func() error) (int, error) {
	var err error
	for n := 1; n <= max; n++ {
		if err = attempt(); err == nil || actions.ClassOf(err) != actions.Retryable {
			return n, err
		}
	}
	return max, err
}

func TestExecStatementTimeout(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	_, err := run(t, env, "sql.exec", map[string]any{"script": "WAITFOR DELAY '00:01:00'", "statement_timeout": "100ms"})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "took longer than statement_timeout 100ms") {
		t.Fatalf("err = %v", err)
	}
	if actions.ClassOf(err) != actions.Retryable {
		t.Errorf("class = %s", actions.ClassOf(err))
	}
	// The session was told to stop: the pool still works.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pool(t, env).DB().PingContext(ctx); err != nil {
		t.Error(err)
	}
}

func TestExecValidate(t *testing.T) {
	tests := []struct {
		name string
		with map[string]any
		err  string
	}{
		{name: "neither", with: map[string]any{}, err: "give script (T-SQL inline) or file (a .sql file)"},
		{name: "both", with: map[string]any{"script": "SELECT 1", "file": "a.sql"}, err: "script and file exclude each other"},
		{name: "only GO", with: map[string]any{"script": "GO\n  \nGO\n"}, err: "script holds no T-SQL"},
		{name: "bad param name", with: map[string]any{"script": "SELECT 1", "params": map[string]any{"a-b": 1}}, err: `params: "a-b" is not a parameter name`},
		{name: "param twice", with: map[string]any{"script": "SELECT 1", "params": map[string]any{"db": "a", "@DB": "b"}}, err: "params: @db is given twice"},
		{name: "list param", with: map[string]any{"script": "SELECT 1", "params": map[string]any{"l": []any{"a"}}}, err: "params: @l: want a string, number, boolean or null"},
		{name: "database with NUL", with: map[string]any{"script": "SELECT 1", "database": "a\x00"}, err: "database: name"},
		{name: "negative timeout", with: map[string]any{"script": "SELECT 1", "statement_timeout": "-1s"}, err: `parameter "statement_timeout"`},
	}
	tt0 := typ(t, "sql.exec")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt0.Decode(tt.with)
			if err == nil {
				err = tt0.Validate(p)
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestExecPreview(t *testing.T) {
	env := &actions.Env{Mode: actions.ModePreview}
	p := decode(t, "sql.exec", map[string]any{"script": "PRINT @msg\nGO\nALTER LOGIN x WITH PASSWORD = @pw\n",
		"database": "mgc]x", "transaction": true, "params": map[string]any{"msg": "it's", "pw": "(secret)", "n": int64(3)}})
	got, err := typ(t, "sql.exec").Preview(env, p)
	if err != nil {
		t.Fatal(err)
	}
	want := "-- in one transaction, 2 batch(es)\nUSE [mgc]]x];\nGO\n-- parameters: @msg = N'it''s'\nPRINT @msg\nGO\n" +
		"-- parameters: @pw = N'(secret)'\nALTER LOGIN x WITH PASSWORD = @pw\n"
	if got != want {
		t.Errorf("preview:\n%s\nwant:\n%s", got, want)
	}
}

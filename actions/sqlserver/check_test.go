package sqlserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// check evaluates a check once.
func check(t *testing.T, env *actions.Env, name string, with map[string]any) (actions.Result, error) {
	t.Helper()
	return typ(t, name).Check(context.Background(), env, decode(t, name, with))
}

func TestSQLCheck(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	env := l.Env(t, "BACKUP")
	stateQuery := "SELECT state_desc FROM sys.databases WHERE name = @db"
	lsnQuery := "SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(@db) AND file_id = 1"
	tests := []struct {
		name   string
		with   map[string]any
		ok     bool
		detail string
	}{
		{name: "equals", with: map[string]any{"query": stateQuery, "params": map[string]any{"db": "mgc"}, "expect": "RESTORING"},
			ok: true, detail: `got "RESTORING", as expected ("RESTORING")`},
		{name: "equals fails", with: map[string]any{"query": stateQuery, "params": map[string]any{"db": "mgccomp"}, "expect": "RESTORING"},
			detail: `expected "RESTORING", got "ONLINE"`},
		{name: "one of", with: map[string]any{"query": stateQuery, "params": map[string]any{"db": "reports"}, "expect": []any{"RESTORING", "ONLINE"}},
			ok: true},
		{name: "matches", with: map[string]any{"query": "SELECT @@SERVERNAME", "expect": map[string]any{"matches": "^DC2-"}}, ok: true},
		{name: "numeric comparison on a 22-digit LSN", with: map[string]any{"query": lsnQuery, "params": map[string]any{"db": "mgc"},
			"expect": map[string]any{"gt": "1000000000000000000000"}}, ok: true},
		{name: "numeric comparison fails", with: map[string]any{"query": "SELECT COUNT(*) FROM sys.databases", "expect": map[string]any{"lt": int64(2)}},
			detail: "expected < 2, got 8"},
		{name: "row count", with: map[string]any{"query": "SELECT name FROM sys.databases WHERE database_id > 4", "expect": map[string]any{"count": int64(4)}},
			ok: true},
		{name: "no row where one is wanted", with: map[string]any{"query": stateQuery, "params": map[string]any{"db": "nosuch"}, "expect": "ONLINE"},
			detail: `expected one row ("ONLINE"), got no rows`},
		{name: "omitted expect: some row", with: map[string]any{"query": stateQuery, "params": map[string]any{"db": "nosuch"}},
			detail: "expected ≥ 1 rows, got 0"},
		{name: "null", with: map[string]any{"query": lsnQuery, "params": map[string]any{"db": "mgccomp"}, "expect": map[string]any{"equals": nil}}, ok: true},
		{name: "in another database", with: map[string]any{"query": "SELECT DB_NAME()", "database": "mgccomp", "expect": "mgccomp"}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := check(t, env, "sql.check", tt.with)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || tt.detail != "" && res.Detail != tt.detail {
				t.Errorf("result = %v %q, want %v %q", res.OK, res.Detail, tt.ok, tt.detail)
			}
		})
	}
}

func TestSQLCheckErrors(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	env := l.Env(t, "BACKUP")
	_, err := check(t, env, "sql.check", map[string]any{"query": "SELECT 1", "database": "mgc"})
	if err == nil || !strings.HasPrefix(err.Error(), "use database mgc on backup_sql: ") || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("a restoring database: %v (%s)", err, actions.ClassOf(err))
	}
	_, err = check(t, env, "sql.check", map[string]any{"query": "PRINT 'not a query'"})
	if err == nil || !strings.HasSuffix(err.Error(), "run the query on backup_sql: the query returned no result set") {
		t.Errorf("a batch without a result set: %v", err)
	}
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: "SELECT 2", Kind: lab.FaultError, Error: 1205})
	_, err = check(t, env, "sql.check", map[string]any{"query": "SELECT 2"})
	if actions.ClassOf(err) != actions.Retryable {
		t.Errorf("a deadlock: %v (%s)", err, actions.ClassOf(err))
	}
}

func TestSQLCheckValidate(t *testing.T) {
	tests := []struct {
		name string
		with map[string]any
		err  string
	}{
		{name: "two batches", with: map[string]any{"query": "SELECT 1\nGO\nSELECT 2"}, err: "query holds 2 batches"},
		{name: "bad expect", with: map[string]any{"query": "SELECT 1", "expect": map[string]any{"greater": 1}}, err: "expect greater: unknown rule"},
		{name: "bad regexp", with: map[string]any{"query": "SELECT 1", "expect": map[string]any{"matches": "("}}, err: "expect matches"},
		{name: "zero timeout", with: map[string]any{"query": "SELECT 1", "timeout": "0s"}, err: "timeout must be positive"},
	}
	tt0 := typ(t, "sql.check")
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

func TestSQLCheckPreview(t *testing.T) {
	p := decode(t, "sql.check", map[string]any{"query": "SELECT state_desc FROM sys.databases WHERE name = @db",
		"params": map[string]any{"db": "${vars.database}"}, "expect": []any{"RESTORING", "STANDBY"}})
	got, err := typ(t, "sql.check").Preview(&actions.Env{Mode: actions.ModePreview}, p)
	if err != nil {
		t.Fatal(err)
	}
	want := "-- expect one of [\"RESTORING\", \"STANDBY\"]\n-- parameters: @db = N'${vars.database}'\nSELECT state_desc FROM sys.databases WHERE name = @db\n"
	if got != want {
		t.Errorf("preview:\n%s\nwant:\n%s", got, want)
	}
}

func TestDBState(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	env := l.Env(t, "BACKUP")
	tests := []struct {
		name   string
		with   map[string]any
		ok     bool
		detail string
	}{
		{name: "restoring", with: map[string]any{"database": "mgc", "state": "RESTORING"}, ok: true},
		{name: "one of, lower case", with: map[string]any{"database": "mgc", "state": []any{"standby", "restoring"}}, ok: true},
		{name: "standby is not online", with: map[string]any{"database": "reports", "state": "ONLINE"},
			detail: "reports is STANDBY (redo from LSN 0), want ONLINE"},
		{name: "standby", with: map[string]any{"database": "reports", "state": "STANDBY"}, ok: true},
		{name: "offline", with: map[string]any{"database": "archive", "state": []any{"RESTORING", "STANDBY"}},
			detail: "archive is OFFLINE, want RESTORING or STANDBY"},
		{name: "missing", with: map[string]any{"database": "nosuch", "state": "ONLINE"},
			detail: "database nosuch does not exist, want ONLINE"},
		{name: "name that would break out", with: map[string]any{"database": "mgc'; DROP DATABASE mgc; --", "state": "ONLINE"},
			detail: "database mgc'; DROP DATABASE mgc; -- does not exist, want ONLINE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := check(t, env, "db.state", tt.with)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.ok || tt.detail != "" && res.Detail != tt.detail {
				t.Errorf("result = %v %q, want %v %q", res.OK, res.Detail, tt.ok, tt.detail)
			}
		})
	}
	res, _ := check(t, env, "db.state", map[string]any{"database": "mgc", "state": "RESTORING"})
	if lsn, _ := res.Outputs["redo_start_lsn"].(string); len(lsn) < 16 || !strings.HasPrefix(res.Detail, "mgc is RESTORING (redo from LSN "+lsn) {
		t.Errorf("detail %q, outputs %v: want the redo LSN", res.Detail, res.Outputs)
	}
}

func TestDBStateValidate(t *testing.T) {
	tt0 := typ(t, "db.state")
	for _, tt := range []struct {
		with map[string]any
		err  string
	}{
		{map[string]any{"database": "mgc", "state": "RESTORED"}, `state: "RESTORED" is not a database state`},
		{map[string]any{"database": "mgc", "state": []any{}}, "state: the list is empty"},
		{map[string]any{"database": "mgc", "state": int64(1)}, "state: want a state"},
		{map[string]any{"database": "", "state": "ONLINE"}, "database: name must not be empty"},
	} {
		p, err := tt0.Decode(tt.with)
		if err == nil {
			err = tt0.Validate(p)
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%v: err = %v, want %q", tt.with, err, tt.err)
		}
	}
}

package sqlserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// odd is a database that exists, in STANDBY with a reader inside, whose
// name tries to end the bracket quoting.
const odd = "odd]; DROP DATABASE mgccomp; --"

// injections are names that try to break out of a parameter, a string
// literal or a bracket-quoted name.
var injections = []string{
	"mgc]; DROP DATABASE mgccomp; --",
	"mgc'; DROP DATABASE mgccomp; --",
	"mgc\"; DROP DATABASE mgccomp; --",
	"[mgc]",
	"mgc]]; KILL 1; --",
}

// TestNamesArriveLiterally sends each injection through every name
// parameter of every action and check: the statement log shows each
// arriving as a parameter value or inside one bracket-quoted name, and
// no statement of its own ran.
func TestNamesArriveLiterally(t *testing.T) {
	cfg := labConfig()
	for i := range cfg.Instances {
		if cfg.Instances[i].Name == "BACKUP" {
			cfg.Instances[i].Databases = append(cfg.Instances[i].Databases, lab.DatabaseConfig{Name: odd, State: "STANDBY"})
		}
	}
	cfg.Scenario.UserSessions = lab.UserSessions{Count: 1, Database: odd}
	l := sqltest.Start(t, cfg)
	env := l.Env(t, "BACKUP")
	withLog(env)
	quoted := func(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }
	for _, name := range append(injections, odd) {
		calls := []struct {
			typ  string
			with map[string]any
			// sent is how the name must appear in the log.
			sent string
		}{
			{"db.state", map[string]any{"database": name, "state": "ONLINE"}, "@db=" + sqlString(name)},
			{"sql.check", map[string]any{"query": "SELECT 1", "database": name}, "USE " + quoted(name)},
			{"sql.exec", map[string]any{"script": "SELECT 1", "database": name}, "USE " + quoted(name)},
			{"db.recover", map[string]any{"database": name}, "@db=" + sqlString(name)},
			{"db.kill_sessions", map[string]any{"database": name}, "@db=" + sqlString(name)},
			{"logship.remove", map[string]any{"database": name}, "@db=" + sqlString(name)},
		}
		for _, c := range calls {
			mark := l.Mark(t)
			call(t, env, c.typ, c.with)
			stmts := l.Since(t, mark)
			if !sentAsIs(stmts, c.sent) {
				t.Errorf("%s with %q: the log does not show %q:\n%s", c.typ, name, c.sent, texts(stmts))
			}
			for _, s := range stmts {
				if text := strings.TrimSpace(s.Text); s.Kind == "batch" && (strings.HasPrefix(text, "DROP") || text == "KILL 1") {
					t.Errorf("%s with %q ran a statement of its own: %s", c.typ, name, s.Text)
				}
			}
		}
	}
	// db.recover on the odd database quoted it in ALTER DATABASE.
	if indexOf(l.Statements(t), "ALTER DATABASE "+quoted(odd)+" SET SINGLE_USER WITH ROLLBACK IMMEDIATE") < 0 {
		t.Error("db.recover did not quote the odd name in ALTER DATABASE")
	}
	if st, _ := sqlserver.ReadDatabaseState(context.Background(), l.DB(t, "BACKUP"), "mgccomp"); !st.Exists {
		t.Error("mgccomp was dropped")
	}
	if st, _ := sqlserver.ReadDatabaseState(context.Background(), l.DB(t, "BACKUP"), odd); !st.Recovered() || st.UserAccess != "MULTI_USER" {
		t.Errorf("the odd database: %s", st)
	}
}

// call runs an action or evaluates a check, ignoring the outcome: what
// matters is what was sent.
func call(t *testing.T, env *actions.Env, name string, with map[string]any) {
	t.Helper()
	tt := typ(t, name)
	p := decode(t, name, with)
	if tt.Kind == actions.KindCheck {
		_, _ = tt.Check(context.Background(), env, p)
		return
	}
	_, _ = tt.Run(context.Background(), env, p)
}

// sentAsIs reports whether a statement or call carries want literally.
func sentAsIs(stmts []sqltest.Statement, want string) bool {
	for _, s := range stmts {
		if strings.Contains(s.Text, want) {
			return true
		}
	}
	return false
}

func texts(stmts []sqltest.Statement) string {
	var b strings.Builder
	for _, s := range stmts {
		b.WriteString("  " + s.Kind + " " + s.Effect + " " + s.Text + "\n")
	}
	return b.String()
}

// sqlString is s as the lab's statement log shows a parameter's value:
// quoted as T-SQL quotes a string.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

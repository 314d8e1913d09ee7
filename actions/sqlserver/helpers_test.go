package sqlserver_test

import (
	"bytes"
	"context"
	"database/sql"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// registry holds every built-in type, as the engine sees them.
var registry = builtin.New()

// typ returns a registered type.
func typ(t *testing.T, name string) *actions.Type {
	t.Helper()
	tt := registry.Type(name)
	if tt == nil {
		t.Fatalf("type %s is not registered", name)
	}
	return tt
}

// decode builds a type's params from plain values and validates them as
// the plan loader does.
func decode(t *testing.T, name string, with map[string]any) any {
	t.Helper()
	tt := typ(t, name)
	p, err := tt.Decode(with)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	if err := tt.Validate(p); err != nil {
		t.Fatalf("validate %s: %v", name, err)
	}
	return p
}

// logBuffer collects an Env's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// withLog gives env a logger writing JSON lines to the returned buffer.
func withLog(env *actions.Env) *logBuffer {
	buf := &logBuffer{}
	env.Log = zerolog.New(buf).With().Str("step", "s1").Logger()
	return buf
}

// run runs an action once.
func run(t *testing.T, env *actions.Env, name string, with map[string]any) (map[string]any, error) {
	t.Helper()
	return typ(t, name).Run(context.Background(), env, decode(t, name, with))
}

// assertReadOnly fails when any statement logged changed something or
// was of a kind that writes: the lab's log shows what reached the
// server and what it did.
func assertReadOnly(t *testing.T, stmts []sqltest.Statement) {
	t.Helper()
	n := 0
	for _, s := range stmts {
		switch s.Kind {
		case "batch", "dynamic", "rpc", "skipped":
			n++
			if s.Effect != "read" {
				t.Errorf("a read-only call sent a %s (%s): %s", s.Effect, s.Kind, s.Text)
			}
		}
	}
	if n == 0 {
		t.Error("nothing was sent: the test shows nothing")
	}
}

// rpcStmtRe finds the statement of a logged sp_executesql call, quoted
// as T-SQL quotes a string.
var rpcStmtRe = regexp.MustCompile(`#1='((?:[^']|'')*)'`)

// rpcStatement is the statement of a logged sp_executesql call.
func rpcStatement(text string) string {
	m := rpcStmtRe.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "''", "'")
}

// withoutLogins drops the login lines of a statement log.
func withoutLogins(stmts []sqltest.Statement) []sqltest.Statement {
	var out []sqltest.Statement
	for _, s := range stmts {
		if s.Kind != "login" {
			out = append(out, s)
		}
	}
	return out
}

// probe asks an action's probe once.
func probe(t *testing.T, env *actions.Env, name string, with map[string]any) actions.Probe {
	t.Helper()
	pr, err := typ(t, name).Probe(context.Background(), env, decode(t, name, with))
	if err != nil {
		t.Fatalf("probe %s: %v", name, err)
	}
	return pr
}

// inspect asks an action's inspection once.
func inspect(t *testing.T, env *actions.Env, name string, with map[string]any) actions.Inspection {
	t.Helper()
	in, err := typ(t, name).Inspect(context.Background(), env, decode(t, name, with))
	if err != nil {
		t.Fatalf("inspect %s: %v", name, err)
	}
	return in
}

// sessionsConfig is the default lab with simulated Lync sessions on
// BACKUP: lock holders on mgc (RESTORING), and inside reports (STANDBY).
func sessionsConfig(us lab.UserSessions) lab.Config {
	cfg := labConfig()
	cfg.Scenario.UserSessions = us
	return cfg
}

// pinned holds a session of env's pool, inside db when use is set, for
// the rest of the test.
func pinned(t *testing.T, env *actions.Env, use bool, db string) *sql.Conn {
	t.Helper()
	c, err := pool(t, env).DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if use {
		if _, err := c.ExecContext(context.Background(), "USE "+db); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// readerEnv is an Env for BACKUP as the lab's read-only login.
func readerEnv(t *testing.T, l *sqltest.Lab) *actions.Env {
	t.Helper()
	tg := l.Target("BACKUP")
	tg.User, tg.Password = lab.DefaultReader, lab.DefaultReaderPassword
	return sqltest.Env(t, "backup_sql", tg)
}

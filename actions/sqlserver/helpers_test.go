package sqlserver_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
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

// readOnlyRe is what a read-only statement starts with.
var readOnlyRe = regexp.MustCompile(`(?is)^\s*(SELECT|SET NOCOUNT|DECLARE)\b`)

// assertReadOnly fails when any statement logged is not a read: the
// lab's log shows what reached the server.
func assertReadOnly(t *testing.T, stmts []sqltest.Statement) {
	t.Helper()
	n := 0
	for _, s := range stmts {
		switch s.Kind {
		case "batch", "dynamic":
			n++
			if !readOnlyRe.MatchString(s.Text) {
				t.Errorf("a read-only call sent %s: %s", s.Kind, s.Text)
			}
		case "rpc":
			n++
			if !strings.HasPrefix(s.Text, "sp_executesql") || !readOnlyRe.MatchString(rpcStatement(s.Text)) {
				t.Errorf("a read-only call sent rpc: %s", s.Text)
			}
		}
	}
	if n == 0 {
		t.Error("nothing was sent: the test shows nothing")
	}
}

// rpcStmtRe finds the statement of a logged sp_executesql call.
var rpcStmtRe = regexp.MustCompile(`#1=("(?:[^"\\]|\\.)*")`)

// rpcStatement is the statement of a logged sp_executesql call.
func rpcStatement(text string) string {
	m := rpcStmtRe.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	s, err := strconv.Unquote(m[1])
	if err != nil {
		return ""
	}
	return s
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

// Package sqltest serves the failover lab in-process for the tests of
// the SQL actions (actions/sqlserver, actions/logship): a lab per test,
// sqlserver targets that reach it over TDS with TLS and the lab's CA,
// Envs with the target's Pool opened as the engine opens it, and the
// lab's statement log to show what was sent.
package sqltest

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/lab"
)

// Version is the failover version the test pools announce: their
// sessions are named failover/test.
const Version = "test"

// Lab is a lab served for one test; it is closed when the test ends.
type Lab struct {
	Dir string
	cfg lab.Config
	lab *lab.Lab
}

// Start initialises a lab with cfg in a temporary directory and serves it.
func Start(t testing.TB, cfg lab.Config) *Lab {
	t.Helper()
	dir := t.TempDir()
	if err := lab.Init(dir, cfg); err != nil {
		t.Fatalf("init lab: %v", err)
	}
	l, err := lab.Serve(context.Background(), dir)
	if err != nil {
		t.Fatalf("serve lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return &Lab{Dir: dir, cfg: cfg, lab: l}
}

// Addr returns an instance's "127.0.0.1:port".
func (l *Lab) Addr(instance string) string { return l.lab.Addrs()[instance] }

// CA is the lab's CA certificate file.
func (l *Lab) CA() string { return filepath.Join(l.Dir, lab.TLSDir, "ca.pem") }

// Share and CopyDir are the lab's backup share and copy destination as
// SQL Server and msdb name them: Windows paths, through the lab's path
// map.
func (l *Lab) Share() string   { return l.cfg.LogShipping.ShareDir }
func (l *Lab) CopyDir() string { return l.cfg.LogShipping.CopyDir }

// ShareFolder and CopyFolder are the folders those paths map to here.
func (l *Lab) ShareFolder() string { return l.cfg.ShareFolder(l.Dir) }
func (l *Lab) CopyFolder() string  { return l.cfg.CopyFolder(l.Dir) }

// Inject adds a fault for this lab.
func (l *Lab) Inject(t testing.TB, f lab.Fault) {
	t.Helper()
	if err := l.lab.Inject(f); err != nil {
		t.Fatalf("inject %v: %v", f, err)
	}
}

// Target returns a sqlserver target for an instance as a plan would give
// it: the lab's SQL login, encryption with the certificate validated
// against the lab's CA.
func (l *Lab) Target(instance string) *targets.SQLServer {
	host, port, _ := net.SplitHostPort(l.Addr(instance))
	n, _ := strconv.Atoi(port)
	return &targets.SQLServer{Server: host, Port: n, User: lab.DefaultUser, Password: lab.DefaultPassword,
		CAFile: l.CA(), ConnectTimeout: 10 * time.Second}
}

// Env opens target t (named name) as the engine would and returns an
// Env in mode run that holds it, with secrets (the lab password)
// redacted. The pool is closed when the test ends.
func Env(t testing.TB, name string, tg *targets.SQLServer) *actions.Env {
	t.Helper()
	p, err := sqlserver.Open(name, tg, Version)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { p.Close() })
	secret := tg.Password
	return &actions.Env{
		Mode:    actions.ModeRun,
		Target:  &actions.Target{Name: name, Type: "sqlserver", Params: tg, Handle: p},
		Version: Version,
		Redact: func(s string) string {
			if secret == "" {
				return s
			}
			return strings.ReplaceAll(s, secret, "***")
		},
	}
}

// Env is Env for an instance's Target, named after it (backup_sql).
func (l *Lab) Env(t testing.TB, instance string) *actions.Env {
	t.Helper()
	return Env(t, strings.ToLower(instance)+"_sql", l.Target(instance))
}

// DB is a side connection to an instance for a test's own setup and
// assertions (app name lab-test, so never one of failover's sessions).
func (l *Lab) DB(t testing.TB, instance string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(lab.DefaultUser, lab.DefaultPassword),
		Host: l.Addr(instance), RawQuery: "database=master&encrypt=disable&app+name=lab-test"}
	db, err := sql.Open("sqlserver", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Statement is one line of the lab's statement log.
type Statement struct {
	Instance string
	SPID     int
	// Login is the session's login.
	Login string
	// Kind is batch, rpc, dynamic, skipped, fault, login, login-failed, …
	Kind string
	// Effect is read, write or write-failed for statements, - otherwise.
	Effect string
	Text   string
}

// Mark returns the number of statements logged so far, for Since.
func (l *Lab) Mark(t testing.TB) int {
	t.Helper()
	return len(l.Statements(t))
}

// Since returns the statements logged after mark.
func (l *Lab) Since(t testing.TB, mark int) []Statement {
	t.Helper()
	return l.Statements(t)[mark:]
}

// Statements returns every statement the lab logged, in order.
func (l *Lab) Statements(t testing.TB) []Statement {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(l.Dir, lab.StatementLog))
	if err != nil {
		t.Fatalf("read the statement log: %v", err)
	}
	var out []Statement
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		f := strings.SplitN(line, "\t", 7)
		if len(f) < 7 {
			continue
		}
		spid, _ := strconv.Atoi(f[2])
		out = append(out, Statement{Instance: f[1], SPID: spid, Login: f[3], Kind: f[4], Effect: f[5], Text: unescape(f[6])})
	}
	return out
}

// unescape undoes the statement log's escapes of \, line breaks and tabs.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
)

// Pool is the sqlserver target's handle for one run: one *sql.DB whose
// sessions are named failover/VERSION, shared by every step and check of
// the target, and a run-scoped store for caches. The engine closes it
// when the run ends.
type Pool struct {
	db *sql.DB
	// target names the target in the plan, server the endpoint, for
	// messages; database is the login database.
	target, server, database string
	// tls describes the encryption, for logs; weak says it is off, or
	// the certificate is not validated.
	tls  string
	weak bool

	mu     sync.Mutex // guards shared
	shared map[string]any

	// trackers maps each open driver connection to its tracker
	// (conntrack.go).
	trackers sync.Map
}

// Open opens the pool of target name with fields t. It connects to
// nothing yet (the first statement does, within connect_timeout), but it
// fails on a connection string it cannot use or a ca_file it cannot read.
// Its errors never hold the password.
func Open(name string, t *targets.SQLServer, version string) (*Pool, error) {
	cfg, err := connConfig(t, version)
	if err != nil {
		return nil, fmt.Errorf("open target %s: %w", name, err)
	}
	mc := mssql.NewConnectorConfig(cfg)
	mc.Dialer = &trackingDialer{d: net.Dialer{KeepAlive: cfg.KeepAlive}}
	p := &Pool{target: name, server: endpoint(cfg.Host, cfg.Instance, cfg.Port),
		database: cfg.Database, shared: map[string]any{}}
	p.db = sql.OpenDB(trackedConnector{Connector: mc, timeout: t.ConnectTimeout, trackers: &p.trackers})
	p.tls, p.weak = tlsMode(cfg)
	// A failover uses few sessions; idle ones are kept for the next step.
	p.db.SetMaxIdleConns(4)
	p.db.SetConnMaxIdleTime(5 * time.Minute)
	return p, nil
}

// PoolOf returns the Pool of env's target (opened by the engine, or by a
// test that put it in env.Target.Handle).
func PoolOf(env *actions.Env) (*Pool, error) {
	return actions.TargetHandle[*Pool](env)
}

// sessionOf returns the Pool of env's target and one pinned session of it
// in master (Pool.Conn), for the steps that must run on one session. The
// caller closes the session.
func sessionOf(ctx context.Context, env *actions.Env) (*Pool, *sql.Conn, error) {
	pool, err := PoolOf(env)
	if err != nil {
		return nil, nil, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	return pool, conn, nil
}

// DB returns the pool's *sql.DB. Its sessions open in the target's
// database (master unless the target says otherwise).
func (p *Pool) DB() *sql.DB { return p.db }

// Conn returns one session of the pool, pinned, whose current database
// is master: RESTORE must not run from inside the database it restores
// (3102), and @@SPID on it names the session to spare from KILL. The
// caller closes it. Its errors are classified (Classify).
func (p *Pool) Conn(ctx context.Context) (*sql.Conn, error) {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, p.Errorf(err, "connect")
	}
	if !strings.EqualFold(p.database, "master") {
		// The session is reset to its login database when it goes back
		// to the pool, so other users of DB() still see the target's.
		if _, err := c.ExecContext(ctx, "USE [master]"); err != nil {
			c.Close()
			return nil, p.Errorf(err, "switch to master")
		}
	}
	return c, nil
}

// Shared returns the value stored under key for this run, making it with
// newValue on first use. newValue runs once per key, under the pool's
// lock: keep it quick (allocate a cache, do not fill it).
func (p *Pool) Shared(key string, newValue func() any) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.shared[key]; ok {
		return v
	}
	v := newValue()
	p.shared[key] = v
	return v
}

// Close closes every session of the pool.
func (p *Pool) Close() error { return p.db.Close() }

// Target names the target in the plan.
func (p *Pool) Target() string { return p.target }

// String describes the pool for logs and errors: target, endpoint and
// encryption, never credentials.
func (p *Pool) String() string {
	return fmt.Sprintf("%s (%s, %s)", p.target, p.server, p.tls)
}

// Errorf wraps err, which happened while doing what on the target, with
// the target's name and classifies it (Classify).
func (p *Pool) Errorf(err error, what string, args ...any) error {
	if err == nil {
		return nil
	}
	return Classify(fmt.Errorf("%s on %s: %w", fmt.Sprintf(what, args...), p.target, err))
}

// endpoint renders host, instance and port as people write them.
func endpoint(host, instance string, port uint64) string {
	s := host
	if instance != "" {
		s += `\` + instance
	}
	if port != 0 {
		s = net.JoinHostPort(s, strconv.FormatUint(port, 10))
	}
	return s
}

// opener is the sqlserver target's Opener.
type opener struct{}

// Open opens the target's Pool for a run.
func (opener) Open(_ context.Context, env *actions.OpenEnv, t *targets.SQLServer) (actions.Handle, error) {
	p, err := Open(env.Target, t, env.Version)
	if err != nil {
		if env.Redact != nil {
			err = fmt.Errorf("%s", env.Redact(err.Error()))
		}
		return nil, actions.MarkPermanent(err)
	}
	log := env.Log.With().Str("target", env.Target).Logger()
	if t.DSN != "" && p.weak && t.Encrypt == "" && !t.TrustServerCertificate {
		// The plan loader warned about the fields; a dsn is read only now.
		log.Warn().Str("tls", p.tls).Msg("the dsn weakens encryption; omit its encrypt settings (encrypted, certificate validated) outside a lab")
	}
	log.Debug().Str("server", p.server).Str("tls", p.tls).Str("database", p.database).Msg("sqlserver target opened")
	return p, nil
}

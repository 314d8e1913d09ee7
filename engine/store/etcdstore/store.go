package etcdstore

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/failover-dev/failover/engine/store"
)

// Store keeps journals and locks on an etcd cluster under a key prefix
// (see the package doc for the keys). Its methods are safe for
// concurrent use.
type Store struct {
	cli     *clientv3.Client
	own     bool // cli was opened by Open: Close closes it
	prefix  string
	where   string
	timeout time.Duration
	// now names kept copies (a repair's).
	now func() time.Time
}

var _ store.Backend = (*Store)(nil)

// Open connects to the cluster cfg names. It does not wait for the
// cluster: the first request that cannot be answered within the timeout
// fails.
func Open(cfg Config) (*Store, error) {
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   cfg.Endpoints,
		DialTimeout: cfg.timeout(),
		TLS:         cfg.TLS,
		Username:    cfg.Username,
		Password:    cfg.Password,
		// Errors come back to the caller, who says them once: the
		// client's own retry chatter would only bury them.
		Logger: zap.NewNop(),
		// A member cut off from the others keeps no watch open.
		DialKeepAliveTime:    cfg.timeout(),
		DialKeepAliveTimeout: cfg.timeout(),
	})
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg, err)
	}
	s := New(cli, cfg.Prefix, cfg.Timeout)
	s.own, s.where = true, cfg.String()
	return s, nil
}

// New is a Store over a client the caller opened (and closes); prefix is
// e.g. "/failover", timeout bounds each request (DefaultTimeout when
// zero).
func New(cli *clientv3.Client, prefix string, timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Store{cli: cli, prefix: prefix, timeout: timeout, now: time.Now,
		where: fmt.Sprintf("etcd://%v%s", cli.Endpoints(), prefix)}
}

func (cfg Config) timeout() time.Duration {
	if cfg.Timeout > 0 {
		return cfg.Timeout
	}
	return DefaultTimeout
}

// String is the store's URL: etcd://host:port,…/prefix.
func (s *Store) String() string { return s.where }

// Close closes the connection Open made.
func (s *Store) Close() error {
	if !s.own {
		return nil
	}
	return s.cli.Close()
}

// Client returns the store's etcd client.
func (s *Store) Client() *clientv3.Client { return s.cli }

// ctx bounds one request.
func (s *Store) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// unreachable wraps a request's failure with what it likely means.
func (s *Store) unreachable(what string, err error) error {
	return fmt.Errorf("%s on %s: %w (no answer within %s: the cluster may have lost its quorum, or this host its way to it)",
		what, s.where, err, s.timeout)
}

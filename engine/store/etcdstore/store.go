package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
		where: "etcd://" + strings.Join(cli.Endpoints(), ",") + prefix}
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

// retry runs a write until it gets an answer, for at most the store's
// timeout, each try bounded by a third of it: a proposal lost with a
// dying leader gets no answer at all, and the next try goes to the new
// one. Only writes whose comparisons make a second try harmless use it.
// It returns the answer, how many tries were made, and the last error.
func (s *Store) retry(write func(ctx context.Context) (*clientv3.TxnResponse, error)) (*clientv3.TxnResponse, int, error) {
	deadline := time.Now().Add(s.timeout)
	for tries := 1; ; tries++ {
		ctx, cancel := context.WithDeadline(context.Background(), earlier(deadline, time.Now().Add(s.timeout/3)))
		resp, err := write(ctx)
		cancel()
		if err == nil || !transient(err) || time.Until(deadline) <= 0 {
			return resp, tries, err
		}
		// Not at once: an unavailable member answers in no time.
		time.Sleep(min(100*time.Millisecond, time.Until(deadline)))
	}
}

// transient reports whether a request's failure may pass when tried
// again (no answer in time, no leader, a member stopping, a connection
// lost): anything but a refusal that will be given again.
func transient(err error) bool {
	switch {
	case errors.Is(err, rpctypes.ErrPermissionDenied), errors.Is(err, rpctypes.ErrAuthFailed),
		errors.Is(err, rpctypes.ErrRequestTooLarge), errors.Is(err, rpctypes.ErrTooManyOps),
		errors.Is(err, rpctypes.ErrDuplicateKey), errors.Is(err, rpctypes.ErrEmptyKey):
		return false
	}
	switch status.Code(err) {
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.ResourceExhausted,
		codes.FailedPrecondition:
		return false
	}
	return true
}

// earlier returns the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// unreachable wraps a request's failure with what it likely means.
func (s *Store) unreachable(what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded {
		return fmt.Errorf("%s on %s: %w (no answer within %s: the cluster may have lost its quorum, or this host "+
			"its way to it)", what, s.where, err, s.timeout)
	}
	return fmt.Errorf("%s on %s: %w", what, s.where, err)
}

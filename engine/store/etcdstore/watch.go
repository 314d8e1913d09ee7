package etcdstore

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Changes watches the plan's runs and lock (P/runs/<plan>/ and
// P/locks/<plan>/) and signals every change: a record appended on any
// host shows at once. Signals are coalesced. When a watch breaks (a
// member cut off, no leader) it signals too, and is opened again.
func (s *Store) Changes(ctx context.Context, plan string) (<-chan struct{}, error) {
	ch := make(chan struct{}, 1)
	for _, prefix := range []string{s.prefix + runsDir + plan + "/", s.prefix + locksDir + plan + "/"} {
		go s.follow(ctx, prefix, ch)
	}
	return ch, nil
}

// follow signals ch for every event under prefix until ctx ends.
func (s *Store) follow(ctx context.Context, prefix string, ch chan struct{}) {
	for ctx.Err() == nil {
		wctx := clientv3.WithRequireLeader(ctx)
		for resp := range s.cli.Watch(wctx, prefix, clientv3.WithPrefix()) {
			if len(resp.Events) > 0 || resp.Err() != nil {
				signal(ch)
			}
		}
		// Broken: open it again, not in a tight loop.
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// signal sends on ch without blocking: one pending signal stands for any
// number of changes.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

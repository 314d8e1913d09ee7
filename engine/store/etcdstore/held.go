package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/lock"
)

// held is a plan's lock held on etcd: its lease, kept alive by the
// heartbeat, and the lock keys attached to it.
//
// The lock is lost, for good, when etcd says the lease is gone (expired
// or revoked), when the lock key is deleted or given another lease (a
// watch sees it at once), or when renewals have failed for so long that
// the lease may expire before the next one: then the run must stop
// starting steps before another host can take the lock. Every journal
// append is fenced by the lease besides, so a holder that lost it can
// never append again, whatever it believes.
type held struct {
	s                *Store
	plan             string
	lockKey, holderK string
	lease            clientv3.LeaseID

	mu sync.Mutex // guards the fields below
	// info is what the lock keys say, heartbeat included.
	info lock.Info
	// confirmed is when the last renewal that the cluster confirmed was
	// sent (by now): the lease lives at least until confirmed + Lease.
	confirmed time.Time
	// tried is when the last renewal was sent; after confirmed while a
	// renewal is unanswered or failed.
	tried time.Time
	err   error // the last renewal's failure
	lost  error // wraps lock.ErrLost once lost; never reset
	now   func() time.Time
	// synced is what renewals put in Info.Synced; nil: keep it.
	synced   func() uint64
	stopCh   chan struct{}
	doneCh   chan struct{} // closed when the heartbeat ends; nil if none
	released bool
	cancel   context.CancelFunc // stops the watch
}

// safety is the part of the lease a holder never counts on: it stops
// when renewals have failed for a lease less this, so that it stops
// before etcd can expire the lease (a renewal sent at t keeps the lease
// until at least t + Lease, by the cluster's clock).
func safety(lease time.Duration) time.Duration { return lease / 4 }

func newHeld(s *Store, plan string, lease clientv3.LeaseID, info lock.Info, rev int64) *held {
	h := &held{s: s, plan: plan, lockKey: s.lockKey(plan), holderK: s.holderKeyOf(plan), lease: lease,
		info: info, confirmed: info.Heartbeat, tried: info.Heartbeat, now: time.Now, stopCh: make(chan struct{})}
	ctx, cancel := context.WithCancel(clientv3.WithRequireLeader(context.Background()))
	h.cancel = cancel
	go h.watch(ctx, rev+1)
	return h
}

// Info returns what the lock says now.
func (h *held) Info() lock.Info {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.info
}

// Err returns an error wrapping lock.ErrLost once the lock is lost, else
// the last renewal's failure, or nil. Renewals failing for a lease less
// its safety margin make the lock lost: etcd may expire the lease soon,
// and another host may then take the lock.
func (h *held) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost != nil {
		return h.lost
	}
	failing := h.err != nil || h.tried.After(h.confirmed)
	if age := h.now().Sub(h.confirmed); failing && age >= h.info.Lease-safety(h.info.Lease) {
		h.lost = fmt.Errorf("%w: the lease of %s on %s was last renewed %s ago; it may expire within %s, and another "+
			"host may then take the lock over", lock.ErrLost, h.info.Lease, h.s.where, age.Round(time.Millisecond),
			(h.info.Lease - age).Round(time.Millisecond))
		return h.lost
	}
	return h.err
}

// Track makes every later renewal carry synced().
func (h *held) Track(synced func() uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.synced = synced
}

// HeartbeatOn renews the lease at every tick from tickCh, stamped with
// now(), until ctx ends or Release; only the first call starts.
func (h *held) HeartbeatOn(ctx context.Context, tickCh <-chan time.Time, now func() time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.doneCh != nil || h.released {
		return false
	}
	h.now = now
	h.doneCh = make(chan struct{})
	go h.beat(ctx, tickCh, h.doneCh)
	return true
}

func (h *held) beat(ctx context.Context, tickCh <-chan time.Time, doneCh chan struct{}) {
	defer close(doneCh)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.stopCh:
			return
		case <-tickCh:
			if errors.Is(h.Err(), lock.ErrLost) {
				continue // nothing to renew; ticks still taken
			}
			h.renew()
		}
	}
}

// renew keeps the lease alive, then rewrites the lock keys with the new
// heartbeat and synced seq, if they are still this lease's.
func (h *held) renew() {
	h.mu.Lock()
	sent, synced, next := h.now(), h.synced, h.info
	h.tried = sent
	h.mu.Unlock()
	ctx, cancel := h.s.ctx()
	defer cancel()
	_, err := h.s.cli.KeepAliveOnce(ctx, h.lease)
	if errors.Is(err, rpctypes.ErrLeaseNotFound) {
		h.lose(fmt.Errorf("%w: the lease of the lock on %s expired or was revoked", lock.ErrLost, h.s.where))
		return
	}
	if err != nil {
		h.fail(h.s.unreachable("renew the lock's lease", err))
		return
	}
	h.mu.Lock()
	h.confirmed = sent
	h.mu.Unlock()
	next.Heartbeat = sent.UTC()
	if synced != nil {
		next.Synced = max(next.Synced, synced())
	}
	h.rewrite(next)
}

// rewrite puts next in both lock keys, if the lock key is still ours.
func (h *held) rewrite(next lock.Info) {
	v, err := lock.Encode(next)
	if err != nil {
		h.fail(err)
		return
	}
	ctx, cancel := h.s.ctx()
	defer cancel()
	resp, err := h.s.cli.Txn(ctx).If(fence(h.lockKey, h.lease)).
		Then(clientv3.OpPut(h.lockKey, string(v), clientv3.WithLease(h.lease)), clientv3.OpPut(h.holderK, string(v))).Commit()
	switch {
	case err != nil:
		h.fail(h.s.unreachable("renew the lock's heartbeat", err))
	case !resp.Succeeded:
		h.lose(fmt.Errorf("%w: the lock key %s no longer holds this run's lease (broken or taken over)", lock.ErrLost, h.lockKey))
	default:
		h.mu.Lock()
		h.info, h.err = next, nil
		h.mu.Unlock()
	}
}

func (h *held) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.err = err
}

func (h *held) lose(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost == nil && !h.released {
		h.lost = err
	}
}

// watch makes the lock lost as soon as its key is deleted or given
// another lease: an unlock from another host, a lease revoked. A watch
// that breaks (no leader, a member cut off) is opened again from where
// it was; meanwhile the renewals and their deadline cover the lock.
func (h *held) watch(ctx context.Context, from int64) {
	for ctx.Err() == nil {
		for resp := range h.s.cli.Watch(ctx, h.lockKey, clientv3.WithRev(from)) {
			if resp.CompactRevision > 0 {
				from = 0 // history compacted: go on from now
			}
			for _, ev := range resp.Events {
				if ev.Type == mvccpb.DELETE || clientv3.LeaseID(ev.Kv.Lease) != h.lease {
					h.lose(fmt.Errorf("%w: the lock key %s was deleted or taken by another lease (unlock, or the "+
						"lease expired)", lock.ErrLost, h.lockKey))
					return
				}
				from = ev.Kv.ModRevision + 1
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// Release stops the heartbeat and the watch, removes both lock keys if
// the lock key still holds this lease, and revokes the lease. A lock
// someone else owns now is left alone (an error wrapping lock.ErrLost).
func (h *held) Release() error {
	h.mu.Lock()
	if h.released {
		h.mu.Unlock()
		return nil
	}
	h.released = true
	close(h.stopCh)
	doneCh := h.doneCh
	h.mu.Unlock()
	if doneCh != nil {
		<-doneCh // no renewal may rewrite the lock after it is removed
	}
	h.cancel()
	defer h.s.revoke(h.lease)
	ctx, cancel := h.s.ctx()
	defer cancel()
	resp, err := h.s.cli.Txn(ctx).If(fence(h.lockKey, h.lease)).
		Then(clientv3.OpDelete(h.lockKey), clientv3.OpDelete(h.holderK)).Commit()
	switch {
	case err != nil:
		return h.s.unreachable("release lock "+h.lockKey, err)
	case !resp.Succeeded:
		return fmt.Errorf("release lock: %w: %s no longer holds this run's lease", lock.ErrLost, h.lockKey)
	}
	return nil
}

package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// A plan's lock is two keys holding the same JSON as a lock file (with
// the lease's id): P/locks/<plan>/lock, attached to the holder's lease,
// which etcd deletes when the lease ends; and P/locks/<plan>/holder,
// without a lease, which outlives it. Both are written and removed
// together. The lock key says the lock is held (its lease is alive); the
// holder key alone says who held it when its lease ran out, so that a
// resume on any host takes it over knowing whose it was, and journals
// it, as on one machine.

// lockState is a plan's lock as read.
type lockState struct {
	lock, holder *mvccpb.KeyValue
}

// info is the holder the lock names: the lock key's, else the holder
// key's with Expired set; nil when there is no lock.
func (ls lockState) info() (*lock.Info, error) {
	kv, expired := ls.lock, false
	if kv == nil {
		kv, expired = ls.holder, true
	}
	if kv == nil {
		return nil, fmt.Errorf("read lock: %w", fs.ErrNotExist)
	}
	in, err := lock.Decode(kv.Value)
	if err != nil {
		return nil, fmt.Errorf("decode lock %s: %w", kv.Key, err)
	}
	in.Expired = expired
	return &in, nil
}

// readLock reads a plan's two lock keys at once.
func (s *Store) readLock(plan string) (lockState, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).Then(clientv3.OpGet(s.lockKey(plan)), clientv3.OpGet(s.holderKeyOf(plan))).Commit()
	if err != nil {
		return lockState{}, s.unreachable("read the lock of plan "+plan, err)
	}
	var ls lockState
	if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
		ls.lock = kvs[0]
	}
	if kvs := resp.Responses[1].GetResponseRange().Kvs; len(kvs) > 0 {
		ls.holder = kvs[0]
	}
	return ls, nil
}

// ReadLock returns the holder of a plan's lock: Expired when its lease
// ran out. No lock: an error wrapping fs.ErrNotExist.
func (s *Store) ReadLock(plan string) (*lock.Info, error) {
	ls, err := s.readLock(plan)
	if err != nil {
		return nil, err
	}
	return ls.info()
}

// Acquire takes a plan's lock: it grants a lease of info.Lease (rounded
// up to whole seconds; etcd may grant more) and writes both lock keys in
// one transaction that requires neither to exist. Held: a
// *lock.HeldError naming the holder, Expired if its lease ran out.
func (s *Store) Acquire(plan string, info lock.Info) (store.Held, error) {
	info = info.Fill()
	for range 100 {
		h, ls, err := s.tryAcquire(plan, info, clientv3.Compare(clientv3.CreateRevision(s.holderKeyOf(plan)), "=", 0))
		if h != nil || err != nil {
			return h, err
		}
		holder, rerr := ls.info()
		if errors.Is(rerr, fs.ErrNotExist) {
			continue // released between our try and our read: try again
		}
		if rerr != nil {
			return nil, fmt.Errorf("lock %s is held, and its holder cannot be read: %w", s.lockKey(plan), rerr)
		}
		return nil, lock.NewHeldError(s.lockKey(plan), *holder)
	}
	return nil, fmt.Errorf("acquire lock %s: it changed hands 100 times while we tried", s.lockKey(plan))
}

// tryAcquire grants a lease and writes the lock keys if cond holds and
// the lock key is free. Refused, it returns the lock as it is and gives
// the lease back.
func (s *Store) tryAcquire(plan string, info lock.Info, cond clientv3.Cmp) (*held, lockState, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	grant, err := s.cli.Grant(ctx, leaseSeconds(info.Lease))
	if err != nil {
		return nil, lockState{}, s.unreachable("grant a lease for the lock of plan "+plan, err)
	}
	info.LeaseID, info.Lease = int64(grant.ID), time.Duration(grant.TTL)*time.Second
	v, err := lock.Encode(info)
	if err != nil {
		s.revoke(grant.ID)
		return nil, lockState{}, err
	}
	lk, hk := s.lockKey(plan), s.holderKeyOf(plan)
	resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(lk), "=", 0), cond).
		Then(clientv3.OpPut(lk, string(v), clientv3.WithLease(grant.ID)), clientv3.OpPut(hk, string(v))).
		Else(clientv3.OpGet(lk), clientv3.OpGet(hk)).Commit()
	if err != nil {
		s.revoke(grant.ID)
		return nil, lockState{}, s.unreachable("acquire lock "+lk, err)
	}
	if resp.Succeeded {
		return newHeld(s, plan, grant.ID, info, resp.Header.Revision), lockState{}, nil
	}
	s.revoke(grant.ID)
	var ls lockState
	if kvs := resp.Responses[0].GetResponseRange().Kvs; len(kvs) > 0 {
		ls.lock = kvs[0]
	}
	if kvs := resp.Responses[1].GetResponseRange().Kvs; len(kvs) > 0 {
		ls.holder = kvs[0]
	}
	return nil, ls, nil
}

// leaseSeconds rounds a lease up to whole seconds, at least one.
func leaseSeconds(d time.Duration) int64 {
	return max(1, int64(math.Ceil(d.Seconds())))
}

// revoke gives a lease back; a failure leaves it to expire.
func (s *Store) revoke(id clientv3.LeaseID) {
	ctx, cancel := s.ctx()
	defer cancel()
	_, _ = s.cli.Revoke(ctx, id)
}

// TakeOver takes the lock of a holder known gone, if the lock still says
// exactly expect (else an error wrapping lock.ErrChanged): a holder whose
// lease expired, or one whose process is gone from this host, whose
// lease is revoked first (that process can renew it no more).
func (s *Store) TakeOver(plan string, info, expect lock.Info) (store.Held, error) {
	info = info.Fill()
	ls, err := s.readLock(plan)
	if err != nil {
		return nil, err
	}
	cur, err := ls.info()
	if err != nil {
		return nil, fmt.Errorf("take over lock: %w", err)
	}
	if !cur.SameHolder(expect) {
		return nil, fmt.Errorf("take over lock %s: %w: now held by run %s (pid %d on %s, heartbeat %s)",
			s.lockKey(plan), lock.ErrChanged, cur.RunID, cur.PID, cur.Host, cur.Heartbeat.UTC().Format(time.RFC3339))
	}
	if ls.lock != nil {
		if cur.Judge(time.Now()) != lock.Dead {
			return nil, fmt.Errorf("take over lock %s: %w: run %s keeps its lease alive", s.lockKey(plan), lock.ErrChanged, cur.RunID)
		}
		s.revoke(clientv3.LeaseID(cur.LeaseID))
	}
	h, now, err := s.tryAcquire(plan, info, unchanged(s.holderKeyOf(plan), ls.holder))
	switch {
	case err != nil:
		return nil, err
	case h == nil:
		by, _ := now.info()
		if by == nil {
			by = &lock.Info{}
		}
		return nil, fmt.Errorf("take over lock %s: %w: now held by run %s (pid %d on %s)", s.lockKey(plan),
			lock.ErrChanged, by.RunID, by.PID, by.Host)
	}
	return h, nil
}

// BreakLock removes a plan's lock if run runID holds it, and revokes its
// lease: that run, if alive, can append nothing more to its journal and
// learns at its next renewal that the lock is gone.
func (s *Store) BreakLock(plan, runID string) error {
	ls, err := s.readLock(plan)
	if err != nil {
		return err
	}
	cur, err := ls.info()
	if err != nil {
		return fmt.Errorf("break lock: %w", err)
	}
	if cur.RunID != runID {
		return fmt.Errorf("break lock %s: %w: held by run %s, not %s", s.lockKey(plan), lock.ErrChanged, cur.RunID, runID)
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(unchanged(s.lockKey(plan), ls.lock), unchanged(s.holderKeyOf(plan), ls.holder)).
		Then(clientv3.OpDelete(s.lockKey(plan)), clientv3.OpDelete(s.holderKeyOf(plan))).Commit()
	if err != nil {
		return s.unreachable("break lock "+s.lockKey(plan), err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("break lock %s: %w: it changed while it was broken", s.lockKey(plan), lock.ErrChanged)
	}
	if cur.LeaseID != 0 {
		s.revoke(clientv3.LeaseID(cur.LeaseID))
	}
	return nil
}

// LowerLock sets the synced seq the lock keys of runID say to synced,
// when they say more; another run's lock, or none, is left alone.
func (s *Store) LowerLock(plan, runID string, synced uint64) error {
	ls, err := s.readLock(plan)
	if err != nil {
		return err
	}
	cur, err := ls.info()
	if errors.Is(err, fs.ErrNotExist) || (err == nil && (cur.RunID != runID || cur.Synced <= synced)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("lower lock: %w", err)
	}
	cur.Synced, cur.Expired = synced, false
	v, err := lock.Encode(*cur)
	if err != nil {
		return err
	}
	ops := []clientv3.Op{clientv3.OpPut(s.holderKeyOf(plan), string(v))}
	if ls.lock != nil {
		ops = append(ops, clientv3.OpPut(s.lockKey(plan), string(v), clientv3.WithIgnoreLease()))
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(unchanged(s.lockKey(plan), ls.lock), unchanged(s.holderKeyOf(plan), ls.holder)).
		Then(ops...).Commit()
	if err != nil {
		return s.unreachable("lower lock "+s.lockKey(plan), err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("lower lock %s: it changed meanwhile", s.lockKey(plan))
	}
	return nil
}

// WaitUnlocked waits until the plan's lock key is gone — released,
// broken, or its lease ended — or ctx ends. A resume on another host
// that found the lock held by a host that died waits for this.
func (s *Store) WaitUnlocked(ctx context.Context, plan string) error {
	key := s.lockKey(plan)
	resp, err := s.cli.Get(ctx, key)
	if err != nil {
		return s.unreachable("read lock "+key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	for wr := range s.cli.Watch(ctx, key, clientv3.WithRev(resp.Header.Revision+1)) {
		for _, ev := range wr.Events {
			if ev.Type == mvccpb.DELETE {
				return nil
			}
		}
	}
	return fmt.Errorf("wait for lock %s: %w", key, context.Cause(ctx))
}

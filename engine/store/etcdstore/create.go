package etcdstore

import (
	"fmt"
	"io/fs"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// heldBy returns the etcd lock of plan that h is, or an error: a journal
// on etcd is written only under its plan's lock on the same store.
func (s *Store) heldBy(h store.Held, plan string) (*held, error) {
	hd, ok := h.(*held)
	if !ok || hd.s != s || hd.plan != plan {
		return nil, fmt.Errorf("a journal of plan %s on %s is written only under the plan's lock on it", plan, s.where)
	}
	return hd, nil
}

// Create writes the header of a new run's journal, with its sync mark at
// 0, in one transaction that the plan's lock fences and that refuses a
// journal already there.
func (s *Store) Create(h journal.Header, hl store.Held) (store.Journal, error) {
	hd, err := s.heldBy(hl, h.PlanName)
	if err != nil {
		return nil, err
	}
	name := s.runName(h.PlanName, h.RunID)
	head, err := journal.EncodeHeader(h)
	if err != nil {
		return nil, fmt.Errorf("create journal %s: %w", name, err)
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.CreateRevision(name+headKey), "=", 0),
		fence(hd.lockKey, hd.lease),
	).Then(
		clientv3.OpPut(name+headKey, string(head)),
		clientv3.OpPut(name+markKey, string(journal.EncodeMark(0))),
	).Else(clientv3.OpGet(name+headKey, clientv3.WithCountOnly())).Commit()
	switch {
	case err != nil:
		return nil, s.unreachable("create journal "+name, err)
	case resp.Succeeded:
		return newWriter(s, name, hd, 0), nil
	case resp.Responses[0].GetResponseRange().Count > 0:
		return nil, fmt.Errorf("create journal %s: %w", name, fs.ErrExist)
	}
	return nil, fmt.Errorf("create journal %s refused: %w: the plan's lock is no longer held with this run's lease", name, lock.ErrLost)
}

// Open opens a run's journal to append to it. A bad tail is cut back
// first (a copy of the journal as it was kept under P/kept/); damage
// followed by good records is refused with a *journal.CorruptError and
// nothing changes. Everything read is durable: etcd answers a read with
// what a quorum committed.
func (s *Store) Open(name string, hl store.Held) (store.Journal, *journal.Replay, error) {
	plan, _ := s.RunOf(name)
	hd, err := s.heldBy(hl, plan)
	if err != nil {
		return nil, nil, err
	}
	rk, err := s.readRun(name)
	if err != nil {
		return nil, nil, fmt.Errorf("open journal %s: %w", name, err)
	}
	rp, err := rk.parse()
	if err != nil {
		return nil, rp, err
	}
	if d := rp.Damage; d != nil {
		img := rk.image()
		d.Copy, err = s.replace(rk, img[:d.Offset], uint64(len(rp.Records)), fence(hd.lockKey, hd.lease))
		if err != nil {
			return nil, rp, err
		}
		d.Repaired = true
	}
	return newWriter(s, name, hd, uint64(len(rp.Records))), rp, nil
}

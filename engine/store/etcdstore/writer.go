package etcdstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
)

// The bounds of one append transaction: etcd refuses a transaction of
// more than --max-txn-ops operations (128 by default) or a request over
// --max-request-bytes (1.5 MiB by default). A sync of more records is
// written in several transactions, in order; a crash between them leaves
// a prefix of the records, as a crash leaves a file.
const (
	maxBatchRecords = 100
	maxBatchBytes   = 1 << 20
)

// writer appends to a run's journal on etcd.
//
// Append keeps the record's frame in memory; Sync writes every frame
// not yet written, with the sync mark, in one transaction (group commit:
// one round to the quorum per step, as one fsync per step for a file).
// The transaction is refused unless the previous record is there, the
// next one is not, and the plan's lock is still held with this run's
// lease (fencing): a process that lost its lock can never append again.
// A record is durable once the transaction commits, that is once a
// quorum of members has it.
type writer struct {
	s    *Store
	name string
	// lockKey and lease are the plan's lock as this run holds it: every
	// commit compares them (fencing).
	lockKey string
	lease   clientv3.LeaseID

	mu      sync.Mutex // guards the fields below
	seq     uint64     // seq of the last record appended
	pending [][]byte   // frames of the records after the last written
	err     error      // first failure: the writer is poisoned
	closed  bool

	syncMu sync.Mutex // serialises commits
	// synced is the seq of the last record committed; written under
	// syncMu, read without it (the lock's heartbeat reads it).
	synced atomic.Uint64
}

func newWriter(s *Store, name string, h *held, seq uint64) *writer {
	w := &writer{s: s, name: name, lockKey: h.lockKey, lease: h.lease, seq: seq}
	w.synced.Store(seq)
	return w
}

// Path returns the journal's name, P/runs/<plan>/<run>.
func (w *writer) Path() string { return w.name }

// Append numbers the record and keeps its frame for the next Sync. A
// zero Time is set to now; every Time is stored in UTC.
func (w *writer) Append(r journal.Record) (journal.Record, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.usable(); err != nil {
		return r, err
	}
	r.Seq = w.seq + 1
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	frame, err := journal.EncodeRecord(r)
	if err != nil {
		return r, err
	}
	w.pending = append(w.pending, frame)
	w.seq = r.Seq
	return r, nil
}

// usable returns why the writer cannot be used, or nil. w.mu is held.
func (w *writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return journal.ErrClosed
	}
	return nil
}

// AppendSync appends a record and makes it durable.
func (w *writer) AppendSync(r journal.Record) (journal.Record, error) {
	r, err := w.Append(r)
	if err != nil {
		return r, err
	}
	return r, w.Sync()
}

// Sync makes every record appended before the call durable. Concurrent
// callers share transactions: one whose records another's commit carried
// returns without one of its own.
func (w *writer) Sync() error {
	w.mu.Lock()
	target, err := w.seq, w.usable()
	w.mu.Unlock()
	if err != nil {
		return err
	}
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if w.synced.Load() >= target {
		return nil
	}
	return w.commitLocked()
}

// commitLocked writes every pending frame. w.syncMu is held.
func (w *writer) commitLocked() error {
	w.mu.Lock()
	frames, last, err := w.pending, w.seq, w.err
	w.pending = nil
	w.mu.Unlock()
	if err != nil {
		return err
	}
	first := last - uint64(len(frames)) + 1
	for len(frames) > 0 {
		n := batchLen(frames)
		if err := w.commit(first, frames[:n]); err != nil {
			w.mu.Lock()
			if w.err == nil {
				w.err = err
			}
			err = w.err
			w.mu.Unlock()
			return err
		}
		first += uint64(n)
		frames = frames[n:]
		w.synced.Store(first - 1)
	}
	return nil
}

// batchLen is how many of frames one transaction takes.
func batchLen(frames [][]byte) int {
	n, size := 0, 0
	for n < len(frames) && n < maxBatchRecords && (n == 0 || size+len(frames[n]) <= maxBatchBytes) {
		size += len(frames[n])
		n++
	}
	return n
}

// commit writes records first, first+1, … in one transaction. A try
// whose fate is unknown (no answer: a leader died with the proposal, the
// connection broke) is tried again until the store's timeout: the
// transaction's comparisons make that safe, and when a later try finds
// the records there, byte for byte, the earlier one committed.
func (w *writer) commit(first uint64, frames [][]byte) error {
	last := first + uint64(len(frames)) - 1
	prev := w.name + headKey
	if first > 1 {
		prev = recKey(w.name, first-1)
	}
	ops := make([]clientv3.Op, 0, len(frames)+1)
	for i, f := range frames {
		ops = append(ops, clientv3.OpPut(recKey(w.name, first+uint64(i)), string(f)))
	}
	ops = append(ops, clientv3.OpPut(w.name+markKey, string(journal.EncodeMark(last))))
	txn := func(ctx context.Context) (*clientv3.TxnResponse, error) {
		return w.s.cli.Txn(ctx).If(
			clientv3.Compare(clientv3.CreateRevision(prev), ">", 0),
			clientv3.Compare(clientv3.CreateRevision(recKey(w.name, first)), "=", 0),
			fence(w.lockKey, w.lease),
		).Then(ops...).Else(
			clientv3.OpGet(w.lockKey),
			clientv3.OpGet(prev, clientv3.WithCountOnly()),
		).Commit()
	}
	resp, tries, err := w.s.retry(txn)
	switch {
	case err != nil:
		// The last try may or may not have committed: only reading the
		// journal again (resume) tells.
		return w.s.unreachable(fmt.Sprintf("append records %d to %d to journal %s", first, last, w.name), err)
	case resp.Succeeded:
		return nil
	case tries > 1 && w.committed(first, frames):
		return nil
	}
	return w.refused(first, resp)
}

// committed reports whether records first, … hold exactly frames.
func (w *writer) committed(first uint64, frames [][]byte) bool {
	ctx, cancel := w.s.ctx()
	defer cancel()
	last := first + uint64(len(frames)) - 1
	resp, err := w.s.cli.Get(ctx, recKey(w.name, first), clientv3.WithRange(recKey(w.name, last+1)))
	if err != nil || len(resp.Kvs) != len(frames) {
		return false
	}
	for i, kv := range resp.Kvs {
		if !bytes.Equal(kv.Value, frames[i]) {
			return false
		}
	}
	return true
}

// refused explains a transaction whose comparison failed.
func (w *writer) refused(first uint64, resp *clientv3.TxnResponse) error {
	lockKVs := resp.Responses[0].GetResponseRange().Kvs
	if len(lockKVs) == 0 || clientv3.LeaseID(lockKVs[0].Lease) != w.lease {
		return fmt.Errorf("append to journal %s refused: %w: the plan's lock is no longer held with this run's lease "+
			"(it expired, was revoked by unlock, or another run holds the lock): this process writes nothing more", w.name, lock.ErrLost)
	}
	if resp.Responses[1].GetResponseRange().Count == 0 {
		return fmt.Errorf("append to journal %s refused: record %d is not there to append after", w.name, first-1)
	}
	return fmt.Errorf("append to journal %s refused: record %d is already there: %w", w.name, first, errOtherWriter)
}

// errOtherWriter is a record number already taken: another process
// appends to the run.
var errOtherWriter = errors.New("another process appends to this run")

// fence is the comparison every write of a run's journal makes: the
// plan's lock is held with the run's lease.
func fence(lockKey string, lease clientv3.LeaseID) clientv3.Cmp {
	return clientv3.Compare(clientv3.LeaseValue(lockKey), "=", lease)
}

// Close writes what was appended and not yet written. A poisoned writer
// is closed without writing and returns its error.
func (w *writer) Close() error {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	pending, poison := len(w.pending) > 0, w.err
	w.mu.Unlock()
	var err error
	if pending && poison == nil {
		err = w.commitLocked()
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	if err == nil {
		err = poison
	}
	return err
}

// Flush is Sync: appended records are kept in memory until a commit
// writes them, and nothing short of a commit outlives this process.
func (w *writer) Flush() error { return w.Sync() }

// Synced returns the seq of the last record committed.
func (w *writer) Synced() uint64 { return w.synced.Load() }

// KeepMark does nothing: every commit writes the sync mark in its own
// transaction.
func (w *writer) KeepMark() error { return nil }

// MarkErr is always nil: the mark is written with the records or not at
// all.
func (w *writer) MarkErr() error { return nil }

package etcdstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
)

// ErrDifferentRun is wrapped by Import when the store holds another
// journal under the same run id: it is never overwritten.
var ErrDifferentRun = errors.New("a different run of the same id is there")

// Imported says what Import did with a journal.
type Imported int

// What Import did.
const (
	// ImportedNew: the run was not there; it is now, whole.
	ImportedNew Imported = iota
	// ImportedRest: the store held the first records of it (an earlier
	// import cut short); the rest was written.
	ImportedRest
	// ImportedAlready: the store holds it already, or more of it (it
	// was imported and has run on since).
	ImportedAlready
)

// Import writes a journal kept elsewhere (a state dir's) to the store as
// run runID of plan: img is its image, clean (a torn tail cut off by the
// caller), mark its sync mark (0: none). It is idempotent: what is there
// already is compared byte for byte and kept; a different journal under
// the same run id is refused (ErrDifferentRun) and never overwritten. It
// refuses a run that holds its plan's lock on the store (it runs there).
func (s *Store) Import(plan, runID string, img []byte, mark uint64) (Imported, error) {
	name := s.runName(plan, runID)
	head, frames, err := journal.SplitImage(img)
	if err != nil {
		return 0, fmt.Errorf("import run %s: %w", runID, err)
	}
	if in, err := s.ReadLock(plan); err == nil && in.RunID == runID && !in.Expired {
		return 0, fmt.Errorf("import run %s: it holds the lock of plan %s on %s: it runs there", runID, plan, s.where)
	}
	have, there := 0, false
	rk, err := s.readRun(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return 0, err
	default:
		if have, err = rk.prefixOf(head, frames); err != nil {
			return 0, fmt.Errorf("import run %s of plan %s: %w", runID, plan, err)
		}
		if have >= len(frames) {
			return ImportedAlready, nil
		}
		there = true
	}
	if !there {
		if err := s.writeHead(name, head); err != nil {
			return 0, err
		}
	}
	if err := s.writeFrom(name, frames, have, max(mark, uint64(len(frames)))); err != nil {
		return 0, err
	}
	if there {
		return ImportedRest, nil
	}
	return ImportedNew, nil
}

// prefixOf returns how many of frames the run holds, as its first
// records, byte for byte: an error wrapping ErrDifferentRun when its
// header or any record it holds differs.
func (rk *runKeys) prefixOf(head []byte, frames [][]byte) (int, error) {
	if rk.head == nil || !bytes.Equal(rk.head.Value, head) {
		return 0, fmt.Errorf("%w: its header differs", ErrDifferentRun)
	}
	for i, kv := range rk.recs {
		if i >= len(frames) {
			break
		}
		if string(kv.Key) != recKey(rk.name, uint64(i+1)) || !bytes.Equal(kv.Value, frames[i]) {
			return 0, fmt.Errorf("%w: record %d differs", ErrDifferentRun, i+1)
		}
	}
	return min(len(rk.recs), len(frames)), nil
}

// writeHead writes a new run's head, with its sync mark at 0.
func (s *Store) writeHead(name string, head []byte) error {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(name+headKey), "=", 0)).
		Then(clientv3.OpPut(name+headKey, string(head)), clientv3.OpPut(name+markKey, string(journal.EncodeMark(0)))).Commit()
	if err != nil {
		return s.unreachable("import "+name, err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("import %s: it appeared on the store meanwhile; nothing written (import again)", name)
	}
	return nil
}

// writeFrom writes frames[from:] in transactions of at most
// maxBatchRecords, each requiring the record before it (or the head) and
// not the first of its own, each setting the sync mark to its last
// record, the last one to mark.
func (s *Store) writeFrom(name string, frames [][]byte, from int, mark uint64) error {
	for i := from; i < len(frames); {
		n := min(len(frames)-i, maxBatchRecords)
		prev := name + headKey
		if i > 0 {
			prev = recKey(name, uint64(i))
		}
		ops := make([]clientv3.Op, 0, n+1)
		for j := i; j < i+n; j++ {
			ops = append(ops, clientv3.OpPut(recKey(name, uint64(j+1)), string(frames[j])))
		}
		last := uint64(i + n)
		if i+n == len(frames) {
			last = mark
		}
		ops = append(ops, clientv3.OpPut(name+markKey, string(journal.EncodeMark(last))))
		ctx, cancel := s.ctx()
		resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(prev), ">", 0),
			clientv3.Compare(clientv3.CreateRevision(recKey(name, uint64(i+1))), "=", 0)).Then(ops...).Commit()
		cancel()
		if err != nil {
			return s.unreachable("import "+name, err)
		}
		if !resp.Succeeded {
			return fmt.Errorf("import %s: it changed on the store meanwhile; nothing more written (import again)", name)
		}
		i += n
	}
	return nil
}

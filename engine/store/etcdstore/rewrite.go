package etcdstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
)

// The bounds of what a repair writes: a transaction of at most
// maxRepairOps operations (etcd's default --max-txn-ops is 128), and the
// kept copy in chunks of keptChunk bytes (under --max-request-bytes).
const (
	maxRepairOps = 120
	keptChunk    = 512 << 10
)

// replace makes the journal rk was read from hold img, a clean image,
// with its sync mark at last: one transaction, refused if the journal's
// head or mark changed since rk was read (an append commits its mark).
// A copy of what rk holds is kept first, under P/kept/; its name is
// returned. Record keys whose value does not change are not written:
// a cut is a range delete and a few puts.
func (s *Store) replace(rk *runKeys, img []byte, last uint64, more ...clientv3.Cmp) (string, error) {
	head, frames, err := journal.SplitImage(img)
	if err != nil {
		return "", fmt.Errorf("repair journal %s: %w", rk.name, err)
	}
	ops := rk.changes(head, frames, last)
	if len(ops) > maxRepairOps {
		return "", fmt.Errorf("repair journal %s: it changes %d keys, more than one etcd transaction may (--max-txn-ops, 128 "+
			"by default): nothing changed", rk.name, len(ops))
	}
	cp, err := s.keepCopy(rk.name, rk.image())
	if err != nil {
		return "", err
	}
	cmps := append([]clientv3.Cmp{unchanged(rk.name+headKey, rk.head), unchanged(rk.name+markKey, rk.mark)}, more...)
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	switch {
	case err != nil:
		// It may have committed: the copy stays.
		return cp, s.unreachable("repair journal "+rk.name+" (a copy of it is kept as "+cp+")", err)
	case !resp.Succeeded:
		s.dropCopy(cp)
		return "", fmt.Errorf("repair journal %s: it changed while it was repaired (or the run's lock was lost): nothing changed", rk.name)
	}
	return cp, nil
}

// changes lists the operations that make rk's keys hold head and frames.
func (rk *runKeys) changes(head []byte, frames [][]byte, last uint64) []clientv3.Op {
	var ops []clientv3.Op
	if rk.head == nil || !bytes.Equal(rk.head.Value, head) {
		ops = append(ops, clientv3.OpPut(rk.name+headKey, string(head)))
	}
	old := map[string][]byte{}
	for _, kv := range rk.recs {
		old[string(kv.Key)] = kv.Value
	}
	for i, f := range frames {
		k := recKey(rk.name, uint64(i+1))
		if v, ok := old[k]; !ok || !bytes.Equal(v, f) {
			ops = append(ops, clientv3.OpPut(k, string(f)))
		}
	}
	ops = append(ops, clientv3.OpDelete(recKey(rk.name, uint64(len(frames)+1)), clientv3.WithRange(recEnd(rk.name))),
		clientv3.OpPut(rk.name+markKey, string(journal.EncodeMark(last))))
	return ops
}

// unchanged compares a key with the revision it was read at (absent:
// still absent).
func unchanged(key string, kv *mvccpb.KeyValue) clientv3.Cmp {
	if kv == nil {
		return clientv3.Compare(clientv3.CreateRevision(key), "=", 0)
	}
	return clientv3.Compare(clientv3.ModRevision(key), "=", kv.ModRevision)
}

// keepCopy writes img, a journal as it was, under a new name
// P/kept/<plan>/<run>.torn-<UTC time>, in chunks. A copy that could not
// be written whole is removed.
func (s *Store) keepCopy(name string, img []byte) (string, error) {
	plan, id := s.RunOf(name)
	base := s.prefix + keptDir + plan + "/" + id + ".torn-" + s.now().UTC().Format("20060102T150405Z")
	cp := base
	for i := 2; ; i++ {
		exists, err := s.exists(cp + "/")
		if err != nil {
			return "", err
		}
		if !exists {
			break
		}
		cp = base + "-" + strconv.Itoa(i)
	}
	for i := 0; i == 0 || i*keptChunk < len(img); i++ {
		chunk := img[i*keptChunk : min(len(img), (i+1)*keptChunk)]
		ctx, cancel := s.ctx()
		_, err := s.cli.Put(ctx, fmt.Sprintf("%s/%04d", cp, i), string(chunk))
		cancel()
		if err != nil {
			s.dropCopy(cp)
			return "", s.unreachable("keep a copy of journal "+name, err)
		}
	}
	return cp, nil
}

// exists reports whether any key starts with prefix.
func (s *Store) exists(prefix string) (bool, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, prefix, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return false, s.unreachable("look up "+prefix, err)
	}
	return resp.Count > 0, nil
}

// dropCopy removes a kept copy that says nothing (its repair did not
// happen); a failure leaves it, which misleads no one for long: its
// name says when it was made.
func (s *Store) dropCopy(cp string) {
	ctx, cancel := s.ctx()
	defer cancel()
	_, _ = s.cli.Delete(ctx, cp+"/", clientv3.WithPrefix())
}

// readKept reads a kept copy back whole.
func (s *Store) readKept(name string) ([]byte, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, name+"/", clientv3.WithPrefix())
	if err != nil {
		return nil, s.unreachable("read "+name, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, fmt.Errorf("read journal %s: %w", name, fs.ErrNotExist)
	}
	var img []byte
	for _, kv := range resp.Kvs {
		img = append(img, kv.Value...)
	}
	return img, nil
}

// image reads a journal's bytes: a run's, or a kept copy's.
func (s *Store) image(name string) ([]byte, error) {
	return s.ReadImage(name)
}

// Rescue reads what can be read of a journal whose header is damaged
// (journal.RescueImage).
func (s *Store) Rescue(name string) (*journal.Rescued, error) {
	img, err := s.image(name)
	if err != nil {
		return nil, err
	}
	return journal.RescueImage(name, img)
}

// Salvage returns the good records after a journal's first damage
// (journal.SalvageImage).
func (s *Store) Salvage(name string) ([]journal.Salvaged, error) {
	img, err := s.image(name)
	if err != nil {
		return nil, err
	}
	return journal.SalvageImage(name, img)
}

// RepairMarking repairs a run's journal as journal.RepairMarking repairs
// a file (the same code works out the repaired image), then writes it
// back in one transaction, a copy kept.
func (s *Store) RepairMarking(name string, force bool, mark journal.MarkFunc) (*journal.Damage, error) {
	if s.isKept(name) {
		return nil, fmt.Errorf("repair journal %s: a kept copy is never changed", name)
	}
	rk, err := s.readRun(name)
	if err != nil {
		return nil, fmt.Errorf("repair journal %s: %w", name, err)
	}
	rd, err := journal.RepairImage(name, rk.image(), force, mark)
	if rd == nil || err != nil {
		var d *journal.Damage
		if rd != nil {
			d = rd.Damage
		}
		return d, err
	}
	d := rd.Damage
	if d.Copy, err = s.replace(rk, rd.Image, uint64(rd.Kept+rd.Marked)); err != nil {
		return d, err
	}
	d.Repaired = true
	return d, nil
}

// Rewrite gives a run's journal header h, its records 1 to keep as they
// were and then recs (journal.RewriteImage), in one transaction, a copy
// kept; it returns the copy's name.
func (s *Store) Rewrite(name string, h journal.Header, keep int, recs []journal.Record) (string, error) {
	if s.isKept(name) {
		return "", fmt.Errorf("rewrite journal %s: a kept copy is never changed", name)
	}
	rk, err := s.readRun(name)
	if err != nil {
		return "", fmt.Errorf("rewrite journal %s: %w", name, err)
	}
	out, err := journal.RewriteImage(rk.image(), h, keep, recs)
	if err != nil {
		return "", fmt.Errorf("rewrite journal %s: %w", name, err)
	}
	return s.replace(rk, out, uint64(keep+len(recs)))
}

// AsideName returns name itself: a run set aside on etcd keeps its keys
// where they are, marked (SetAside).
func (s *Store) AsideName(name, _ string) string { return name }

// aside is the value of a run's set-aside mark.
type aside struct {
	At time.Time `json:"set_aside_at"`
}

// SetAside marks the run's journal set aside (P/runs/<plan>/<run>/aside):
// no listing takes it for a run since, and its keys stay, readable by
// their name.
func (s *Store) SetAside(name, _ string) error {
	v, err := json.Marshal(aside{At: s.now().UTC()})
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx()
	defer cancel()
	if _, err := s.cli.Put(ctx, name+asideKey, string(v)); err != nil {
		return s.unreachable("set aside journal "+name, err)
	}
	return nil
}

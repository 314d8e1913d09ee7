package etcdstore

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
)

// runKeys is what the cluster holds of one run's journal, as read at one
// revision.
type runKeys struct {
	name  string
	head  *mvccpb.KeyValue
	recs  []*mvccpb.KeyValue // record keys, in key order
	mark  *mvccpb.KeyValue
	aside *mvccpb.KeyValue
}

// readRun reads every key of the journal named name. None at all: an
// error wrapping fs.ErrNotExist.
func (s *Store) readRun(name string) (*runKeys, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, name+"/", clientv3.WithPrefix())
	if err != nil {
		return nil, s.unreachable("read journal "+name, err)
	}
	rk := splitRun(name, resp.Kvs)
	if rk.head == nil && len(rk.recs) == 0 {
		return nil, fmt.Errorf("read journal %s: %w", name, fs.ErrNotExist)
	}
	return rk, nil
}

// splitRun sorts the keys of one run's journal by what they hold.
func splitRun(name string, kvs []*mvccpb.KeyValue) *runKeys {
	rk := &runKeys{name: name}
	for _, kv := range kvs {
		switch k := string(kv.Key); {
		case k == name+headKey:
			rk.head = kv
		case k == name+markKey:
			rk.mark = kv
		case k == name+asideKey:
			rk.aside = kv
		case strings.HasPrefix(k, name+recDir):
			rk.recs = append(rk.recs, kv)
		}
	}
	return rk
}

// image returns the journal's bytes: the head, then every record's value
// in key order. A missing head reads as a header whose frame is empty,
// so that the records are still found (Rescue) and the header can be
// rebuilt (Rewrite).
func (rk *runKeys) image() []byte {
	var head []byte
	if rk.head != nil {
		head = rk.head.Value
	} else {
		head = append([]byte(journal.Magic), make([]byte, 8)...)
	}
	n := len(head)
	for _, kv := range rk.recs {
		n += len(kv.Value)
	}
	img := make([]byte, 0, n)
	img = append(img, head...)
	for _, kv := range rk.recs {
		img = append(img, kv.Value...)
	}
	return img
}

// parse reads the run's image as journal.Read reads a file.
func (rk *runKeys) parse() (*journal.Replay, error) {
	rp, _, err := journal.Parse(rk.name, rk.image())
	var he *journal.HeaderError
	if rk.head == nil && errors.As(err, &he) {
		he.Reason = "its header key " + rk.name + headKey + " is missing"
	}
	return rp, err
}

// Read reads a journal without changing it: a run's keys, or a kept
// copy.
func (s *Store) Read(name string) (*journal.Replay, error) {
	if s.isKept(name) {
		img, err := s.readKept(name)
		if err != nil {
			return nil, err
		}
		rp, _, err := journal.Parse(name, img)
		return rp, err
	}
	rk, err := s.readRun(name)
	if err != nil {
		return nil, err
	}
	return rk.parse()
}

// ReadImage returns the journal's bytes as a file would hold them.
func (s *Store) ReadImage(name string) ([]byte, error) {
	if s.isKept(name) {
		return s.readKept(name)
	}
	rk, err := s.readRun(name)
	if err != nil {
		return nil, err
	}
	return rk.image(), nil
}

// List lists the runs of plan ("": of every plan) that are not set
// aside, sorted by plan and run id, each read whole (damage is listed,
// not repaired), in one request.
func (s *Store) List(plan string) ([]journal.RunInfo, error) {
	dir := s.prefix + runsDir
	if plan != "" {
		dir += plan + "/"
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, dir, clientv3.WithPrefix())
	if err != nil {
		return nil, s.unreachable("list runs", err)
	}
	groups := map[string][]*mvccpb.KeyValue{}
	var names []string
	for _, kv := range resp.Kvs {
		p, id, ok := s.runOfKey(string(kv.Key))
		if !ok {
			continue
		}
		name := s.runName(p, id)
		if groups[name] == nil {
			names = append(names, name)
		}
		groups[name] = append(groups[name], kv)
	}
	var runs []journal.RunInfo
	for _, name := range names {
		rk := splitRun(name, groups[name])
		if rk.aside != nil {
			continue // set aside: kept, not listed
		}
		p, id := s.RunOf(name)
		rp, err := rk.parse()
		runs = append(runs, journal.Describe(p, id, name, rp, err))
	}
	journal.SortRuns(runs)
	return runs, nil
}

// runOfKey reads plan and run id from a key under P/runs/.
func (s *Store) runOfKey(key string) (plan, runID string, ok bool) {
	rest, ok := strings.CutPrefix(key, s.prefix+runsDir)
	if !ok {
		return "", "", false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 3 || !journal.ValidRunID(parts[1]) {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// Locate accepts the key of a run's journal (P/runs/<plan>/<run>) or of
// a kept copy (P/kept/<plan>/<copy>), when it exists.
func (s *Store) Locate(arg string) (string, error) {
	arg = strings.TrimRight(arg, "/")
	if !strings.HasPrefix(arg, s.prefix+runsDir) && !s.isKept(arg) {
		return "", fmt.Errorf("%q is neither a run id (e.g. 20261126T031500Z-3f9a) nor the key of a journal under %s",
			arg, s.prefix+runsDir)
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, arg+"/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return "", s.unreachable("look up "+arg, err)
	}
	if resp.Count == 0 {
		return "", fmt.Errorf("no journal %s on %s: %w", arg, s.where, fs.ErrNotExist)
	}
	return arg, nil
}

// ReadMark reads the journal's sync mark, P/runs/<plan>/<run>/seq. The
// writer sets it in the transaction of every append: it says what the
// run made durable even if records are deleted later.
func (s *Store) ReadMark(name string) (uint64, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, name+markKey)
	if err != nil {
		return 0, s.unreachable("read sync mark", err)
	}
	if len(resp.Kvs) == 0 {
		return 0, fmt.Errorf("read sync mark: %w", fs.ErrNotExist)
	}
	seq, err := journal.DecodeMark(resp.Kvs[0].Value)
	if err != nil {
		return 0, fmt.Errorf("read sync mark %s%s: %w", name, markKey, err)
	}
	return seq, nil
}

// WriteMark sets the journal's sync mark.
func (s *Store) WriteMark(name string, seq uint64) error {
	ctx, cancel := s.ctx()
	defer cancel()
	if _, err := s.cli.Put(ctx, name+markKey, string(journal.EncodeMark(seq))); err != nil {
		return s.unreachable("write sync mark", err)
	}
	return nil
}

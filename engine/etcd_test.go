package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
	"github.com/failover-dev/failover/plans"
)

func chainPlan(n int) *plans.Plan {
	var steps []*plans.Step
	for i := 1; i <= n; i++ {
		var needs []string
		if i > 1 {
			needs = []string{fmt.Sprintf("s%d", i-1)}
		}
		steps = append(steps, step(fmt.Sprintf("s%d", i), needs, nil))
	}
	return newPlan(steps...)
}

// TestEtcdFiveHostsApplyAtOnce: five hosts, each with its own client to
// one of the members, apply the same plan at once; exactly one runs, the
// others are refused naming it, and there is one run.
func TestEtcdFiveHostsApplyAtOnce(t *testing.T) {
	c := sharedCluster(t)
	prefix := prefixOfStore(etcdState(t, c))
	rc := newRecorder()
	p := newPlan(step("gate", nil, nil))
	lost := make(chan struct{}, 5)
	rc.onStart = func(string) {
		// The winner runs until the four others were refused: all five
		// applied while a run was going on.
		for range 4 {
			select {
			case <-lost:
			case <-time.After(time.Minute):
				t.Error("the others did not come back")
				return
			}
		}
	}
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range 5 {
		cfg := testConfig(t, p, rc)
		cfg.State = etcdstore.New(c.Client(t, c.Members[i%3].ClientAddr), prefix, 5*time.Second)
		cfg.Host = fmt.Sprintf("host-%d", i)
		wg.Go(func() {
			_, errs[i] = Run(context.Background(), cfg)
			if errs[i] != nil {
				lost <- struct{}{}
			}
		})
	}
	wg.Wait()
	ran := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ran++
		case ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "is held by run"):
			t.Errorf("a host that did not run: %v, want refused as held", err)
		}
	}
	if ran != 1 || rc.count("gate") != 1 {
		t.Fatalf("%d hosts ran, gate ran %d times: %v", ran, rc.count("gate"), errs)
	}
	runs, err := etcdstore.New(c.Client(t), prefix, 5*time.Second).List(p.Name)
	if err != nil || len(runs) != 1 {
		t.Errorf("runs %d, %v; want one", len(runs), err)
	}
}

// durable wraps a backend and remembers every record a sync confirmed:
// what the engine was told is durable.
type durable struct {
	store.Backend
	mu   sync.Mutex
	recs map[uint64]journal.Record
}

func (d *durable) Create(h journal.Header, held store.Held) (store.Journal, error) {
	j, err := d.Backend.Create(h, held)
	if err != nil {
		return nil, err
	}
	return &durableJournal{Journal: j, d: d}, nil
}

func (d *durable) Open(name string, held store.Held) (store.Journal, *journal.Replay, error) {
	j, rp, err := d.Backend.Open(name, held)
	if err != nil {
		return nil, rp, err
	}
	return &durableJournal{Journal: j, d: d}, rp, nil
}

type durableJournal struct {
	store.Journal
	d        *durable
	mu       sync.Mutex
	appended []journal.Record
}

func (j *durableJournal) Append(r journal.Record) (journal.Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, err := j.Journal.Append(r)
	if err == nil {
		j.appended = append(j.appended, r)
	}
	return r, err
}

func (j *durableJournal) Sync() error {
	err := j.Journal.Sync()
	if err == nil {
		j.confirm()
	}
	return err
}

func (j *durableJournal) AppendSync(r journal.Record) (journal.Record, error) {
	r, err := j.Append(r)
	if err != nil {
		return r, err
	}
	return r, j.Sync()
}

func (j *durableJournal) confirm() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.d.mu.Lock()
	defer j.d.mu.Unlock()
	for _, r := range j.appended {
		if r.Seq <= j.Journal.Synced() {
			j.d.recs[r.Seq] = r
		}
	}
}

// TestEtcdLeaderKilledMidRun: the cluster's leader is killed while a run
// goes on. The run either continues (a new leader within about a second)
// or stops cleanly; either way every record the engine was told durable
// is in the journal on the members left, resume finishes the run, and
// each step ran once.
func TestEtcdLeaderKilledMidRun(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	rc := newRecorder()
	d := &durable{Backend: etcdState(t, c), recs: map[uint64]journal.Record{}}
	cfg := testConfig(t, chainPlan(8), rc)
	cfg.State, cfg.Host = d, "host-a"
	killed := -1
	rc.onStart = func(id string) {
		if id == "s4" {
			killed = c.Leader()
			c.Kill(killed)
		}
	}
	_, runErr := Run(context.Background(), cfg)
	if killed < 0 {
		t.Fatal("no leader to kill")
	}
	t.Logf("leader m%d killed during s4; the run: %v", killed, runErr)
	left := etcdstore.New(c.Client(t), prefixOfStore(d.Backend), 5*time.Second)
	runs, err := left.List(cfg.Plan.Name)
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs on the members left: %d, %v", len(runs), err)
	}
	rep, err := left.Read(runs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	for seq, r := range d.recs {
		if int(seq) > len(rep.Records) || rep.Records[seq-1].Type != r.Type || rep.Records[seq-1].Step != r.Step {
			t.Errorf("record %d (%s %s) was synced, and is not in the journal", seq, r.Type, r.Step)
		}
	}
	t.Logf("%d records confirmed durable, %d in the journal", len(d.recs), len(rep.Records))
	d.mu.Unlock()
	if runErr != nil {
		cfg.State, cfg.Host = left, "host-b"
		finish(t, cfg, rc)
	}
	for i := 1; i <= 8; i++ {
		if n := rc.count(fmt.Sprintf("s%d", i)); n != 1 {
			t.Errorf("s%d ran %d times, want once", i, n)
		}
	}
}

// prefixOfStore is the key prefix of an etcd store.
func prefixOfStore(b store.Backend) string {
	return strings.TrimSuffix(b.JournalName("", ""), "/runs//")
}

// finish resumes a stopped run until it ends, as an operator would: once
// the lock is free, and answering about a step in doubt from what the
// recorder saw (it ran: --mark-done; it did not: --retry).
func finish(t *testing.T, cfg Config, rc *recorder) {
	t.Helper()
	waitLockFree(t, cfg)
	var opts ResumeOptions
	for range 5 {
		_, err := Resume(context.Background(), cfg, opts)
		if err == nil {
			return
		}
		if ExitCode(err) != ExitWaiting {
			t.Fatalf("resume: %v", err)
		}
		opts = ResumeOptions{Note: "checked the recorder"}
		rep, _ := cfg.State.Read(latest(t, cfg).Path)
		for id, st := range Fold(rep).Steps {
			switch {
			case st.State != StateInDoubt:
			case rc.count(id) > 0:
				opts.MarkDone = append(opts.MarkDone, id)
			default:
				opts.Retry = append(opts.Retry, id)
			}
		}
	}
	t.Fatal("the run did not finish")
}

func latest(t *testing.T, cfg Config) journal.RunInfo {
	t.Helper()
	runs, err := cfg.State.List(cfg.Plan.Name)
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs: %v", err)
	}
	return LatestRun(runs)
}

// waitLockFree waits until the plan's lock is free or its lease ended.
func waitLockFree(t *testing.T, cfg Config) {
	t.Helper()
	waitUnlocked(t, cfg.State.(*etcdstore.Store), cfg.Plan.Name)
}

// TestEtcdPartitionedHolder: the holder's host is cut off from the
// cluster (a proxy in front of its member drops everything) while step s3
// runs. Its renewals fail; once they have failed for the lease less its
// margin — by its own clock, the test's, while the lease is still alive
// on the cluster — it starts no further step, and says why. Another host
// resumes once the lease ended: s1 and s2 never run again, s3 (whose
// outcome never reached the cluster) is in doubt and left to the
// operator, and each step runs once in all.
func TestEtcdPartitionedHolder(t *testing.T) {
	c := sharedCluster(t)
	px := etcdtest.NewProxy(t, c.Members[0].ClientAddr)
	prefix := prefixOfStore(etcdState(t, c))
	rc := newRecorder()
	cfg := testConfig(t, chainPlan(5), rc)
	cfg.State = etcdstore.New(c.Client(t, px.Addr), prefix, 500*time.Millisecond)
	cfg.Host, cfg.LockLease = "host-a", 4*time.Second
	clock := cfg.Clock.(*fakeClock)
	other := etcdstore.New(c.Client(t, c.Members[1].ClientAddr), prefix, 5*time.Second)
	var aliveWhenGivenUp bool
	rc.onStart = func(id string) {
		if id != "s3" {
			return
		}
		px.Cut()
		clock.advance(time.Second)
		clock.tick() // a renewal, which fails
		clock.advance(2 * time.Second)
		// 3s of a 4s lease without a renewal: from now on the holder
		// starts nothing. Is its lease still alive on the cluster?
		in, err := other.ReadLock(cfg.Plan.Name)
		aliveWhenGivenUp = err == nil && !in.Expired && in.Host == "host-a"
	}
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "lost the plan's lock") {
		t.Fatalf("the cut-off holder: %v, want it stopped for its lost lock", err)
	}
	if !aliveWhenGivenUp {
		t.Error("the holder gave up only once its lease was no longer alive on the cluster")
	}
	if n := rc.count("s4"); n != 0 {
		t.Fatalf("the cut-off holder started s4 (%d times)", n)
	}
	cfg2 := testConfig(t, cfg.Plan, rc)
	cfg2.State, cfg2.Host = other, "host-b"
	waitLockFree(t, cfg2)
	_, err = Resume(context.Background(), cfg2, ResumeOptions{})
	if ExitCode(err) != ExitWaiting {
		t.Fatalf("resume on host-b: %v, want it waiting for the operator on s3", err)
	}
	finish(t, cfg2, rc)
	for i := 1; i <= 5; i++ {
		if n := rc.count(fmt.Sprintf("s%d", i)); n != 1 {
			t.Errorf("s%d ran %d times, want once", i, n)
		}
	}
	rep, _ := other.Read(latest(t, cfg2).Path)
	if rs := Fold(rep); len(rs.TakeOvers) != 1 || rs.TakeOvers[0].Host != "host-a" || rs.Ended != RunSucceeded {
		t.Errorf("takeovers %+v, ended %q", rs.TakeOvers, rs.Ended)
	}
}

package etcdstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
)

// TestFencing: once the lease of the plan's lock is gone (revoked here,
// as unlock does), every append of the run that held it is refused,
// whatever that process believes: nothing reaches the journal.
func TestFencing(t *testing.T) {
	s := etcdStore(t)
	h, w := newRun(t, s, "plan", runID(1), 2)
	if _, err := w.Append(rec(2)); err != nil {
		t.Fatal(err)
	}
	revoke(t, s, h)
	_, err := w.AppendSync(rec(3))
	if !errors.Is(err, lock.ErrLost) {
		t.Fatalf("AppendSync after the lease was revoked: %v, want ErrLost", err)
	}
	if _, err := w.AppendSync(rec(4)); !errors.Is(err, lock.ErrLost) {
		t.Errorf("a later append: %v, want the writer poisoned with ErrLost", err)
	}
	if rp, err := s.Read(w.Path()); err != nil || len(rp.Records) != 2 {
		t.Fatalf("journal after refused appends: %d records, %v; want 2", len(rp.Records), err)
	}
	if seq, _ := s.ReadMark(w.Path()); seq != 2 {
		t.Errorf("sync mark %d, want 2", seq)
	}
	if _, err := s.Create(journal.Header{PlanName: "plan", RunID: runID(2)}, h); !errors.Is(err, lock.ErrLost) {
		t.Errorf("Create under a lost lock: %v, want ErrLost", err)
	}
}

// revoke revokes the lease of h from another client, as an unlock on
// another host does.
func revoke(t *testing.T, s *etcdstore.Store, h store.Held) {
	t.Helper()
	if _, err := s.Client().Revoke(t.Context(), clientv3.LeaseID(h.Info().LeaseID)); err != nil {
		t.Fatal(err)
	}
}

// TestExpiredLeaseIsTakenOverFromAnyHost: a holder that stops renewing
// (its host died) loses its lock when the lease runs out; the holder key
// still names it, so that a resume on another host knows whose lock it
// takes over.
func TestExpiredLeaseIsTakenOverFromAnyHost(t *testing.T) {
	s := etcdStore(t)
	old := mustAcquire(t, s, "plan", lock.Info{RunID: "r1", Host: "host-a", PID: 4242, Lease: time.Second, Synced: 5})
	waitDeleted(t, s, "/locks/plan/lock")
	got, err := s.ReadLock("plan")
	if err != nil || !got.Expired || got.RunID != "r1" || got.Synced != 5 || got.Judge(time.Now()) != lock.Expired {
		t.Fatalf("ReadLock after the lease ran out: %+v, %v; want r1, expired", got, err)
	}
	_, err = s.Acquire("plan", lock.Info{RunID: "r1", Host: "host-b"})
	var held *lock.HeldError
	if !errors.As(err, &held) || !held.Expired || !held.Gone() {
		t.Fatalf("Acquire: %v, want held by an expired holder", err)
	}
	h, err := s.TakeOver("plan", lock.Info{RunID: "r1", Host: "host-b"}, held.Holder)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ReadLock("plan"); got.Host != "host-b" || got.Expired {
		t.Errorf("lock after the takeover: %+v", got)
	}
	waitFor(t, "the old holder to see its lock lost", func() bool { return errors.Is(old.Err(), lock.ErrLost) })
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
}

// waitDeleted waits for the delete event of a key under the store's
// prefix (a lease that ran out).
func waitDeleted(t *testing.T, s *etcdstore.Store, key string) {
	t.Helper()
	key = prefixOf(s) + key
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp, err := s.Client().Get(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return
	}
	for wr := range s.Client().Watch(ctx, key, clientv3.WithRev(resp.Header.Revision+1)) {
		for _, ev := range wr.Events {
			if ev.Type == clientv3.EventTypeDelete {
				return
			}
		}
	}
	t.Fatalf("%s was not deleted: %v", key, ctx.Err())
}

// TestUnlockIsSeenAtOnce: a lock broken from another host is reported
// lost by its holder as soon as etcd tells it, not at its next renewal.
func TestUnlockIsSeenAtOnce(t *testing.T) {
	s := etcdStore(t)
	h := mustAcquire(t, s, "plan", lock.Info{RunID: "r1", Host: "host-a"})
	other := etcdstore.New(shared.Client(t), prefixOf(s), 5*time.Second)
	if err := other.BreakLock("plan", "r1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the holder to see its lock lost", func() bool { return errors.Is(h.Err(), lock.ErrLost) })
}

func prefixOf(s *etcdstore.Store) string {
	name := s.JournalName("p", "r")
	return name[:len(name)-len("/runs/p/r")]
}

// TestRenewalFailureStopsBeforeExpiry: a holder cut off from the cluster
// (a network partition: here a proxy that drops everything) sees its
// renewals fail, and says its lock is lost once they have failed for
// the lease less its safety margin — while the lease is still alive on
// the cluster, so before any other host can take the lock. Its ticks and
// clock are the test's.
func TestRenewalFailureStopsBeforeExpiry(t *testing.T) {
	px := etcdtest.NewProxy(t, shared.Members[0].ClientAddr)
	prefix := prefixOf(etcdStore(t))
	cut := etcdstore.New(shared.Client(t, px.Addr), prefix, 300*time.Millisecond)
	watcher := etcdstore.New(shared.Client(t, shared.Members[1].ClientAddr), prefix, 5*time.Second)
	clock := newClock()
	h := mustAcquire(t, cut, "plan", lock.Info{RunID: "r1", Host: "host-a", Lease: 4 * time.Second, Heartbeat: clock.Now()})
	tickCh := make(chan time.Time)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h.HeartbeatOn(ctx, tickCh, clock.Now)
	var synced atomic.Uint64
	h.Track(synced.Load)
	synced.Store(3)
	tick(tickCh, clock)
	if err := h.Err(); err != nil {
		t.Fatalf("after a renewal: %v", err)
	}
	if got, _ := watcher.ReadLock("plan"); got == nil || got.Synced != 3 || !got.Heartbeat.Equal(clock.Now()) {
		t.Fatalf("the renewal did not write the heartbeat and synced seq: %+v", got)
	}
	px.Cut()
	clock.advance(time.Second)
	tick(tickCh, clock) // fails: cut off
	if err := h.Err(); err == nil || errors.Is(err, lock.ErrLost) {
		t.Fatalf("after one failed renewal, 1s into a 4s lease: %v, want a renewal failure, not lost", err)
	}
	clock.advance(2 * time.Second) // 3s: the lease less its margin
	if err := h.Err(); !errors.Is(err, lock.ErrLost) {
		t.Fatalf("3s into a 4s lease without renewal: %v, want ErrLost", err)
	}
	if got, err := watcher.ReadLock("plan"); err != nil || got.Expired || got.RunID != "r1" {
		t.Errorf("when the holder gave up, the lease was not alive on the cluster any more: %+v, %v", got, err)
	}
	waitDeleted(t, watcher, "/locks/plan/lock")
	if _, err := watcher.TakeOver("plan", lock.Info{RunID: "r1", Host: "host-b"}, *mustRead(t, watcher)); err != nil {
		t.Fatalf("take over after the lease ran out: %v", err)
	}
}

func mustRead(t *testing.T, s *etcdstore.Store) *lock.Info {
	t.Helper()
	in, err := s.ReadLock("plan")
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// clock is a test clock: it moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// tick makes the heartbeat renew once and returns once it is over: the
// second send waits for the heartbeat to come back for it.
func tick(ch chan time.Time, c *clock) {
	ch <- c.Now()
	ch <- c.Now()
}

// TestReleaseRevokesTheLease: a released lock leaves no key and no
// lease behind.
func TestReleaseRevokesTheLease(t *testing.T) {
	s := etcdStore(t)
	h, err := s.Acquire("plan", lock.Info{RunID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	id := clientv3.LeaseID(h.Info().LeaseID)
	if err := h.Release(); err != nil {
		t.Fatal(err)
	}
	ttl, err := s.Client().TimeToLive(t.Context(), id)
	if err != nil || ttl.TTL != -1 {
		t.Errorf("lease after Release: TTL %d, %v; want revoked (-1)", ttl.TTL, err)
	}
	if _, err := s.ReadLock("plan"); err == nil {
		t.Error("a lock is left after Release")
	}
}

// TestOneOfFiveHostsAcquires: five hosts take a plan's lock at once;
// exactly one gets it, the others are told who holds it.
func TestOneOfFiveHostsAcquires(t *testing.T) {
	for round := range 10 {
		prefix := prefixOf(etcdStore(t))
		var wins atomic.Int32
		var wg sync.WaitGroup
		errs := make([]error, 5)
		for i := range 5 {
			wg.Go(func() {
				s := etcdstore.New(shared.Client(t, shared.Members[i%3].ClientAddr), prefix, 5*time.Second)
				_, err := s.Acquire("plan", lock.Info{RunID: "r" + string(rune('0'+i)), Host: "host-" + string(rune('a'+i))})
				if err == nil {
					wins.Add(1)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d hosts got the lock: %v", round, wins.Load(), errs)
		}
		for _, err := range errs {
			var held *lock.HeldError
			if err != nil && !errors.As(err, &held) {
				t.Errorf("round %d: a loser's error: %v, want HeldError", round, err)
			}
		}
	}
}

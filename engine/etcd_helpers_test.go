package engine

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
	"github.com/failover-dev/failover/plans"
)

// One three-member cluster serves the etcd tests that do not harm it,
// each under a prefix of its own; it starts with the first of them.
var (
	sharedOnce sync.Once
	sharedDir  string
	shared     *etcdtest.Cluster
	sharedErr  error
)

func sharedCluster(t *testing.T) *etcdtest.Cluster {
	t.Helper()
	sharedOnce.Do(func() {
		if sharedDir, sharedErr = os.MkdirTemp("", "engine-etcd-"); sharedErr == nil {
			shared, sharedErr = etcdtest.New(sharedDir, etcdtest.Options{})
		}
	})
	if sharedErr != nil {
		t.Fatalf("start the shared etcd cluster: %v", sharedErr)
	}
	return shared
}

func stopSharedCluster() {
	if shared != nil {
		shared.Stop()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}

// etcdState is a store on cluster c (the shared one when nil) under a
// fresh prefix, through endpoints (default: every member).
func etcdState(t *testing.T, c *etcdtest.Cluster, endpoints ...string) *etcdstore.Store {
	t.Helper()
	if c == nil {
		c = sharedCluster(t)
	}
	return etcdstore.New(c.Client(t, endpoints...), etcdtest.Prefix(t), 5*time.Second)
}

// backend is a way to keep state: the test's config for a plan on it,
// and how a holder of the plan's lock is gone for good on it.
type backend struct {
	name string
	// config returns the test config of p with its state on the backend.
	config func(t *testing.T, p *plans.Plan, rc *recorder) Config
}

// backends are the state dir and etcd, for tests that run the same
// scenario on both.
func backends() []backend {
	return []backend{
		{name: "local", config: func(t *testing.T, p *plans.Plan, rc *recorder) Config {
			cfg := testConfig(t, p, rc)
			cfg.Host = lock.Hostname()
			return cfg.withDefaults()
		}},
		{name: "etcd", config: func(t *testing.T, p *plans.Plan, rc *recorder) Config {
			cfg := testConfig(t, p, rc)
			cfg.State, cfg.Host = etcdState(t, nil), "host-b"
			return cfg.withDefaults()
		}},
	}
}

// isEtcd reports whether cfg keeps its state on etcd.
func isEtcd(cfg Config) bool {
	_, ok := cfg.State.(*etcdstore.Store)
	return ok
}

// diedRun writes, through cfg.State, the journal of a run whose holder
// died after recs, and leaves its lock as a dead holder leaves it: on
// etcd a lease that ran out (the run was on host-a); in a state dir a
// lock of a process gone from this host. It returns the run id.
func diedRun(t *testing.T, cfg Config, recs ...journal.Record) string {
	t.Helper()
	cfg = cfg.withDefaults()
	id := journal.NewRunID(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
	info := lock.Info{RunID: id, User: "tester", Host: lock.Hostname(), PID: deadPID(t)}
	if isEtcd(cfg) {
		info = lock.Info{RunID: id, User: "tester", Host: "host-a", PID: 4242, Lease: time.Second}
	}
	h, err := cfg.State.Acquire(cfg.Plan.Name, info)
	if err != nil {
		t.Fatalf("acquire as the run that dies: %v", err)
	}
	w, err := cfg.State.Create(journal.Header{PlanName: cfg.Plan.Name, PlanHash: cfg.Plan.Hash, RunID: id,
		Host: info.Host, StepHashes: stepHashes(cfg.Plan), Started: time.Now()}, h)
	if err != nil {
		t.Fatalf("create journal: %v", err)
	}
	if err := w.KeepMark(); err != nil {
		t.Fatal(err)
	}
	recs = append([]journal.Record{{Type: RecRunStarted, Run: &journal.RunStart{Host: info.Host, PID: info.PID}}}, recs...)
	for _, r := range recs {
		if _, err := w.AppendSync(r); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if s, ok := cfg.State.(*etcdstore.Store); ok {
		// The host dies: nothing renews the lease, and etcd ends it.
		waitUnlocked(t, s, cfg.Plan.Name)
	}
	return id
}

// waitUnlocked waits until the plan's lock key on etcd is gone (its
// lease ended).
func waitUnlocked(t *testing.T, s *etcdstore.Store, plan string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.WaitUnlocked(ctx, plan); err != nil {
		t.Fatal(err)
	}
}

// onBackends runs f on the state dir and on etcd, as parallel subtests,
// each with a recorder of its own.
func onBackends(t *testing.T, f func(t *testing.T, bk backend, rc *recorder)) {
	for _, bk := range backends() {
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			f(t, bk, newRecorder())
		})
	}
}

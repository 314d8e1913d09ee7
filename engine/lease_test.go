package engine

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/lock"
)

// A step that runs longer than the lock's lease: the heartbeat renews the
// lock meanwhile, so a second apply of the plan, started at once or after
// several leases, is refused as held by a live run (never as stale), and
// the step runs once.
func TestLongStepKeepsLockFresh(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("long", nil, map[string]any{"sleep": "1200ms"})), rc)
	cfg.Clock, cfg.Host, cfg.LockLease = nil, lock.Hostname(), 300*time.Millisecond
	var wg sync.WaitGroup
	errs := make([]error, 3)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errs[0] = Run(context.Background(), cfg)
	}()
	waitFor(t, func() bool { return rc.count("long") == 1 })
	first, err := lock.Read(cfg.StateDir, cfg.Plan.Name)
	if err != nil {
		t.Fatal(err)
	}
	// Two more applies race: one now, one after three leases.
	for i, after := range []time.Duration{0, 900 * time.Millisecond} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(after)
			_, errs[i+1] = Run(context.Background(), cfg)
		}()
	}
	time.Sleep(950 * time.Millisecond)
	later, err := lock.Read(cfg.StateDir, cfg.Plan.Name)
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if errs[0] != nil {
		t.Fatalf("the first run: %v", errs[0])
	}
	for _, err := range errs[1:] {
		if ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "held by run") || strings.Contains(err.Error(), "stale") {
			t.Errorf("a concurrent apply: %v, want refused as held by a live run", err)
		}
	}
	if !later.Heartbeat.After(first.Heartbeat) || later.RunID != first.RunID {
		t.Errorf("heartbeat not renewed during the step: %s then %s", first.Heartbeat, later.Heartbeat)
	}
	if n := rc.count("long"); n != 1 {
		t.Errorf("the step ran %d times, want once", n)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out waiting")
}

package engine

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

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

// A heartbeat that cannot be renewed stops the run only once the lease
// has run out (another host may then take the lock as stale); a failure
// shorter than the lease lets the next step start. The heartbeat ticks and
// time passes on the test's clock, never by racing the scheduler.
func TestRenewalFailureStopsOnlyPastTheLease(t *testing.T) {
	tests := []struct {
		name    string
		passes  time.Duration // while the renewal fails
		wantRun int           // calls of b
	}{
		{"within the lease", 10 * time.Second, 1},
		{"past the lease", 45 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
			clock := newFakeClock()
			cfg.Clock, cfg.LockLease = clock, 30*time.Second
			var logs syncBuffer
			cfg.Log = zerolog.New(&logs)
			path := lock.Path(cfg.StateDir, cfg.Plan.Name)
			rc.onStart = func(id string) {
				if id != "a" {
					return
				}
				// A directory where the lock file was: every renewal fails
				// to read it, and none says the lock is someone else's.
				if err := os.Rename(path, path+".away"); err != nil {
					t.Errorf("move the lock: %v", err)
				}
				if err := os.Mkdir(path, 0o755); err != nil {
					t.Errorf("block the lock: %v", err)
				}
				clock.advance(tt.passes)
				clock.tick()
			}
			_, err := Run(context.Background(), cfg)
			if n := rc.count("b"); n != tt.wantRun {
				t.Errorf("b ran %d times, want %d (err %v)", n, tt.wantRun, err)
			}
			if tt.wantRun == 1 && !strings.Contains(logs.String(), "cannot renew the plan's lock; steps start while its lease lasts") {
				t.Errorf("no renewal failed before b started, or it was not logged:\n%s", logs.String())
			}
			if tt.wantRun == 0 && (err == nil || !strings.Contains(err.Error(), "could not renew the plan's lock since")) {
				t.Errorf("err = %v, want the renewal failure past the lease named", err)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the log's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

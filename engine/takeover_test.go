package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
)

// A dead process's lock over an unfinished run: apply must leave it for
// resume, so that the takeover lands in that run's journal, not nowhere.
func TestApplyLeavesDeadLockOfUnfinishedRunToResume(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	cfg.Host = lock.Hostname()
	id := crashedRun(t, cfg, started("a"), succeeded("a", nil))
	dead := lock.Info{RunID: id, User: "tester", Host: lock.Hostname(), PID: deadPID(t)}
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, dead); err != nil {
		t.Fatalf("acquire as dead process: %v", err)
	}
	_, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), "failover resume") {
		t.Fatalf("apply: err = %v, want exit 2", err)
	}
	if info, rerr := lock.Read(cfg.StateDir, cfg.Plan.Name); rerr != nil || info.PID != dead.PID {
		t.Fatalf("apply touched the dead process's lock: %+v, %v", info, rerr)
	}
	sum, err := Resume(context.Background(), cfg, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if got := recordTypes(records(t, sum), ""); !slicesContains(got, RecLockTakenOver) {
		t.Errorf("records %v: the takeover by resume is not journaled", got)
	}
	if rc.count("a") != 0 || rc.count("b") != 1 {
		t.Errorf("calls a=%d b=%d, want 0 and 1", rc.count("a"), rc.count("b"))
	}
}

// A resume that takes over a dead process's lock and then refuses (the
// plan changed) has still taken the lock over: the journal says so.
func TestRefusedResumeStillJournalsTakeOver(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	cfg.Host = lock.Hostname()
	id := crashedRun(t, cfg, started("a"))
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: id, User: "tester",
		Host: lock.Hostname(), PID: deadPID(t)}); err != nil {
		t.Fatalf("acquire as dead process: %v", err)
	}
	cfg.Plan = newPlan(step("a", nil, map[string]any{"changed": true}))
	_, err := Resume(context.Background(), cfg, ResumeOptions{})
	var pc *PlanChangedError
	if !errors.As(err, &pc) {
		t.Fatalf("Resume: err = %v, want the changed plan refused", err)
	}
	rep := mustRead(t, journal.Path(cfg.StateDir, cfg.Plan.Name, id))
	if got := recordTypes(rep.Records, ""); !slicesContains(got, RecLockTakenOver) {
		t.Errorf("records %v: the takeover is not journaled", got)
	}
	if rc.count("a") != 0 {
		t.Errorf("a ran %d times, want 0", rc.count("a"))
	}
}

// A pid of this host that exists but does not renew the lock may be a pid
// reused after a reboot: the refusal says how to break the lock.
func TestHeldLockWithStaleHeartbeatOnThisHost(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	cfg.Host = lock.Hostname()
	old := cfg.Clock.Now().Add(-time.Hour)
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: "20261126T010000Z-b007", User: "bob",
		Host: lock.Hostname(), PID: os.Getpid(), Started: old, Heartbeat: old, Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), "`failover unlock test.yaml --run 20261126T010000Z-b007`") {
		t.Errorf("err = %v, want exit 2 naming the unlock", err)
	}
	if rc.count("a") != 0 {
		t.Errorf("a ran")
	}
}

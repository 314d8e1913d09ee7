package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
)

// The scenarios below run on the state dir and on etcd alike: every
// command keeps state through the backend, and the in-doubt protocol is
// the same on both. On etcd the resuming host is another one (host-b)
// than the one that died (host-a).

// TestBackendsResumeAfterTheHolderDied: the holder died with step b in
// doubt; resume takes its lock over (journaled, naming whose it was),
// never runs a again, waits for the operator on b (not idempotent), and
// after --mark-done runs c alone.
func TestBackendsResumeAfterTheHolderDied(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		p := newPlan(step("a", nil, nil), step("b", []string{"a"}, nil), step("c", []string{"b"}, nil))
		cfg := bk.config(t, p, rc)
		id := diedRun(t, cfg, started("a"), succeeded("a", nil), started("b"))
		_, err := Run(context.Background(), cfg)
		if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), "failover resume") {
			t.Fatalf("apply beside the unfinished run: %v, want it sent to resume", err)
		}
		_, err = Resume(context.Background(), cfg, ResumeOptions{})
		if ExitCode(err) != ExitWaiting {
			t.Fatalf("resume: %v, want waiting for the operator on b", err)
		}
		sum, err := Resume(context.Background(), cfg, ResumeOptions{MarkDone: []string{"b"}, Note: "checked"})
		if err != nil {
			t.Fatalf("resume --mark-done b: %v", err)
		}
		if got := calls(rc); got != "a=0 b=0 c=1" {
			t.Errorf("calls %s, want a=0 b=0 c=1", got)
		}
		rep, err := cfg.State.Read(sum.JournalPath)
		if err != nil {
			t.Fatal(err)
		}
		rs := Fold(rep)
		wantHost := lock.Hostname()
		if isEtcd(cfg) {
			wantHost = "host-a"
		}
		if len(rs.TakeOvers) != 1 || rs.TakeOvers[0].RunID != id || rs.TakeOvers[0].Host != wantHost {
			t.Errorf("takeovers %+v, want the lock of run %s on %s", rs.TakeOvers, id, wantHost)
		}
		if rs.Ended != RunSucceeded || len(rs.Sessions) != 3 {
			t.Errorf("run ended %q after %d sessions", rs.Ended, len(rs.Sessions))
		}
		if _, err := cfg.State.ReadLock(p.Name); err == nil {
			t.Errorf("a lock is left after the run")
		}
	})
}

// TestBackendsLostLockStopsTheRun: the lock broken while step a runs
// (unlock from another host): b never starts, and the run says why.
func TestBackendsLostLockStopsTheRun(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
		clock := cfg.Clock.(*fakeClock)
		rc.onStart = func(id string) {
			if id != "a" {
				return
			}
			info, err := cfg.State.ReadLock(cfg.Plan.Name)
			if err == nil {
				err = cfg.State.BreakLock(cfg.Plan.Name, info.RunID)
			}
			if err != nil {
				t.Errorf("break the lock: %v", err)
			}
			clock.tick() // the next renewal finds the lock gone (etcd's watch may have told already)
		}
		_, err := Run(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "lost the plan's lock") {
			t.Fatalf("err = %v, want the lost lock named", err)
		}
		if rc.count("b") != 0 {
			t.Errorf("b started without the lock")
		}
	})
}

// TestBackendsHeldLockRefusesApply: a live holder's lock refuses a second
// apply, naming the holder.
func TestBackendsHeldLockRefusesApply(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil)), rc)
		h, err := cfg.State.Acquire(cfg.Plan.Name, lock.Info{RunID: "20261126T010000Z-b007", User: "bob", Host: "elsewhere"})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Release()
		_, err = Run(context.Background(), cfg)
		if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), "held by run 20261126T010000Z-b007 (user bob on elsewhere") {
			t.Fatalf("apply: %v, want refused, naming the holder", err)
		}
		if isEtcd(cfg) && !strings.Contains(err.Error(), "failover unlock test.yaml --run 20261126T010000Z-b007") {
			t.Errorf("etcd: the refusal does not say how to revoke the lease at once: %v", err)
		}
		if rc.count("a") != 0 {
			t.Error("a ran beside a held lock")
		}
	})
}

// TestBackendsCutShortThenRepaired: a journal holding fewer records than
// its run synced (its sync mark says) is refused by resume; a forced
// repair journals the loss, and resume then asks about the steps not
// known done and never runs a again.
func TestBackendsCutShortThenRepaired(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
		id := diedRun(t, cfg, started("a"), succeeded("a", nil), started("b"))
		name := cfg.State.JournalName(cfg.Plan.Name, id)
		if err := cfg.State.WriteMark(name, 6); err != nil { // two records lost after these four
			t.Fatal(err)
		}
		_, err := Resume(context.Background(), cfg, ResumeOptions{})
		var te *TruncatedError
		if !errors.As(err, &te) || te.Records != 4 || te.Synced.Seq() != 6 {
			t.Fatalf("resume: %v, want 4 records refused against 6 synced", err)
		}
		if _, err := RepairJournal(cfg.State, name, false, "tester"); !errors.As(err, &te) {
			t.Fatalf("repair without force: %v", err)
		}
		rr, err := RepairJournal(cfg.State, name, true, "tester")
		if err != nil || rr.Missing != 2 || strings.Join(rr.InDoubt, ",") != "b" {
			t.Fatalf("repair --force: %+v, %v; want 2 missing, b in doubt", rr, err)
		}
		if _, err := cfg.State.Read(rr.Copy); err != nil {
			t.Errorf("the kept copy %s: %v", rr.Copy, err)
		}
		_, err = Resume(context.Background(), cfg, ResumeOptions{})
		if ExitCode(err) != ExitWaiting {
			t.Fatalf("resume after the repair: %v, want waiting for the operator on b", err)
		}
		if _, err := Resume(context.Background(), cfg, ResumeOptions{Retry: []string{"b"}, Note: "not done"}); err != nil {
			t.Fatal(err)
		}
		if got := calls(rc); got != "a=0 b=1 c=0" {
			t.Errorf("calls %s", got)
		}
	})
}

// TestBackendsRunAfresh: apply --new-run sets the unfinished run aside
// (not listed, still readable where the new run's journal says) and
// starts a new one, journaling which and why.
func TestBackendsRunAfresh(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil)), rc)
		id := diedRun(t, cfg, started("a"))
		last, why, err := Unfinished(cfg)
		if err != nil || last == nil || last.RunID != id || why == "" {
			t.Fatalf("Unfinished: %+v, %q, %v", last, why, err)
		}
		sum, err := RunAfresh(context.Background(), cfg, SetAside{RunID: id, How: "--yes"})
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := cfg.State.Read(sum.JournalPath)
		rs := Fold(rep)
		if len(rs.SetAside) != 1 || rs.SetAside[0].RunID != id || len(rs.TakeOvers) != 1 {
			t.Fatalf("set aside %+v, takeovers %+v", rs.SetAside, rs.TakeOvers)
		}
		if old, err := cfg.State.Read(rs.SetAside[0].KeptAs); err != nil || len(old.Records) != 2 {
			t.Errorf("the run set aside, as kept: %v", err)
		}
		runs, err := cfg.State.List(cfg.Plan.Name)
		if err != nil || len(runs) != 1 || runs[0].RunID != sum.RunID {
			t.Errorf("runs %+v, %v; want the new one alone", runs, err)
		}
	})
}

// TestBackendsInspectSeesTheUnfinishedRun: plan --check takes the steps
// the unfinished run did as done, on either backend, and takes no lock.
func TestBackendsInspectSeesTheUnfinishedRun(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
		id := diedRun(t, cfg, started("a"), succeeded("a", nil))
		rep, err := Inspect(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Run != id || rep.Steps[0].Verdict != VerdictDone || rep.Steps[1].Verdict == VerdictDone {
			t.Errorf("check report: run %q, steps %+v", rep.Run, rep.Steps)
		}
		if rc.count("a")+rc.count("b") != 0 {
			t.Error("inspect ran a step")
		}
	})
}

// TestBackendsLeftoverOnAnotherHost: the dead run's step b started a
// program on host-a, where failover cannot look. Resume says so and
// waits; the operator's --mark-done (journaled) is taken as the word that
// it has ended, and the run goes on without ever starting b again.
func TestBackendsLeftoverOnAnotherHost(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil), step("c", []string{"b"}, nil)), rc)
		diedRun(t, cfg, started("a"), succeeded("a", nil), started("b"), journal.Record{Type: RecStepProcess, Step: "b",
			Attempt: 1, Process: &journal.Process{PID: 4242, Group: 4242, Command: "restore-logs", Host: "host-a"}})
		_, err := Resume(context.Background(), cfg, ResumeOptions{})
		if ExitCode(err) != ExitWaiting || !strings.Contains(fmt.Sprint(err), "on host host-a (failover cannot look there): pid 4242") ||
			!strings.Contains(fmt.Sprint(err), "Check on that host that it has ended") {
			t.Fatalf("resume: %v, want it waiting, naming the program on host-a", err)
		}
		if _, err := Resume(context.Background(), cfg, ResumeOptions{MarkDone: []string{"b"}, Note: "host-a is down"}); err != nil {
			t.Fatalf("resume --mark-done b: %v", err)
		}
		if got := calls(rc); got != "a=0 b=0 c=1" {
			t.Errorf("calls %s", got)
		}
	})
}

// TestBackendsProcessRecordedAtOnce: the record of a program a step
// started is in the state while the step runs, not only once a later
// record is synced: failover killed then, its host and the program alive,
// a resume must find the program and never start the step beside it.
func TestBackendsProcessRecordedAtOnce(t *testing.T) {
	onBackends(t, func(t *testing.T, bk backend, rc *recorder) {
		cfg := bk.config(t, newPlan(step("a", nil, map[string]any{"pid": 4242})), rc)
		var found []journal.Record
		rc.onStart = func(string) {
			runs, err := cfg.State.List(cfg.Plan.Name)
			if err != nil || len(runs) != 1 {
				t.Errorf("runs %+v, %v", runs, err)
				return
			}
			rep, err := cfg.State.Read(runs[0].Path)
			if err != nil {
				t.Errorf("read the journal while a runs: %v", err)
				return
			}
			for _, r := range rep.Records {
				if r.Type == RecStepProcess {
					found = append(found, r)
				}
			}
		}
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].Process.PID != 4242 || found[0].Process.Host != cfg.Host {
			t.Errorf("while a ran, its journal held %+v; want the program it started (pid 4242 on %s)", found, cfg.Host)
		}
	})
}

package engine

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/plans"
)

// crashedRun writes the journal a run leaves when it dies after recs:
// no outcome for steps started last, no end of run.
func crashedRun(t *testing.T, cfg Config, recs ...journal.Record) string {
	t.Helper()
	id := journal.NewRunID(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
	path := journal.Path(cfg.StateDir, cfg.Plan.Name, id)
	w, err := journal.Create(journal.OSFS{}, path, journal.Header{PlanName: cfg.Plan.Name, PlanHash: cfg.Plan.Hash,
		RunID: id, StepHashes: stepHashes(cfg.Plan), Started: time.Now()})
	if err != nil {
		t.Fatalf("create journal: %v", err)
	}
	recs = append([]journal.Record{{Type: RecRunStarted}}, recs...)
	for _, r := range recs {
		if _, err := w.Append(r); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return id
}

func started(id string) journal.Record {
	return journal.Record{Type: RecStepStarted, Step: id, Attempt: 1}
}

func succeeded(id string, out map[string]any) journal.Record {
	return journal.Record{Type: RecStepSucceeded, Step: id, Attempt: 1, Outputs: out}
}

func TestResumeInDoubtStep(t *testing.T) {
	pass := []*plans.Check{chk(map[string]any{"pass": true, "key": "done"})}
	fail := []*plans.Check{chk(map[string]any{"pass": false, "key": "done"})}
	tests := []struct {
		name      string
		setup     func(s *plans.Step)
		wantCode  int
		wantCalls int
		wantState State
	}{
		{"not idempotent asks the operator", func(s *plans.Step) {}, ExitWaiting, 0, ""},
		{"idempotent type runs again", func(s *plans.Step) { s.Action = "test.idem" }, ExitOK, 1, StateSucceeded},
		{"idempotent step runs again", func(s *plans.Step) { s.Idempotent = true }, ExitOK, 1, StateSucceeded},
		{"skip_if says done", func(s *plans.Step) { s.SkipIf = pass }, ExitOK, 0, StateSatisfied},
		{"skip_if says not done asks the operator", func(s *plans.Step) { s.SkipIf = fail }, ExitWaiting, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			a := step("a", nil, nil)
			a.Description = "Promote the backup database"
			tt.setup(a)
			cfg := testConfig(t, newPlan(step("z", nil, nil), a, step("b", []string{"a"}, nil)), rc)
			crashedRun(t, cfg, started("z"), succeeded("z", nil), started("a"))
			sum, err := Resume(context.Background(), cfg, ResumeOptions{})
			if ExitCode(err) != tt.wantCode {
				t.Fatalf("err = %v, exit %d, want %d", err, ExitCode(err), tt.wantCode)
			}
			if rc.count("a") != tt.wantCalls || rc.count("z") != 0 {
				t.Errorf("calls a=%d z=%d, want a=%d z=0", rc.count("a"), rc.count("z"), tt.wantCalls)
			}
			if tt.wantCode == ExitWaiting {
				for _, want := range []string{"--retry a", "--mark-done a --note", "Promote the backup database", "attempt 1"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("message lacks %q:\n%s", want, err)
					}
				}
				return
			}
			if sum.Step("a").State != tt.wantState || sum.Step("b").State != StateSucceeded {
				t.Errorf("a %s, b %s; want a %s, b succeeded", sum.Step("a").State, sum.Step("b").State, tt.wantState)
			}
		})
	}
}

func TestResumeOperatorDecisions(t *testing.T) {
	tests := []struct {
		name      string
		opts      ResumeOptions
		wantCode  int
		wantCalls int
		wantRec   string
	}{
		{"mark done", ResumeOptions{MarkDone: []string{"a"}, Note: "db is ONLINE"}, ExitOK, 0, RecMarkedDone},
		{"retry", ResumeOptions{Retry: []string{"a"}, Note: "not applied"}, ExitOK, 1, RecRetryRequested},
		{"mark done needs a note", ResumeOptions{MarkDone: []string{"a"}}, ExitCannotRun, 0, ""},
		{"unknown step", ResumeOptions{Retry: []string{"nope"}}, ExitCannotRun, 0, ""},
		{"succeeded step is never retried", ResumeOptions{Retry: []string{"z"}}, ExitCannotRun, 0, ""},
		{"a step that never ran is not marked done", ResumeOptions{MarkDone: []string{"b"}, Note: "did it by hand"}, ExitCannotRun, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("z", nil, nil), step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
			crashedRun(t, cfg, started("z"), succeeded("z", nil), started("a"))
			sum, err := Resume(context.Background(), cfg, tt.opts)
			if ExitCode(err) != tt.wantCode {
				t.Fatalf("err = %v, exit %d, want %d", err, ExitCode(err), tt.wantCode)
			}
			if rc.count("a") != tt.wantCalls || rc.count("z") != 0 {
				t.Errorf("calls a=%d z=%d, want a=%d z=0", rc.count("a"), rc.count("z"), tt.wantCalls)
			}
			if tt.wantRec == "" {
				return
			}
			var found bool
			for _, r := range records(t, sum) {
				if r.Type == tt.wantRec && r.Step == "a" && r.User == "tester" && r.Note == tt.opts.Note && !r.Time.IsZero() {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s record with who, when and the note", tt.wantRec)
			}
			if sum.Step("b").State != StateSucceeded {
				t.Errorf("b %s, want succeeded", sum.Step("b").State)
			}
		})
	}
}

func TestResumeNeverRerunsSucceededAndKeepsOutputs(t *testing.T) {
	rc := newRecorder()
	p := newPlan(
		step("a", nil, map[string]any{"out": map[string]any{"lsn": "42000"}}),
		step("b", nil, map[string]any{"fail": 1, "echo": "${steps.a.outputs.lsn}"}),
	)
	cfg := testConfig(t, p, rc)
	if _, err := Run(context.Background(), cfg); ExitCode(err) != ExitFailed {
		t.Fatalf("first run: %v, want b failed", err)
	}
	if _, err := Run(context.Background(), cfg); ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "failover resume") {
		t.Fatalf("apply over an unfinished run: %v, want refused with how to resume", err)
	}
	rc.echoes = map[string]any{}
	sum, err := Resume(context.Background(), cfg, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if rc.count("a") != 1 || rc.count("b") != 2 {
		t.Errorf("calls a=%d b=%d, want a=1 (never again) b=2", rc.count("a"), rc.count("b"))
	}
	if rc.echoes["b"] != "42000" {
		t.Errorf("b got %#v on resume, want a's output from the journal", rc.echoes["b"])
	}
	if sum.State != RunSucceeded {
		t.Errorf("state %s", sum.State)
	}
	if _, err := Resume(context.Background(), cfg, ResumeOptions{}); ExitCode(err) != ExitCannotRun {
		t.Errorf("resume of a finished run: %v, want exit 2", err)
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Errorf("apply after a finished run: %v", err)
	}
}

func TestResumeChangedPlan(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, nil), step("b", []string{"a"}, map[string]any{"fail": 1}), step("gone", nil, nil))
	cfg := testConfig(t, p, rc)
	cfg.Parallelism = 1
	if _, err := Run(context.Background(), cfg); ExitCode(err) != ExitFailed {
		t.Fatalf("first run: %v", err)
	}
	cfg.Plan = newPlan(step("a", nil, nil), step("b", []string{"a"}, map[string]any{"echo": "changed"}), step("new", nil, nil))
	_, err := Resume(context.Background(), cfg, ResumeOptions{})
	var pc *PlanChangedError
	if !errors.As(err, &pc) || ExitCode(err) != ExitCannotRun {
		t.Fatalf("err = %v, want PlanChangedError, exit 2", err)
	}
	want := PlanDiff{Added: []string{"new"}, Removed: []string{"gone"}, Changed: []string{"b"}}
	if !reflect.DeepEqual(pc.Diff, want) {
		t.Errorf("diff %+v, want %+v", pc.Diff, want)
	}
	sum, err := Resume(context.Background(), cfg, ResumeOptions{Force: true})
	if err != nil {
		t.Fatalf("Resume --force: %v", err)
	}
	if got := recordTypes(records(t, sum), ""); !slicesContains(got, RecPlanChanged) {
		t.Errorf("no %s record in %v", RecPlanChanged, got)
	}
	if rc.count("a") != 1 {
		t.Errorf("a ran %d times, want once", rc.count("a"))
	}
}

func slicesContains(list []string, s string) bool { return contains(list, s) }

func TestLockHeldRefusesApply(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	other := lock.Info{RunID: "20261126T010000Z-beef", User: "alice", Host: lock.Hostname(), PID: os.Getpid(), Lease: time.Minute}
	l, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, other)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	defer l.Release()
	_, err = Run(context.Background(), cfg)
	if ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("err = %v, want refused naming alice, exit 2", err)
	}
	if len(rc.calls) != 0 {
		t.Errorf("steps ran: %v", rc.calls)
	}
}

func TestResumeTakesOverDeadProcessLock(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	cfg.Host = lock.Hostname()
	id := crashedRun(t, cfg, started("a"), succeeded("a", nil))
	dead := deadPID(t)
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: id, User: "tester", Host: lock.Hostname(), PID: dead}); err != nil {
		t.Fatalf("acquire as dead process: %v", err)
	}
	sum, err := Resume(context.Background(), cfg, ResumeOptions{})
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	var rec *journal.Record
	for _, r := range records(t, sum) {
		if r.Type == RecLockTakenOver {
			rec = &r
		}
	}
	if rec == nil || rec.Holder == nil || rec.Holder.PID == 0 {
		t.Fatalf("no %s record naming the dead pid", RecLockTakenOver)
	}
	if rc.count("a") != 0 || rc.count("b") != 1 {
		t.Errorf("calls a=%d b=%d, want 0 and 1", rc.count("a"), rc.count("b"))
	}
}

// deadPID returns the pid of a child process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run child: %v", err)
	}
	return cmd.Process.Pid
}

func TestApplyTakesOverLockOfProcessThatDiedBeforeItsJournal(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	cfg.Host = lock.Hostname()
	dead := lock.Info{RunID: "20261126T010000Z-dead", User: "tester", Host: lock.Hostname(), PID: deadPID(t)}
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, dead); err != nil {
		t.Fatalf("acquire as dead process: %v", err)
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := recordTypes(records(t, sum), "")
	if !slicesContains(got, RecLockTakenOver) || rc.count("a") != 1 {
		t.Errorf("records %v, a ran %d times; want the takeover journaled and a run once", got, rc.count("a"))
	}
}

func TestLostLockStopsTheRun(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	clock := cfg.Clock.(*fakeClock)
	rc.onStart = func(id string) {
		if id != "a" {
			return
		}
		info, err := lock.Read(cfg.StateDir, cfg.Plan.Name)
		if err != nil {
			t.Errorf("read lock: %v", err)
			return
		}
		if err := lock.Break(cfg.StateDir, cfg.Plan.Name, info.RunID); err != nil {
			t.Errorf("break: %v", err)
		}
		clock.tick() // the next heartbeat finds the lock gone
	}
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "lost the plan's lock") {
		t.Fatalf("err = %v, want the lost lock named", err)
	}
	if rc.count("b") != 0 {
		t.Errorf("b started without the lock")
	}
}

func TestResumeDamagedJournal(t *testing.T) {
	tests := []struct {
		name     string
		damage   func(t *testing.T, path string)
		wantCode int
		wantErr  string
	}{
		{"torn tail is cut back", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Write([]byte{0x40, 0, 0, 0, 9, 9, 9})
		}, ExitOK, ""},
		{"damage before good records is refused", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(string(b), `"step-started"`)
			b[i+3] ^= 0x01
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, ExitCannotRun, "`failover journal repair RUN --force`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, map[string]any{"fail": 1})), rc)
			sum, err := Run(context.Background(), cfg)
			if ExitCode(err) != ExitFailed {
				t.Fatalf("first run: %v", err)
			}
			tt.damage(t, sum.JournalPath)
			_, err = Resume(context.Background(), cfg, ResumeOptions{})
			want := strings.ReplaceAll(tt.wantErr, "RUN", sum.RunID)
			if ExitCode(err) != tt.wantCode || (want != "" && !strings.Contains(err.Error(), want)) {
				t.Fatalf("err = %v (exit %d), want exit %d mentioning %q", err, ExitCode(err), tt.wantCode, want)
			}
			if tt.wantCode == ExitOK && rc.count("a") != 1 {
				t.Errorf("a ran %d times, want once", rc.count("a"))
			}
		})
	}
}

func TestLatestRunWithinOneSecond(t *testing.T) {
	at := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	runs := []journal.RunInfo{
		{RunID: "20261126T030000Z-0001", Header: journal.Header{Started: at.Add(900 * time.Millisecond)}},
		{RunID: "20261126T030000Z-ffff", Header: journal.Header{Started: at.Add(100 * time.Millisecond)}},
	}
	if got := LatestRun(runs).RunID; got != "20261126T030000Z-0001" {
		t.Errorf("latest %s, want the one that started last", got)
	}
}

// TestResumeRefusesRetryAndMarkDoneOfOneStep: the two answers contradict
// each other.
func TestResumeRefusesRetryAndMarkDoneOfOneStep(t *testing.T) {
	cfg := testConfig(t, newPlan(step("a", nil, nil)), newRecorder())
	crashedRun(t, cfg, started("a"))
	_, err := Resume(context.Background(), cfg, ResumeOptions{Retry: []string{"a"}, MarkDone: []string{"a"}, Note: "checked"})
	if ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "--retry a and --mark-done a contradict each other") {
		t.Fatalf("Resume: %v, want the contradiction refused", err)
	}
}

// TestResumeShowsThisSessionsState: a step skipped because its upstream
// failed, then waiting for approval in the resume that fixed the upstream,
// shows waiting — in the summary and in the fold status reads — not the
// first session's "upstream failed".
func TestResumeShowsThisSessionsState(t *testing.T) {
	gate := step("gate", []string{"copy"}, nil)
	gate.Action, gate.With = "test.approve", value(map[string]any{})
	p := newPlan(step("copy", nil, map[string]any{"fail": 1}), gate, step("after", []string{"gate"}, nil))
	rc := newRecorder()
	cfg := testConfig(t, p, rc)
	sum, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitFailed || sum.Step("gate").State != StateSkipped {
		t.Fatalf("first run: %v, gate %s", err, sum.Step("gate").State)
	}
	sum, err = Resume(context.Background(), cfg, ResumeOptions{})
	if ExitCode(err) != ExitWaiting {
		t.Fatalf("resume: %v, want waiting for the approval", err)
	}
	for _, res := range [][]StepResult{sum.Steps, Fold(mustRead(t, sum.JournalPath)).Results(nil, false)} {
		byID := map[string]StepResult{}
		for _, s := range res {
			byID[s.ID] = s
		}
		if g, a := byID["gate"], byID["after"]; g.State != StateWaiting || strings.Contains(g.Note, "upstream failed") ||
			a.State != StatePending || a.Note != "" {
			t.Errorf("gate %s %q, after %s %q: want waiting and pending, no stale note", g.State, g.Note, a.State, a.Note)
		}
	}
}

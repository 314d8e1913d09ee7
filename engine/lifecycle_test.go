package engine

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/plans"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		with      map[string]any
		retry     plans.Retry
		wantCalls int
		wantState State
	}{
		{"retryable error retried until success", map[string]any{"fail": 2, "class": "retryable"},
			plans.Retry{Attempts: 3, Delay: time.Second}, 3, StateSucceeded},
		{"retryable error until attempts run out", map[string]any{"fail": 9, "class": "retryable"},
			plans.Retry{Attempts: 4, Delay: time.Second}, 4, StateFailed},
		{"permanent error never retried", map[string]any{"fail": 1, "class": "permanent"},
			plans.Retry{Attempts: 5, Delay: time.Second}, 1, StateFailed},
		{"unknown error not retried by default", map[string]any{"fail": 1, "class": "unknown"},
			plans.Retry{Attempts: 5, Delay: time.Second}, 1, StateFailed},
		{"unknown error retried with on any", map[string]any{"fail": 1, "class": "unknown"},
			plans.Retry{Attempts: 5, Delay: time.Second, On: "any"}, 2, StateSucceeded},
		{"zero attempts means one", map[string]any{"fail": 1, "class": "retryable"},
			plans.Retry{}, 1, StateFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			s := step("a", nil, tt.with)
			s.Retry = tt.retry
			sum, _ := Run(context.Background(), testConfig(t, newPlan(s), rc))
			if got := rc.count("a"); got != tt.wantCalls {
				t.Errorf("calls %d, want %d", got, tt.wantCalls)
			}
			res := sum.Step("a")
			if res.State != tt.wantState || res.Attempts != tt.wantCalls {
				t.Errorf("state %s after %d attempts, want %s after %d", res.State, res.Attempts, tt.wantState, tt.wantCalls)
			}
			recs := records(t, sum)
			var started, failed int
			for _, r := range recs {
				switch r.Type {
				case RecStepStarted:
					started++
				case RecAttemptFailed:
					failed++
				}
			}
			if started != tt.wantCalls || failed != tt.wantCalls-1 {
				t.Errorf("journal: %d started and %d attempt-failed records, want %d and %d", started, failed, tt.wantCalls, tt.wantCalls-1)
			}
		})
	}
}

func TestBackoffWithFullJitter(t *testing.T) {
	tests := []struct {
		name string
		rnd  float64
		want []time.Duration
	}{
		{"top of the range", 0.999999, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}},
		{"half", 0.5, []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 1500 * time.Millisecond}},
		{"zero", 0, []time.Duration{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			s := step("a", nil, map[string]any{"fail": 4, "class": "retryable"})
			s.Retry = plans.Retry{Attempts: 5, Delay: time.Second, Backoff: 2, MaxDelay: 3 * time.Second}
			cfg := testConfig(t, newPlan(s), rc)
			cfg.Rand = func() float64 { return tt.rnd }
			clock := cfg.Clock.(*fakeClock)
			if _, err := Run(context.Background(), cfg); err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := clock.slept()
			if len(got) != len(tt.want) {
				t.Fatalf("slept %v, want %v", got, tt.want)
			}
			for i := range got {
				if diff := got[i] - tt.want[i]; diff < -time.Millisecond || diff > time.Millisecond {
					t.Errorf("sleep %d: %v, want %v", i+1, got[i], tt.want[i])
				}
				if cap := backoffCap(s.Retry, i+1); got[i] >= cap && cap > 0 {
					t.Errorf("sleep %d: %v not below its cap %v", i+1, got[i], cap)
				}
			}
		})
	}
}

func TestBackoffSleepHonoursCancellation(t *testing.T) {
	rc := newRecorder()
	s := step("a", nil, map[string]any{"fail": 1, "class": "retryable"})
	s.Retry = plans.Retry{Attempts: 3, Delay: time.Hour}
	cfg := testConfig(t, newPlan(s), rc)
	cfg.Clock = realClock{}
	ctx, cancel := context.WithCancel(context.Background())
	rc.onStart = func(string) { time.AfterFunc(10*time.Millisecond, cancel) }
	_, err := Run(ctx, cfg)
	if ExitCode(err) != ExitInterrupted {
		t.Fatalf("err = %v, want interrupted during the hour-long backoff", err)
	}
	if rc.count("a") != 1 {
		t.Errorf("calls %d, want 1", rc.count("a"))
	}
}

func TestAttemptTimeout(t *testing.T) {
	rc := newRecorder()
	s := step("a", nil, map[string]any{"block": true})
	s.Timeout = 10 * time.Millisecond
	s.Retry = plans.Retry{Attempts: 2}
	sum, err := Run(context.Background(), testConfig(t, newPlan(s), rc))
	if ExitCode(err) != ExitFailed || !strings.Contains(err.Error(), "timed out after 10ms") {
		t.Fatalf("err = %v, want the step failed with its timeout", err)
	}
	if rc.count("a") != 2 || sum.Step("a").Attempts != 2 {
		t.Errorf("calls %d, attempts %d: a timed-out attempt is retryable, want 2", rc.count("a"), sum.Step("a").Attempts)
	}
}

func TestChecksAroundTheAction(t *testing.T) {
	pass := map[string]any{"pass": true, "key": "k"}
	fail := map[string]any{"pass": false, "key": "k"}
	tests := []struct {
		name      string
		setup     func(s *plans.Step)
		wantState State
		wantCalls int
		wantNote  string
	}{
		{"when false skips", func(s *plans.Step) { s.When = []*plans.Check{chk(fail)} }, StateSkipped, 0, "when: test.check: k is false (echo <nil>)"},
		{"when true runs", func(s *plans.Step) { s.When = []*plans.Check{chk(pass)} }, StateSucceeded, 1, ""},
		{"skip_if true satisfied", func(s *plans.Step) { s.SkipIf = []*plans.Check{chk(pass)} }, StateSatisfied, 0, "skip_if: already done"},
		{"skip_if false runs", func(s *plans.Step) { s.SkipIf = []*plans.Check{chk(fail)} }, StateSucceeded, 1, ""},
		{"require false fails", func(s *plans.Step) { s.Require = []*plans.Check{chk(fail)} }, StateFailed, 0, ""},
		{"require with wait polls until it passes", func(s *plans.Step) {
			c := chk(map[string]any{"pass_after": 3, "key": "w"})
			c.Wait, c.Interval = time.Minute, 10*time.Second
			s.Require = []*plans.Check{c}
		}, StateSucceeded, 1, ""},
		{"require with wait runs out", func(s *plans.Step) {
			c := chk(map[string]any{"pass_after": 100, "key": "w"})
			c.Wait, c.Interval = 30*time.Second, 10*time.Second
			s.Require = []*plans.Check{c}
		}, StateFailed, 0, ""},
		{"verify false fails the attempt", func(s *plans.Step) { s.Verify = []*plans.Check{chk(fail)} }, StateFailed, 1, ""},
		{"verify true succeeds", func(s *plans.Step) { s.Verify = []*plans.Check{chk(pass)} }, StateSucceeded, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			s := step("a", nil, nil)
			tt.setup(s)
			after := step("b", []string{"a"}, nil)
			sum, _ := Run(context.Background(), testConfig(t, newPlan(s, after), rc))
			res := sum.Step("a")
			if res.State != tt.wantState || rc.count("a") != tt.wantCalls {
				t.Errorf("state %s with %d calls (%s), want %s with %d", res.State, rc.count("a"), res.Error, tt.wantState, tt.wantCalls)
			}
			if tt.wantNote != "" && res.Note != tt.wantNote {
				t.Errorf("note %q, want %q", res.Note, tt.wantNote)
			}
			if tt.wantState.done() && sum.Step("b").State != StateSucceeded {
				t.Errorf("dependent b is %s, want succeeded after a %s", sum.Step("b").State, tt.wantState)
			}
		})
	}
}

func TestRequireWaitPollsAtItsInterval(t *testing.T) {
	rc := newRecorder()
	s := step("a", nil, nil)
	c := chk(map[string]any{"pass_after": 100, "key": "w"})
	c.Wait, c.Interval = 25*time.Second, 10*time.Second
	s.Require = []*plans.Check{c}
	cfg := testConfig(t, newPlan(s), rc)
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "not met after waiting 25s") {
		t.Fatalf("err = %v, want the wait named", err)
	}
	want := []time.Duration{10 * time.Second, 10 * time.Second, 5 * time.Second}
	if got := cfg.Clock.(*fakeClock).slept(); !reflect.DeepEqual(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}
	if rc.checks["w"] != 4 {
		t.Errorf("check evaluated %d times, want 4", rc.checks["w"])
	}
}

func TestPreflightListsEveryFailureAndRunsNothing(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, nil))
	p.Preflight = []*plans.Check{
		chk(map[string]any{"pass": false, "key": "first"}),
		chk(map[string]any{"pass": true, "key": "ok"}),
		chk(map[string]any{"pass": false, "key": "second"}),
	}
	cfg := testConfig(t, p, rc)
	_, err := Run(context.Background(), cfg)
	var pe *PreflightError
	if !errors.As(err, &pe) || ExitCode(err) != ExitCannotRun {
		t.Fatalf("err = %v, want a PreflightError with exit 2", err)
	}
	if len(pe.Failures) != 2 || !strings.Contains(err.Error(), "first is false") || !strings.Contains(err.Error(), "second is false") {
		t.Errorf("failures %+v, want first and second", pe.Failures)
	}
	if len(rc.calls) != 0 {
		t.Errorf("steps ran: %v", rc.calls)
	}
	if entries, _ := os.ReadDir(cfg.StateDir + "/test-plan"); hasJournal(entries) {
		t.Errorf("a journal was created although nothing ran")
	}
}

func hasJournal(entries []os.DirEntry) bool {
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".journal") {
			return true
		}
	}
	return false
}

func TestOutputsFlowToDependents(t *testing.T) {
	rc := newRecorder()
	p := newPlan(
		step("a", nil, map[string]any{"out": map[string]any{"lsn": 42, "name": "mgc"}}),
		step("b", nil, map[string]any{"echo": "${steps.a.outputs.lsn}"}),
		step("c", nil, map[string]any{"echo": "db ${steps.a.outputs.name} at ${steps.a.outputs.lsn}"}),
	)
	sum, err := Run(context.Background(), testConfig(t, p, rc))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rc.echoes["b"] != int64(42) {
		t.Errorf("b got %#v, want int64 42 (a single reference keeps its type)", rc.echoes["b"])
	}
	if rc.echoes["c"] != "db mgc at 42" {
		t.Errorf("c got %#v", rc.echoes["c"])
	}
	if got := sum.Step("a").Outputs["name"]; got != "mgc" {
		t.Errorf("summary output %v", got)
	}
}

// A step's verify reads the outputs of the attempt it verifies, through
// ${steps.SELF.outputs.KEY}; a bad output fails the attempt.
func TestVerifyReadsOwnOutputs(t *testing.T) {
	tests := []struct {
		name string
		out  map[string]any
		want State
	}{
		{"output says done", map[string]any{"ok": true}, StateSucceeded},
		{"output says not done", map[string]any{"ok": false}, StateFailed},
		{"output missing", map[string]any{}, StateFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			s := step("a", nil, map[string]any{"out": tt.out})
			s.Verify = []*plans.Check{chk(map[string]any{"pass": "${steps.a.outputs.ok}", "key": "v"})}
			sum, _ := Run(context.Background(), testConfig(t, newPlan(s), rc))
			if got := sum.Step("a"); got.State != tt.want {
				t.Errorf("state %s (%s), want %s", got.State, got.Error, tt.want)
			}
		})
	}
}

// A run cancelled after a step's checks passed but before its attempt's
// start was journaled: the action never ran, so the step is pending, not
// in doubt, and resume runs it without asking.
func TestCancelledBeforeStartIsNotInDoubt(t *testing.T) {
	rc := newRecorder()
	a := step("a", nil, nil)
	a.When = []*plans.Check{chk(map[string]any{"pass": true, "key": "cancel"})}
	cfg := testConfig(t, newPlan(a), rc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc.onCheck = func(key string) { cancel() }
	sum, err := Run(ctx, cfg)
	if ExitCode(err) != ExitInterrupted || rc.count("a") != 0 {
		t.Fatalf("exit %d, a ran %d times; want 130 and never (%v)", ExitCode(err), rc.count("a"), err)
	}
	if st := sum.Step("a").State; st != StatePending {
		t.Errorf("a is %s, want pending", st)
	}
	if got := recordTypes(records(t, sum), "a"); len(got) != 0 {
		t.Errorf("a's records %v, want none", got)
	}
	rc.onCheck = nil
	if _, err := Resume(context.Background(), cfg, ResumeOptions{}); err != nil || rc.count("a") != 1 {
		t.Errorf("resume: %v, a ran %d times; want it run once without asking", err, rc.count("a"))
	}
}

package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/plans"
	"github.com/rs/zerolog"
)

func TestSerialOrderFollowsFileOrderAndNeeds(t *testing.T) {
	rc := newRecorder()
	p := newPlan(
		step("a", nil, nil),
		step("b", []string{"a"}, nil),
		step("d", nil, nil),
		step("c", []string{"b"}, nil),
	)
	cfg := testConfig(t, p, rc)
	cfg.Parallelism = 1
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if want := []string{"a", "b", "d", "c"}; !reflect.DeepEqual(rc.calls, want) {
		t.Errorf("order %v, want %v", rc.calls, want)
	}
	if sum.State != RunSucceeded {
		t.Errorf("state %s, want succeeded", sum.State)
	}
}

func TestDependenciesFinishBeforeDependentsStart(t *testing.T) {
	for i := 0; i < 30; i++ {
		rc := newRecorder()
		sleep := map[string]any{"sleep": "1ms"}
		p := newPlan(
			step("a", nil, sleep), step("b", nil, sleep), step("c", []string{"a", "b"}, sleep),
			step("d", []string{"a"}, sleep), step("e", []string{"c", "d"}, sleep), step("f", nil, sleep),
		)
		cfg := testConfig(t, p, rc)
		cfg.Parallelism = 3
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatalf("iteration %d: Run: %v", i, err)
		}
		for _, s := range p.Steps {
			for _, d := range s.Deps {
				if rc.ends[d] > rc.starts[s.ID] {
					t.Fatalf("iteration %d: %s started before its dependency %s ended", i, s.ID, d)
				}
			}
		}
		got := slices.Clone(rc.calls)
		slices.Sort(got)
		if want := []string{"a", "b", "c", "d", "e", "f"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d: ran %v, want each of %v once", i, got, want)
		}
	}
}

func TestParallelismBound(t *testing.T) {
	tests := []struct {
		name        string
		parallelism int
	}{
		{"one", 1},
		{"three", 3},
		{"default four", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.parallelism
			if want == 0 {
				want = DefaultParallelism
			}
			for i := 0; i < 10; i++ {
				rc := newRecorder()
				var steps []*plans.Step
				for j := 0; j < 12; j++ {
					steps = append(steps, step(fmt.Sprintf("s%02d", j), nil, map[string]any{"sleep": "2ms"}))
				}
				cfg := testConfig(t, newPlan(steps...), rc)
				cfg.Parallelism = tt.parallelism
				if _, err := Run(context.Background(), cfg); err != nil {
					t.Fatalf("Run: %v", err)
				}
				if rc.peak > want {
					t.Fatalf("iteration %d: %d steps ran at once, bound is %d", i, rc.peak, want)
				}
				if len(rc.calls) != 12 {
					t.Fatalf("iteration %d: %d calls, want 12", i, len(rc.calls))
				}
			}
		})
	}
}

func TestFailFastStopsNewWorkAndSkipsDependents(t *testing.T) {
	rc := newRecorder()
	p := newPlan(
		// a fails after slow has surely started: slow is in flight.
		step("a", nil, map[string]any{"fail": 1, "sleep": "10ms"}),
		step("slow", nil, map[string]any{"sleep": "40ms"}),
		step("b", []string{"a"}, nil),
		step("c", []string{"b"}, nil),
		step("later", []string{"slow"}, nil),
	)
	cfg := testConfig(t, p, rc)
	cfg.Parallelism = 2
	sum, err := Run(context.Background(), cfg)
	var se *StepError
	if !errors.As(err, &se) || se.Step != "a" {
		t.Fatalf("err = %v, want a StepError for a", err)
	}
	if ExitCode(err) != ExitFailed {
		t.Errorf("exit code %d, want 1", ExitCode(err))
	}
	want := map[string]State{"a": StateFailed, "slow": StateSucceeded, "b": StateSkipped, "c": StateSkipped, "later": StatePending}
	if got := states(sum); !reflect.DeepEqual(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if !reflect.DeepEqual(sum.RootCauses, []string{"a"}) {
		t.Errorf("root causes %v, want [a]", sum.RootCauses)
	}
	if n := sum.Step("c"); n.Note != "upstream failed: a" || n.Error != "" {
		t.Errorf("c: note %q error %q, want the root cause named and no repeated error", n.Note, n.Error)
	}
}

func TestContinueOnFailureLetsIndependentBranchesGoOn(t *testing.T) {
	rc := newRecorder()
	a := step("a", nil, map[string]any{"fail": 1})
	a.ContinueOnFailure = true
	p := newPlan(a, step("b", []string{"a"}, nil), step("c", []string{"b"}, nil), step("d", nil, nil), step("e", []string{"d"}, nil))
	cfg := testConfig(t, p, rc)
	cfg.Parallelism = 1
	sum, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitFailed {
		t.Fatalf("err = %v, want exit 1", err)
	}
	want := map[string]State{"a": StateFailed, "b": StateSkipped, "c": StateSkipped, "d": StateSucceeded, "e": StateSucceeded}
	if got := states(sum); !reflect.DeepEqual(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if strings.Count(err.Error(), "fake failure") != 1 {
		t.Errorf("error %q should name the root cause exactly once", err)
	}
	if sum.Step("c").Note != "upstream failed: a" {
		t.Errorf("c note %q", sum.Step("c").Note)
	}
}

func TestInterruptJournalsAndLeavesStepInDoubt(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, map[string]any{"block": true}), step("b", []string{"a"}, nil))
	cfg := testConfig(t, p, rc)
	ctx, cancel := context.WithCancel(context.Background())
	rc.onStart = func(string) { cancel() }
	sum, err := Run(ctx, cfg)
	if ExitCode(err) != ExitInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v (exit %d), want interrupted (130)", err, ExitCode(err))
	}
	recs := records(t, sum)
	got := recordTypes(recs, "")
	want := []string{RecRunStarted, RecStepStarted, RecStepInterrupted, RecRunInterrupted}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
	rep := mustRead(t, sum.JournalPath)
	if st := Fold(rep).Steps["a"].State; st != StateInDoubt {
		t.Errorf("folded state of a: %s, want in-doubt", st)
	}
}

func TestDeadlineStopsTheRun(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, map[string]any{"block": true}))
	cfg := testConfig(t, p, rc)
	cfg.Deadline = 20 * time.Millisecond
	sum, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "deadline") || ExitCode(err) != ExitFailed {
		t.Fatalf("err = %v, want the run's deadline named, exit 1", err)
	}
	// The step the deadline cut short is in doubt, and says why.
	st := Fold(mustRead(t, sum.JournalPath)).Steps["a"]
	if st.State != StateInDoubt || st.Note != "the run's deadline (20ms) passed while it ran" {
		t.Errorf("a folds to %s %q, want in-doubt with the deadline named", st.State, st.Note)
	}
}

func TestInterruptBetweenSteps(t *testing.T) {
	rc := newRecorder()
	p := newPlan(step("a", nil, nil), step("b", []string{"a"}, nil))
	cfg := testConfig(t, p, rc)
	ctx, cancel := context.WithCancel(context.Background())
	rc.onStart = func(string) { cancel() }
	sum, err := Run(ctx, cfg)
	if ExitCode(err) != ExitInterrupted {
		t.Fatalf("err = %v (exit %d), want interrupted (130)", err, ExitCode(err))
	}
	if rc.count("b") != 0 || sum.Step("b").State != StatePending {
		t.Errorf("b ran %d times, state %s; want not started", rc.count("b"), sum.Step("b").State)
	}
	if got := recordTypes(records(t, sum), ""); got[len(got)-1] != RecRunInterrupted {
		t.Errorf("last record %v, want %s", got, RecRunInterrupted)
	}
}

func TestObserverSeesEveryStateChangeInOrder(t *testing.T) {
	rc := newRecorder()
	a := step("a", nil, map[string]any{"fail": 1, "class": "retryable"})
	a.Retry = plans.Retry{Attempts: 2}
	when := step("w", nil, nil)
	when.When = []*plans.Check{chk(map[string]any{"pass": false, "key": "k"})}
	p := newPlan(a, step("b", []string{"a"}, nil), when)
	cfg := testConfig(t, p, rc)
	cfg.Parallelism = 1
	var got []string
	cfg.Observer = func(r StepResult) { got = append(got, fmt.Sprintf("%s %s %d", r.ID, r.State, r.Attempts)) }
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"a running 1", "a running 2", "a succeeded 2", "b running 1", "b succeeded 1", "w skipped 0"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("state changes %v, want %v", got, want)
	}
}

// TestInterruptedIdempotentStepIsAWarning: after an interruption an
// idempotent step in doubt is normal (resume runs it again): it is
// logged as a warning saying so; one that is not idempotent is an error.
func TestInterruptedIdempotentStepIsAWarning(t *testing.T) {
	for _, tt := range []struct {
		idempotent bool
		level      string
	}{{true, "warn"}, {false, "error"}} {
		t.Run(fmt.Sprintf("idempotent=%v", tt.idempotent), func(t *testing.T) {
			rc := newRecorder()
			a := step("a", nil, map[string]any{"block": true})
			a.Idempotent = tt.idempotent
			cfg := testConfig(t, newPlan(a), rc)
			var logs bytes.Buffer
			cfg.Log = zerolog.New(&logs)
			ctx, cancel := context.WithCancel(context.Background())
			rc.onStart = func(string) { cancel() }
			if _, err := Run(ctx, cfg); ExitCode(err) != ExitInterrupted {
				t.Fatalf("err = %v, want interrupted", err)
			}
			var found bool
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var ev map[string]any
				if err := json.Unmarshal([]byte(line), &ev); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if ev["step"] != "a" || ev["message"] != string(StateInDoubt) {
					continue
				}
				found = true
				if ev["level"] != tt.level {
					t.Errorf("in-doubt line logged at %v, want %s: %s", ev["level"], tt.level, line)
				}
				if note, _ := ev["note"].(string); tt.idempotent != strings.Contains(note, "idempotent: resume runs it again") {
					t.Errorf("note %q: idempotent %v", note, tt.idempotent)
				}
			}
			if !found {
				t.Fatalf("no in-doubt line for a in:\n%s", logs.String())
			}
		})
	}
}

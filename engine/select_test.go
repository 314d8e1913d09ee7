package engine

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// Targeted runs (--only, --from) never build on a guess: an in-doubt step
// that a selected step needs is decided first, a step retried with
// --retry runs although --only leaves it out, and a selected step whose
// dependency is left out and not done runs with a warning.
func TestTargetedRuns(t *testing.T) {
	tests := []struct {
		name      string
		only      []string
		from      string
		retry     []string
		wantCode  int
		wantCalls map[string]int
		wantErr   string
	}{
		{"--only below an in-doubt step asks the operator", []string{"c"}, "", nil, ExitWaiting,
			map[string]int{"b": 0, "c": 0}, "step b (test.act) is in doubt"},
		{"--from below an in-doubt step asks the operator", nil, "c", nil, ExitWaiting,
			map[string]int{"b": 0, "c": 0}, "step b (test.act) is in doubt"},
		{"--retry of the in-doubt step runs it with --only", []string{"c"}, "", []string{"b"}, ExitOK,
			map[string]int{"a": 0, "b": 1, "c": 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil), step("c", []string{"b"}, nil)), rc)
			crashedRun(t, cfg, started("a"), succeeded("a", nil), started("b"))
			cfg.Only, cfg.From = tt.only, tt.from
			_, err := Resume(context.Background(), cfg, ResumeOptions{Retry: tt.retry})
			if ExitCode(err) != tt.wantCode || (tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v (exit %d), want exit %d with %q", err, ExitCode(err), tt.wantCode, tt.wantErr)
			}
			for id, n := range tt.wantCalls {
				if rc.count(id) != n {
					t.Errorf("%s ran %d times, want %d", id, rc.count(id), n)
				}
			}
		})
	}
}

func TestOnlyWithoutItsDependencyWarns(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	var logs bytes.Buffer
	cfg.Log = zerolog.New(&logs)
	cfg.Only = []string{"b"}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if rc.count("a") != 0 || rc.count("b") != 1 {
		t.Errorf("calls a=%d b=%d, want 0 and 1", rc.count("a"), rc.count("b"))
	}
	if !strings.Contains(logs.String(), `"step":"b","needs":"a","needs_state":"pending"`) {
		t.Errorf("no warning that b runs without a:\n%s", logs.String())
	}
}

// status reads each step's action from the journal, steps not yet run too.
func TestFoldKnowsEveryStepsAction(t *testing.T) {
	rc := newRecorder()
	b := step("b", []string{"a"}, nil)
	b.Action = "test.idem"
	cfg := testConfig(t, newPlan(step("a", nil, nil), b), rc)
	cfg.Only = []string{"a"}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := map[string]string{}
	for _, res := range Fold(mustRead(t, sum.JournalPath)).Results(nil, false) {
		got[res.ID] = res.Action + " " + string(res.State)
	}
	want := map[string]string{"a": "test.act succeeded", "b": "test.idem pending"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("folded %v, want %v", got, want)
	}
}

// A targeted run that leaves steps out stays open: a new apply, which
// would redo its steps, is refused, and resume finishes it.
func TestTargetedRunStaysOpenUntilResumed(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	cfg.Only = []string{"a"}
	sum, err := Run(context.Background(), cfg)
	if err != nil || !reflect.DeepEqual(sum.Left, []string{"b"}) {
		t.Fatalf("Run --only a: left %v, err %v; want b left", sum.Left, err)
	}
	cfg.Only = nil
	if _, err := Run(context.Background(), cfg); ExitCode(err) != ExitCannotRun {
		t.Fatalf("apply after a targeted run: %v, want refused (exit 2)", err)
	}
	sum, err = Resume(context.Background(), cfg, ResumeOptions{})
	if err != nil || len(sum.Left) != 0 {
		t.Fatalf("Resume: left %v, err %v", sum.Left, err)
	}
	if rc.count("a") != 1 || rc.count("b") != 1 {
		t.Errorf("calls a=%d b=%d, want 1 and 1", rc.count("a"), rc.count("b"))
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Errorf("apply after the run completed: %v", err)
	}
}

// A Ctrl-C that comes after the last step's outcome leaves nothing to
// resume: the run succeeded.
func TestInterruptAfterTheLastOutcomeIsSuccess(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.Observer = func(res StepResult) {
		if res.State == StateSucceeded {
			cancel()
		}
	}
	sum, err := Run(ctx, cfg)
	if err != nil || sum.State != RunSucceeded {
		t.Fatalf("Run: state %v, err %v; want succeeded", sum.State, err)
	}
	if got := recordTypes(records(t, sum), ""); got[len(got)-1] != RecRunFinished {
		t.Errorf("records %v, want the run finished", got)
	}
}

// Outputs too large for one journal record are cut to their end, so the
// outcome of a step that succeeded is journaled and read back the same.
func TestHugeOutputsAreCutToFitTheJournal(t *testing.T) {
	tests := []struct {
		name string
		out  any
		want func(t *testing.T, v any)
	}{
		{"a long string keeps its end", strings.Repeat("x", 3<<20) + "THE END", func(t *testing.T, v any) {
			s, _ := v.(string)
			if !strings.HasSuffix(s, "THE END") || !strings.HasPrefix(s, "…(cut") || len(s) > maxOutputsSize {
				t.Errorf("cut to %d bytes, starting %.40q", len(s), s)
			}
		}},
		{"control characters escape six-fold", strings.Repeat("\x01", 1<<20), func(t *testing.T, v any) {
			if s, _ := v.(string); !strings.HasPrefix(s, "…(cut") {
				t.Errorf("not cut: %.40q", s)
			}
		}},
		{"a huge list is dropped with a note", func() any {
			l := make([]any, 200000)
			for i := range l {
				l[i] = "item"
			}
			return l
		}(), func(t *testing.T, v any) {
			if s, _ := v.(string); !strings.Contains(s, "too large for the journal") {
				t.Errorf("kept %T", v)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			cfg := testConfig(t, newPlan(step("a", nil, map[string]any{"out": map[string]any{"big": "x", "small": "ok"}})), rc)
			rc.outputs = func(string) map[string]any { return map[string]any{"big": tt.out, "small": "ok"} }
			sum, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			st := Fold(mustRead(t, sum.JournalPath)).Steps["a"]
			if st.State != StateSucceeded || st.Outputs["small"] != "ok" {
				t.Fatalf("journaled %s with small=%v", st.State, st.Outputs["small"])
			}
			tt.want(t, st.Outputs["big"])
			if !reflect.DeepEqual(sum.Step("a").Outputs, st.Outputs) {
				t.Errorf("dependents would see other outputs than a resumed run")
			}
		})
	}
}

// Ctrl-C while a resumed step waits for its require, before any attempt
// of this run: the step did not start, so it is not in doubt.
func TestInterruptBeforeAnAttemptOfAResumedStep(t *testing.T) {
	rc := newRecorder()
	a := step("a", nil, nil)
	a.Require = []*plans.Check{chk(map[string]any{"pass": false, "key": "ready"})}
	a.Require[0].Wait = time.Hour
	cfg := testConfig(t, newPlan(a), rc)
	id := crashedRun(t, cfg, started("a"), journal.Record{Type: RecStepFailed, Step: "a", Attempt: 1, Error: "boom"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc.onCheck = func(string) { cancel() }
	if _, err := Resume(ctx, cfg, ResumeOptions{}); ExitCode(err) != ExitInterrupted {
		t.Fatalf("Resume: %v, want interrupted", err)
	}
	st := Fold(mustRead(t, journal.Path(cfg.StateDir, cfg.Plan.Name, id))).Steps["a"]
	if st.State == StateInDoubt || rc.count("a") != 0 {
		t.Errorf("a folds to %s after %d calls; want not in doubt, never called", st.State, rc.count("a"))
	}
}

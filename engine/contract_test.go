package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// The tests of the action contract's engine side: targets opened once per
// run, probes, inspection that never runs, checkpoints and progress.

// dbFields are the fields of the fake target type "test.db".
type dbFields struct {
	Name     string `param:"name,required"`
	Password string `param:"password,secret"`
	FailOpen int64  `param:"fail_open" doc:"fail the first N opens"`
}

// dbHandle is what the fake opener opens.
type dbHandle struct {
	id     int64
	closed atomic.Bool
	o      *opener
}

func (h *dbHandle) Close() error {
	if h.closed.Swap(true) {
		return errors.New("closed twice")
	}
	h.o.closes.Add(1)
	return nil
}

// opener counts opens and closes of "test.db" targets.
type opener struct {
	opens, closes, tries atomic.Int64
}

func (o *opener) Open(_ context.Context, env *actions.OpenEnv, p *dbFields) (actions.Handle, error) {
	if n := o.tries.Add(1); n <= p.FailOpen {
		return nil, actions.MarkRetryable(fmt.Errorf("server %s refused (password %s)", p.Name, p.Password))
	}
	return &dbHandle{id: o.opens.Add(1), o: o}, nil
}

// effects is the fake world the probed actions act on.
type effects struct {
	mu      sync.Mutex
	done    map[string]bool
	runs    map[string]int
	probes  map[string]int
	inspect map[string]int
	handles map[int64]int
	// failAfterEffect makes the first run of a step take effect and then
	// fail, as a connection dropped after the server did the work.
	failAfterEffect map[string]bool
}

func newEffects() *effects {
	return &effects{done: map[string]bool{}, runs: map[string]int{}, probes: map[string]int{}, inspect: map[string]int{},
		handles: map[int64]int{}, failAfterEffect: map[string]bool{}}
}

type useParams struct {
	Key   string `param:"key"`
	Probe string `param:"probe,enum=done|not-done|unknown|error|real" default:"real"`
}

// useAction acts on its target: Run sets the effect, Probe and Inspect
// look at it.
type useAction struct{ fx *effects }

func (a useAction) Run(_ context.Context, env *actions.Env, p *useParams) (map[string]any, error) {
	h, err := actions.TargetHandle[*dbHandle](env)
	if err != nil {
		return nil, err
	}
	a.fx.mu.Lock()
	defer a.fx.mu.Unlock()
	a.fx.runs[env.StepID]++
	a.fx.handles[h.id]++
	a.fx.done[p.Key] = true
	if a.fx.failAfterEffect[env.StepID] {
		delete(a.fx.failAfterEffect, env.StepID)
		return nil, actions.MarkRetryable(errors.New("connection dropped after the server did the work"))
	}
	return map[string]any{"key": p.Key, "by": "run"}, nil
}

func (a useAction) Probe(_ context.Context, env *actions.Env, p *useParams) (actions.Probe, error) {
	if _, err := actions.TargetHandle[*dbHandle](env); err != nil {
		return actions.Probe{}, err
	}
	a.fx.mu.Lock()
	defer a.fx.mu.Unlock()
	a.fx.probes[env.StepID]++
	switch p.Probe {
	case "error":
		return actions.Probe{}, errors.New("cannot read the state")
	case "real":
		if a.fx.done[p.Key] {
			return actions.Probe{State: actions.ProbeDone, Detail: p.Key + " is set", Outputs: map[string]any{"key": p.Key, "by": "probe"}}, nil
		}
		return actions.Probe{State: actions.ProbeNotDone, Detail: p.Key + " is not set"}, nil
	}
	return actions.Probe{State: actions.ProbeState(p.Probe), Detail: "told " + p.Probe}, nil
}

func (a useAction) Inspect(_ context.Context, env *actions.Env, p *useParams) (actions.Inspection, error) {
	a.fx.mu.Lock()
	defer a.fx.mu.Unlock()
	a.fx.inspect[env.StepID]++
	return actions.Inspection{Change: actions.ChangeSome, Summary: "would set " + p.Key,
		Outputs: map[string]any{"key": p.Key, "by": "inspect"}}, nil
}

// contractRegistry is testRegistry plus the target type and test.use.
func contractRegistry(rc *recorder, o *opener, fx *effects) *actions.Registry {
	reg := testRegistry(rc)
	reg.RegisterTarget(actions.DefineTarget[dbFields](actions.TargetType{Name: "test.db"}, o))
	reg.Register(actions.Define[useParams](actions.Type{Name: "test.use", Kind: actions.KindAction, Targets: []string{"test.db"},
		Outputs: []actions.Output{{Name: "key"}, {Name: "by"}}}, useAction{fx}))
	return reg
}

// useStep builds a test.use step on target "db".
func useStep(id string, needs []string, key string) *plans.Step {
	s := step(id, needs, map[string]any{"key": key})
	s.Action, s.Target = "test.use", "db"
	return s
}

// withDB adds target "db" (name and a secret password) to p.
func withDB(p *plans.Plan, fields map[string]any) *plans.Plan {
	p.Targets["db"] = &plans.Target{Name: "db", Type: "test.db", Fields: map[string]*plans.Value{}}
	for k, v := range fields {
		p.Targets["db"].Fields[k] = value(map[string]any{k: v}).Map[k]
	}
	p.Secrets["pw"] = &plans.Secret{Name: "pw", Env: "TEST_PW"}
	rehash(p)
	return p
}

func contractConfig(t *testing.T, p *plans.Plan) (Config, *recorder, *opener, *effects) {
	t.Helper()
	rc, o, fx := newRecorder(), &opener{}, newEffects()
	cfg := testConfig(t, p, rc)
	cfg.Registry = contractRegistry(rc, o, fx)
	cfg.LookupEnv = func(k string) (string, bool) {
		if k == "TEST_PW" {
			return "s3cret-pw", true
		}
		return "", false
	}
	return cfg, rc, o, fx
}

// TestTargetOpenedOncePerRun: parallel steps and checks of one target share
// one handle, opened once and closed once, on every way a run ends.
func TestTargetOpenedOncePerRun(t *testing.T) {
	dbCheck := func(pass bool) *plans.Check {
		c := chk(map[string]any{"pass": pass, "key": "pre"})
		c.Target = "db"
		return c
	}
	tests := []struct {
		name      string
		build     func() *plans.Plan
		failOpen  int
		interrupt bool
		code      int
	}{
		{name: "success with parallel steps", code: ExitOK, build: func() *plans.Plan {
			var steps []*plans.Step
			for i := range 8 {
				steps = append(steps, useStep(fmt.Sprintf("s%d", i), nil, fmt.Sprintf("k%d", i)))
			}
			return newPlan(steps...)
		}},
		{name: "a step fails", code: ExitFailed, build: func() *plans.Plan {
			return newPlan(useStep("a", nil, "k"), step("boom", []string{"a"}, map[string]any{"fail": 1}))
		}},
		{name: "preflight fails after opening it", code: ExitCannotRun, build: func() *plans.Plan {
			p := newPlan(useStep("a", nil, "k"))
			p.Preflight = []*plans.Check{dbCheck(false)}
			return p
		}},
		{name: "interrupted", code: ExitInterrupted, interrupt: true, build: func() *plans.Plan {
			return newPlan(useStep("a", nil, "k"), step("block", []string{"a"}, map[string]any{"block": true}))
		}},
		{name: "open fails once then the retry opens it", code: ExitOK, failOpen: 1, build: func() *plans.Plan {
			p := newPlan(useStep("a", nil, "k"))
			p.Steps[0].Retry = plans.Retry{Attempts: 2}
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := withDB(tt.build(), map[string]any{"name": "sql1", "password": "${secrets.pw}", "fail_open": tt.failOpen})
			if tt.failOpen == 0 {
				// A preflight check of the target opens it before any step.
				p.Preflight = append([]*plans.Check{dbCheck(true)}, p.Preflight...)
			}
			cfg, rc, o, fx := contractConfig(t, p)
			cfg.Parallelism = 4
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.interrupt {
				rc.onStart = func(step string) {
					if step == "block" {
						cancel()
					}
				}
			}
			_, err := Run(ctx, cfg)
			if ExitCode(err) != tt.code {
				t.Fatalf("Run: %v (exit %d), want exit %d", err, ExitCode(err), tt.code)
			}
			if o.opens.Load() != 1 || o.closes.Load() != 1 {
				t.Errorf("opened %d, closed %d; want once each", o.opens.Load(), o.closes.Load())
			}
			if len(fx.handles) > 1 {
				t.Errorf("steps used %d handles, want one shared: %v", len(fx.handles), fx.handles)
			}
		})
	}
}

// TestTargetSecretNeverInOpenError: an opener's error that echoes a
// secret is masked.
func TestTargetSecretNeverInOpenError(t *testing.T) {
	p := withDB(newPlan(useStep("a", nil, "k")), map[string]any{"name": "sql1", "password": "${secrets.pw}", "fail_open": 5})
	cfg, _, _, _ := contractConfig(t, p)
	_, err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "open target db") || !strings.Contains(err.Error(), "***") ||
		strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("err = %v, want the open error with the password masked", err)
	}
}

// TestProbeBeforeAttempts: an effect that already holds is satisfied
// without acting (no start record: nothing in doubt), its probe's outputs
// go to dependents; an attempt that failed after taking effect is not
// redone on retry.
func TestProbeBeforeAttempts(t *testing.T) {
	p := withDB(newPlan(useStep("a", nil, "k1"), useStep("b", []string{"a"}, "k2"),
		step("after", []string{"a"}, map[string]any{"echo": "${steps.a.outputs.by}"})), map[string]any{"name": "sql1"})
	p.Steps[1].Retry = plans.Retry{Attempts: 3}
	cfg, rc, _, fx := contractConfig(t, p)
	fx.done["k1"] = true
	fx.failAfterEffect["b"] = true
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fx.runs["a"] != 0 || sum.Step("a").State != StateSatisfied || rc.echoes["after"] != "probe" {
		t.Errorf("a ran %d times, ended %s, after saw %v; want satisfied by its probe, outputs passed on",
			fx.runs["a"], sum.Step("a").State, rc.echoes["after"])
	}
	if got := recordTypes(records(t, sum), "a"); !slices.Equal(got, []string{RecStepSatisfied}) {
		t.Errorf("a's records = %v, want only %s", got, RecStepSatisfied)
	}
	if fx.runs["b"] != 1 || sum.Step("b").State != StateSatisfied {
		t.Errorf("b ran %d times and ended %s; want one run, then satisfied by the probe before the retry", fx.runs["b"], sum.Step("b").State)
	}
}

// TestInDoubtDecidedByProbe: a resumed run asks an in-doubt step's probe
// first: done is satisfied, not done runs it again, no answer asks the
// operator.
func TestInDoubtDecidedByProbe(t *testing.T) {
	tests := []struct {
		probe string
		done  bool
		want  State
		runs  int
		code  int
	}{
		{probe: "real", done: true, want: StateSatisfied, code: ExitOK},
		{probe: "real", done: false, want: StateSucceeded, runs: 1, code: ExitOK},
		{probe: "unknown", want: StateInDoubt, code: ExitWaiting},
		{probe: "error", want: StateInDoubt, code: ExitWaiting},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s done=%v", tt.probe, tt.done), func(t *testing.T) {
			a := useStep("a", nil, "k")
			a.With = value(map[string]any{"key": "k", "probe": tt.probe})
			p := withDB(newPlan(a), map[string]any{"name": "sql1"})
			cfg, _, o, fx := contractConfig(t, p)
			id := crashedRun(t, cfg, started("a"))
			fx.done["k"] = tt.done
			_, err := Resume(context.Background(), cfg, ResumeOptions{})
			if ExitCode(err) != tt.code {
				t.Fatalf("Resume: %v, want exit %d", err, tt.code)
			}
			st := Fold(mustRead(t, journalOf(cfg, id))).Steps["a"]
			if st.State != tt.want || fx.runs["a"] != tt.runs {
				t.Errorf("a is %s after %d runs, want %s after %d", st.State, fx.runs["a"], tt.want, tt.runs)
			}
			if o.opens.Load() != o.closes.Load() {
				t.Errorf("resume opened %d, closed %d", o.opens.Load(), o.closes.Load())
			}
		})
	}
}

// TestInspectNeverRuns: check mode evaluates checks, probes and
// inspections, and never an action's run, an approval, or the journal.
func TestInspectNeverRuns(t *testing.T) {
	gate := step("gate", []string{"a"}, nil)
	gate.Action = "test.approve"
	gate.With = value(nil)
	b := useStep("b", []string{"gate"}, "k2")
	b.When = []*plans.Check{chk(map[string]any{"pass": true, "key": "when-b"})}
	c := useStep("c", []string{"a"}, "k3")
	c.SkipIf = []*plans.Check{chk(map[string]any{"pass": true, "key": "skip-c"})}
	d := step("d", []string{"a"}, map[string]any{"echo": "${steps.a.outputs.key}"})
	e := step("e", []string{"x"}, map[string]any{"echo": "${steps.x.outputs.stdout}"})
	x := step("x", nil, nil)
	p := withDB(newPlan(useStep("a", nil, "k1"), gate, b, c, d, x, e), map[string]any{"name": "sql1", "password": "${secrets.pw}"})
	p.Preflight = []*plans.Check{chk(map[string]any{"pass": true, "key": "pre"})}
	cfg, rc, o, fx := contractConfig(t, p)
	fx.done["k1"] = true
	rep, err := Inspect(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if len(rc.calls) != 0 || len(fx.runs) != 0 {
		t.Fatalf("check mode ran actions: recorder %v, use %v", rc.calls, fx.runs)
	}
	verdicts := map[string]string{}
	for _, s := range rep.Steps {
		verdicts[s.ID] = s.Verdict
	}
	want := map[string]string{"a": VerdictHolds, "gate": VerdictWouldRun, "b": VerdictChange, "c": VerdictHolds,
		"d": VerdictWouldRun, "x": VerdictWouldRun, "e": VerdictUnknown}
	for id, v := range want {
		if verdicts[id] != v {
			t.Errorf("%s: verdict %q, want %q (%+v)", id, verdicts[id], v, rep.Steps)
		}
	}
	if fx.probes["a"] != 1 || fx.inspect["b"] != 1 || rc.checks["pre"] != 1 || rc.checks["when-b"] != 1 || rc.checks["skip-c"] != 1 {
		t.Errorf("probes %v, inspections %v, checks %v: want each evaluated once", fx.probes, fx.inspect, rc.checks)
	}
	if o.opens.Load() != 1 || o.closes.Load() != 1 {
		t.Errorf("check mode opened %d, closed %d", o.opens.Load(), o.closes.Load())
	}
	if runs, _ := journalRuns(cfg); len(runs) != 0 {
		t.Errorf("check mode wrote %d journals", len(runs))
	}
}

func journalOf(cfg Config, runID string) string {
	return journal.Path(cfg.StateDir, cfg.Plan.Name, runID)
}

func journalRuns(cfg Config) ([]journal.RunInfo, error) {
	return journal.ListPlan(cfg.StateDir, cfg.Plan.Name)
}

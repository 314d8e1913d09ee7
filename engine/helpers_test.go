package engine

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// actParams are the params of the recording fake action "test.act".
type actParams struct {
	Fail  int64          `param:"fail" doc:"fail the first N calls"`
	Class string         `param:"class,enum=retryable|permanent|unknown" default:"permanent" doc:"class of the failures"`
	Sleep time.Duration  `param:"sleep" doc:"sleep before returning"`
	Block bool           `param:"block" doc:"block until the attempt's context ends"`
	Echo  any            `param:"echo" doc:"recorded as given"`
	Out   map[string]any `param:"out" doc:"returned as outputs"`
	PID   int64          `param:"pid" doc:"record a process of this pid as started, first"`
}

// checkParams are the params of the fake check "test.check".
type checkParams struct {
	Pass      bool   `param:"pass"`
	PassAfter int64  `param:"pass_after" doc:"fail the first N evaluations, then pass"`
	Key       string `param:"key"`
	Echo      any    `param:"echo"`
}

// recorder records every call of the fake action and check.
type recorder struct {
	mu      sync.Mutex
	calls   []string // step ids, in call order
	counts  map[string]int
	echoes  map[string]any
	running int
	peak    int
	starts  map[string]int // call index of a step's last start
	ends    map[string]int // event index of a step's last end
	events  int
	checks  map[string]int
	onStart func(step string)
	onCheck func(key string) // called after a check is evaluated
	// outputs, if set, replaces the outputs the fake action returns.
	outputs func(step string) map[string]any
}

func newRecorder() *recorder {
	return &recorder{counts: map[string]int{}, echoes: map[string]any{}, starts: map[string]int{},
		ends: map[string]int{}, checks: map[string]int{}}
}

func (rc *recorder) begin(step string, echo any) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.calls = append(rc.calls, step)
	rc.counts[step]++
	rc.echoes[step] = echo
	rc.running++
	rc.peak = max(rc.peak, rc.running)
	rc.events++
	rc.starts[step] = rc.events
	return rc.counts[step]
}

func (rc *recorder) end(step string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.running--
	rc.events++
	rc.ends[step] = rc.events
}

func (rc *recorder) count(step string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.counts[step]
}

// recAct is the recording fake action: a Runner of actParams.
type recAct struct{ rc *recorder }

func (a recAct) Run(ctx context.Context, env *actions.Env, p *actParams) (map[string]any, error) {
	return a.rc.act(ctx, env, p)
}

// recCheck is the recording fake check: a Checker of checkParams.
type recCheck struct{ rc *recorder }

func (c recCheck) Check(ctx context.Context, env *actions.Env, p *checkParams) (actions.Result, error) {
	ok, detail, err := c.rc.check(ctx, env, p)
	return actions.Result{OK: ok, Detail: detail}, err
}

// recApprove is the fake approval action.
type recApprove struct{ rc *recorder }

func (a recApprove) Run(ctx context.Context, env *actions.Env, _ *actions.None) (map[string]any, error) {
	rc := a.rc
	rc.begin(env.StepID, nil)
	defer rc.end(env.StepID)
	ap, err := env.Approver.Approve(ctx, env.StepID, "Approve "+env.StepID+"?")
	if err != nil {
		return nil, fmt.Errorf("ask for approval: %w", err)
	}
	if !ap.Approved {
		return nil, actions.MarkPermanent(errors.New("refused"))
	}
	return map[string]any{"by": ap.By}, nil
}

func (rc *recorder) act(ctx context.Context, env *actions.Env, p *actParams) (map[string]any, error) {
	n := rc.begin(env.StepID, p.Echo)
	defer rc.end(env.StepID)
	if p.PID > 0 {
		if err := env.RecordProcess(actions.ProcessInfo{PID: int(p.PID), Group: int(p.PID), Command: "test-program"}); err != nil {
			return nil, err
		}
	}
	if rc.onStart != nil {
		rc.onStart(env.StepID)
	}
	if p.Block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if p.Sleep > 0 {
		select {
		case <-time.After(p.Sleep):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if int64(n) <= p.Fail {
		err := fmt.Errorf("fake failure %d of %s (echo %v)", n, env.StepID, p.Echo)
		switch p.Class {
		case "retryable":
			return nil, actions.MarkRetryable(err)
		case "permanent":
			return nil, actions.MarkPermanent(err)
		}
		return nil, err
	}
	if rc.outputs != nil {
		return rc.outputs(env.StepID), nil
	}
	return p.Out, nil
}

func (rc *recorder) check(_ context.Context, _ *actions.Env, p *checkParams) (bool, string, error) {
	rc.mu.Lock()
	rc.checks[p.Key]++
	n := rc.checks[p.Key]
	rc.mu.Unlock()
	if rc.onCheck != nil {
		rc.onCheck(p.Key)
	}
	if p.PassAfter > 0 {
		return int64(n) > p.PassAfter, fmt.Sprintf("evaluation %d of %s", n, p.Key), nil
	}
	return p.Pass, fmt.Sprintf("%s is %v (echo %v)", p.Key, p.Pass, p.Echo), nil
}

// testRegistry registers the fake action, check and an approval action.
func testRegistry(rc *recorder) *actions.Registry {
	reg := actions.NewRegistry()
	reg.Register(actions.Define[actParams](actions.Type{Name: "test.act", Kind: actions.KindAction, OpenOutputs: true}, recAct{rc}))
	reg.Register(actions.Define[actParams](actions.Type{Name: "test.idem", Kind: actions.KindAction, Idempotent: true}, recAct{rc}))
	reg.Register(actions.Define[checkParams](actions.Type{Name: "test.check", Kind: actions.KindCheck}, recCheck{rc}))
	reg.Register(actions.Define[actions.None](actions.Type{Name: "test.approve", Kind: actions.KindAction}, recApprove{rc}))
	return reg
}

// step builds a step of the fake action; with holds plain values, where a
// string containing ${…} becomes a template.
func step(id string, needs []string, with map[string]any) *plans.Step {
	return &plans.Step{ID: id, Action: "test.act", With: value(with), Retry: plans.Retry{Attempts: 1},
		Needs: needList(needs), Pos: plans.Pos{File: "test.yaml", Line: 1}}
}

func needList(ids []string) []plans.Need {
	var out []plans.Need
	for _, id := range ids {
		out = append(out, plans.Need{ID: id})
	}
	return out
}

// chk builds a fake check entry.
func chk(with map[string]any) *plans.Check {
	return &plans.Check{Type: "test.check", With: value(with), Pos: plans.Pos{File: "test.yaml", Line: 2}}
}

// newPlan fills Deps (needs plus output references), hashes and the graph.
func newPlan(steps ...*plans.Step) *plans.Plan {
	p := &plans.Plan{File: "test.yaml", Version: 1, Name: "test-plan", Steps: steps,
		Secrets: map[string]*plans.Secret{}, Targets: map[string]*plans.Target{}}
	for _, s := range steps {
		deps := map[string]bool{}
		for _, n := range s.Needs {
			deps[n.ID] = true
		}
		for _, r := range s.With.Refs() {
			if r.Scope == "steps" {
				deps[r.Path[0]] = true
			}
		}
		s.Deps = nil
		for d := range deps {
			s.Deps = append(s.Deps, d)
		}
		sort.Strings(s.Deps)
		s.Hash = fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprintf("%s %s %v %v", s.ID, s.Action, s.Deps, s.With.Display()))))
	}
	rehash(p)
	return p
}

func rehash(p *plans.Plan) {
	h := sha256.New()
	for _, s := range p.Steps {
		h.Write([]byte(s.Hash))
	}
	p.Hash = fmt.Sprintf("%x", h.Sum(nil))
}

// value turns a plain value into a plans.Value.
func value(x any) *plans.Value {
	switch v := x.(type) {
	case nil:
		return &plans.Value{Kind: plans.KindNull}
	case map[string]any:
		out := &plans.Value{Kind: plans.KindMap, Map: map[string]*plans.Value{}}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.Map[k] = value(v[k])
			out.Keys = append(out.Keys, k)
		}
		return out
	case []any:
		out := &plans.Value{Kind: plans.KindList}
		for _, e := range v {
			out.List = append(out.List, value(e))
		}
		return out
	case string:
		if strings.Contains(v, "${") {
			return template(v)
		}
		return &plans.Value{Kind: plans.KindString, Str: v}
	case int:
		return &plans.Value{Kind: plans.KindInt, Int: int64(v)}
	case int64:
		return &plans.Value{Kind: plans.KindInt, Int: v}
	case bool:
		return &plans.Value{Kind: plans.KindBool, Bool: v}
	}
	panic(fmt.Sprintf("value: unsupported %T", x))
}

// template parses "${scope.a.b}" references inside s.
func template(s string) *plans.Value {
	out := &plans.Value{Kind: plans.KindTemplate}
	for s != "" {
		i := strings.Index(s, "${")
		if i < 0 {
			out.Parts = append(out.Parts, plans.Part{Lit: s})
			break
		}
		if i > 0 {
			out.Parts = append(out.Parts, plans.Part{Lit: s[:i]})
		}
		j := strings.Index(s[i:], "}") + i
		path := strings.Split(s[i+2:j], ".")
		out.Parts = append(out.Parts, plans.Part{Ref: &plans.Ref{Scope: path[0], Path: path[1:]}})
		s = s[j+1:]
	}
	return out
}

// fakeClock advances only when slept on; it records every sleep.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// tickCh delivers the ticks a test sends (the lock's heartbeat):
	// unbuffered, so a second tick returns only once the first was handled.
	tickCh chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC), tickCh: make(chan time.Time)}
}

// Ticker returns the clock's one tick channel: nothing ticks unless a test
// calls tick.
func (c *fakeClock) Ticker(time.Duration) (<-chan time.Time, func()) { return c.tickCh, func() {} }

// tick makes the heartbeat renew once, and returns once that renewal is
// over: the second send waits for the goroutine to come back for it.
func (c *fakeClock) tick() {
	c.tickCh <- c.Now()
	c.tickCh <- c.Now()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// testConfig is a config for p in a fresh state dir.
func testConfig(t *testing.T, p *plans.Plan, rc *recorder) Config {
	t.Helper()
	return Config{Plan: p, Registry: testRegistry(rc), StateDir: t.TempDir(), Log: zerolog.Nop(),
		Clock: newFakeClock(), Rand: func() float64 { return 0.5 }, User: "tester", Host: "testhost",
		LookupEnv: func(string) (string, bool) { return "", false }}
}

// records reads back the run's journal.
func records(t *testing.T, sum *Summary) []journal.Record {
	t.Helper()
	rep, err := journal.Read(journal.OSFS{}, sum.JournalPath)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	return rep.Records
}

// recordTypes lists "type step" of each record of one step ("" : all).
func recordTypes(recs []journal.Record, stepID string) []string {
	var out []string
	for _, r := range recs {
		if stepID == "" || r.Step == stepID {
			out = append(out, r.Type)
		}
	}
	return out
}

// states maps step id to state from a summary.
func states(sum *Summary) map[string]State {
	m := map[string]State{}
	for _, s := range sum.Steps {
		m[s.ID] = s.State
	}
	return m
}

func mustRead(t *testing.T, path string) *journal.Replay {
	t.Helper()
	rep, err := journal.Read(journal.OSFS{}, path)
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	return rep
}

package engine

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// targetSet holds a run's targets: each decoded once (fields resolved,
// secrets included, and validated when a field held a run-time value) and
// opened once, on first use, by its type's Opener; every step and check
// of the target in the run shares the same *actions.Target. close closes
// every handle when the run ends, on every path.
type targetSet struct {
	c   *caller
	res plans.Resolver
	// open says whether handles are opened (not in preview).
	open bool
	mu   sync.Mutex // guards entries and closed
	// entries by target name.
	entries map[string]*targetEntry
	closed  bool
}

// targetEntry is one target of the run.
type targetEntry struct {
	// mu is held while the target is decoded and opened, so that steps
	// starting together open it once.
	mu sync.Mutex
	t  *actions.Target
	// err is a decode or validation error: the same for the whole run.
	err error
}

func newTargetSet(c *caller, res plans.Resolver, open bool) *targetSet {
	return &targetSet{c: c, res: res, open: open, entries: map[string]*targetEntry{}}
}

// get returns the named target, decoded and opened ("": no target).
func (ts *targetSet) get(ctx context.Context, name string) (*actions.Target, error) {
	if name == "" {
		return nil, nil
	}
	ts.mu.Lock()
	if ts.closed {
		ts.mu.Unlock()
		return nil, actions.MarkPermanent(fmt.Errorf("target %s: the run has ended", name))
	}
	e := ts.entries[name]
	if e == nil {
		e = &targetEntry{}
		ts.entries[name] = e
	}
	ts.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err != nil {
		return nil, e.err
	}
	if e.t == nil {
		e.t, e.err = ts.decode(name)
		if e.err != nil {
			return nil, e.err
		}
	}
	if !ts.open || e.t.Handle != nil {
		return e.t, nil
	}
	tt := ts.c.reg.TargetType(e.t.Type)
	if !tt.CanOpen() {
		return e.t, nil
	}
	// Checked again under e.mu: close may have run while this waited,
	// and a handle opened now would never be closed.
	if ts.isClosed() {
		return nil, actions.MarkPermanent(fmt.Errorf("target %s: the run has ended", name))
	}
	h, err := tt.Open(ctx, ts.openEnv(name), e.t.Params)
	if err != nil {
		// Not kept: the next step or attempt tries again.
		return nil, keepClass(err, fmt.Errorf("open target %s: %s", name, ts.c.red.Redact(err.Error())))
	}
	// The Target is shared by steps running in parallel: it is replaced,
	// never changed, once handed out.
	opened := *e.t
	opened.Handle = h
	e.t = &opened
	ts.c.log.Debug().Str("target", name).Msg("target opened")
	return e.t, nil
}

// decode resolves and decodes a target's fields.
func (ts *targetSet) decode(name string) (*actions.Target, error) {
	pt := ts.c.plan.Targets[name]
	if pt == nil {
		return nil, actions.MarkPermanent(fmt.Errorf("unknown target %q", name))
	}
	tt := ts.c.reg.TargetType(pt.Type)
	if tt == nil {
		return nil, actions.MarkPermanent(fmt.Errorf("target %s: unknown target type %q", name, pt.Type))
	}
	fields := make(map[string]any, len(pt.Fields))
	runtime := false
	for k, v := range pt.Fields {
		x, err := v.Resolve(ts.res)
		if err != nil {
			return nil, actions.MarkPermanent(fmt.Errorf("target %s field %s: %w", name, k, err))
		}
		fields[k] = x
		runtime = runtime || !v.IsStatic()
	}
	params, err := actions.Decode(tt.Params, fields)
	if err == nil && runtime && ts.c.mode != actions.ModePreview {
		err = tt.Validate(params)
	}
	if err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("target %s: %w", name, err))
	}
	return &actions.Target{Name: name, Type: pt.Type, Params: params}, nil
}

// keepClass gives to, a rewording of err, err's retry class.
func keepClass(err, to error) error {
	switch actions.ClassOf(err) {
	case actions.Retryable:
		return actions.MarkRetryable(to)
	case actions.Permanent:
		return actions.MarkPermanent(to)
	}
	return to
}

func (ts *targetSet) openEnv(name string) *actions.OpenEnv {
	c := ts.c
	return &actions.OpenEnv{Log: c.log.With().Str("target", name).Logger(), RunID: c.runID, Target: name,
		Mode: c.mode, Version: c.version, Redact: c.red.Redact}
}

func (ts *targetSet) isClosed() bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.closed
}

// close closes every opened handle, in name order, and refuses further
// use. Errors are logged: the run's outcome is already decided.
func (ts *targetSet) close(log zerolog.Logger) {
	ts.mu.Lock()
	ts.closed = true
	names := make([]string, 0, len(ts.entries))
	for n := range ts.entries {
		names = append(names, n)
	}
	ts.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		e := ts.entries[n]
		e.mu.Lock()
		if e.t != nil && e.t.Handle != nil {
			if err := e.t.Handle.Close(); err != nil {
				log.Warn().Str("target", n).Str("error", ts.c.red.Redact(err.Error())).Msg("close target")
			}
			e.t = nil
		}
		e.mu.Unlock()
	}
}

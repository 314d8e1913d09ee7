package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
)

// clearScreen moves a terminal's cursor home and clears it, so that each
// view of a watched run replaces the last.
const clearScreen = "\x1b[H\x1b[2J"

// watchRun is `status --watch`: it shows the run arg names (a run id, or
// a plan's latest run) each time a journal or the lock of its plan
// changes, until the run has succeeded or the operator ends it.
func (a *app) watchRun(ctx context.Context, arg string, vf *varFlags, format string) error {
	b, err := a.state()
	if err != nil {
		return err
	}
	w, err := a.watched(b, arg, vf)
	if err != nil {
		return err
	}
	changes, err := b.Changes(ctx, w.plan)
	if err != nil {
		return withCode(exitFailed, err)
	}
	var last []byte
	for {
		view, done, err := a.watchView(b, w, format)
		if err != nil {
			return err
		}
		if !bytes.Equal(view, last) {
			if format == "table" && isTerminal(a.stdout) {
				fmt.Fprint(a.stdout, clearScreen)
			}
			if _, err := a.stdout.Write(view); err != nil {
				return err
			}
			last = view
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
		}
	}
}

// watchTarget is what a watch follows, found once: the plan file is not
// loaded again (nor its warnings shown again) at every change, nor every
// run of every plan read to find a run id's.
type watchTarget struct {
	// plan is the plan whose runs and lock the watch follows.
	plan string
	// run is the run a run id named; nil: the plan's latest run.
	run *journal.RunInfo
	// order and actions are a plan file's steps (nil otherwise).
	order   []string
	actions map[string]string
}

// watched finds what arg names: a run id, a plan file or a plan name.
func (a *app) watched(b store.Backend, arg string, vf *varFlags) (*watchTarget, error) {
	switch _, serr := os.Stat(arg); {
	case journal.ValidRunID(arg):
		info, err := findRunByID(b, arg)
		if err != nil {
			return nil, err
		}
		return &watchTarget{plan: info.Plan, run: &journal.RunInfo{Plan: info.Plan, RunID: info.RunID, Path: info.Path}}, nil
	case serr != nil && looksLikeFile(arg):
		return nil, withCode(exitUsage, fmt.Errorf("plan file %s: %w", arg, serr))
	case serr != nil:
		return &watchTarget{plan: arg}, nil
	}
	p, err := a.loadPlan(arg, vf)
	if err != nil {
		return nil, err
	}
	order, actions := stepOrder(p)
	return &watchTarget{plan: p.Name, order: order, actions: actions}, nil
}

// watchView renders the watched run once, and says whether it is over
// for good. A plan without a run yet is waited for; a run that cannot be
// read now is said so, and watched on.
func (a *app) watchView(b store.Backend, w *watchTarget, format string) ([]byte, bool, error) {
	info := w.run
	if info == nil {
		latest, err := latestRun(b, w.plan)
		var ee *exitError
		if errors.As(err, &ee) && ee.code == exitUsage {
			return fmt.Appendf(nil, "waiting for a run of plan %s in %s\n", w.plan, b), false, nil
		}
		if err != nil {
			return fmt.Appendf(nil, "cannot show the run now: %v\n", err), false, nil
		}
		info = &latest
	}
	v, err := a.viewOf(b, *info, w.order, w.actions)
	if err != nil {
		// A journal caught being created, a store that did not answer:
		// said, and watched on; the next change may mend it.
		return fmt.Appendf(nil, "cannot show the run now: %v\n", err), false, nil
	}
	var out bytes.Buffer
	if format == "json" {
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, false, err
		}
	} else {
		writeRunView(&out, v)
		out.WriteString("\n")
	}
	return out.Bytes(), v.State == "succeeded", nil
}

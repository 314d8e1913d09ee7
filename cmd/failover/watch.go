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
	plan, run, err := a.watched(b, arg, vf)
	if err != nil {
		return err
	}
	changes, err := b.Changes(ctx, plan)
	if err != nil {
		return withCode(exitFailed, err)
	}
	var last []byte
	for {
		view, done, err := a.watchView(b, arg, plan, run, vf, format)
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

// watched is the plan whose runs and lock a watch follows and, when arg
// is a run id, that run's journal, found once: every view reads it alone,
// not every run of every plan.
func (a *app) watched(b store.Backend, arg string, vf *varFlags) (string, *journal.RunInfo, error) {
	if journal.ValidRunID(arg) {
		info, err := findRunByID(b, arg)
		if err != nil {
			return "", nil, err
		}
		return info.Plan, &journal.RunInfo{Plan: info.Plan, RunID: info.RunID, Path: info.Path}, nil
	}
	if _, err := os.Stat(arg); err != nil && looksLikeFile(arg) {
		return "", nil, withCode(exitUsage, fmt.Errorf("plan file %s: %w", arg, err))
	}
	plan, err := a.planName(arg, vf)
	return plan, nil, err
}

// watchView renders the watched run once, and says whether it is over
// for good. A plan without a run yet is waited for; a run that cannot be
// read now is said so, and watched on.
func (a *app) watchView(b store.Backend, arg, plan string, run *journal.RunInfo, vf *varFlags, format string) ([]byte, bool, error) {
	var v *runView
	var err error
	if run != nil {
		v, err = a.viewOf(b, *run, nil, nil)
	} else {
		v, err = a.runView(arg, vf)
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.code == exitUsage && !journal.ValidRunID(arg) {
		if _, lerr := latestRun(b, plan); lerr != nil {
			return fmt.Appendf(nil, "waiting for a run of plan %s in %s\n", plan, b), false, nil
		}
		// The run appeared since: show it.
		v, err = a.runView(arg, vf)
	}
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

package logship

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
)

// Probe says Done when no file holds a log the database still needs and
// the chain has no gap; NotDone when some are to apply (applying again
// is safe: the restore point says what is applied). A recovered database
// with logs left unapplied, or state that cannot be read, is Unknown.
func (applyAction) Probe(ctx context.Context, env *actions.Env, p *ApplyParams) (actions.Probe, error) {
	a, err := newApplier(ctx, env, p)
	if err != nil {
		return actions.Probe{State: actions.ProbeUnknown, Detail: err.Error()}, nil
	}
	defer a.close()
	sc, err := a.scan(ctx)
	if err != nil {
		return actions.Probe{State: actions.ProbeUnknown, Detail: err.Error()}, nil
	}
	a.noteStart(sc.point.Redo)
	plan := sc.plan
	switch {
	case sc.point.State.Recovered():
		if err := recoveredError(sc.point, plan, p.Database); err != nil {
			return actions.Probe{State: actions.ProbeUnknown, Detail: err.Error()}, nil
		}
	case plan.Gap != nil && len(plan.Apply) == 0 && p.AllowGap:
	case plan.Gap != nil:
		return actions.Probe{State: actions.ProbeNotDone, Detail: plan.Gap.message(p.Database, sc.unreadable)}, nil
	case len(plan.Apply) > 0:
		return actions.Probe{State: actions.ProbeNotDone, Detail: fmt.Sprintf("%d log backup set(s) to apply from LSN %s, the first %s",
			len(plan.Apply), plan.Start, plan.Apply[0].ref())}, nil
	}
	return actions.Probe{State: actions.ProbeDone, Outputs: a.outputs(sc),
		Detail: fmt.Sprintf("%s: no file in %s holds a log it still needs", sc.point.State, joinSQLDirs(a.dirs))}, nil
}

// Inspect says which files a run would apply or skip, and why, the LSN
// the database would reach and the data-loss window, changing nothing
// (RESTORE HEADERONLY and SELECTs only).
func (applyAction) Inspect(ctx context.Context, env *actions.Env, p *ApplyParams) (actions.Inspection, error) {
	if refersToRunTime(p) {
		return actions.Inspection{Change: actions.ChangeUnknown, Summary: "the folders come from an earlier step's outputs: known only when it ran"}, nil
	}
	a, err := newApplier(ctx, env, p)
	if err != nil {
		return actions.Inspection{}, err
	}
	defer a.close()
	sc, err := a.scan(ctx)
	if err != nil && sqlserver.Has(err, createDatabaseDenied) && sc.point.State.Exists {
		return a.headersDenied(sc, err), nil
	}
	if err != nil {
		return actions.Inspection{}, err
	}
	a.noteStart(sc.point.Redo)
	return a.inspection(sc), nil
}

// createDatabaseDenied is error 262: RESTORE HEADERONLY needs CREATE
// DATABASE, which a read-only login (the one plan --check may use) lacks.
const createDatabaseDenied = 262

// headersDenied is what plan --check can tell when the login may read
// the database's state but not the backups' headers: the state, the redo
// LSN and how many files are candidates, and what it could not tell.
func (a *applier) headersDenied(sc scanResult, err error) actions.Inspection {
	return actions.Inspection{Change: actions.ChangeUnknown,
		Summary: fmt.Sprintf("%s at redo LSN %s, %d candidate file(s) in %s; which of them a run would apply cannot be told: "+
			"this login may not read backup headers (RESTORE HEADERONLY needs CREATE DATABASE: %v)",
			sc.point.State.Effective(), sc.point.Redo, sc.files, joinSQLDirs(a.dirs), err),
		Data: map[string]any{"database": a.p.Database, "state": sc.point.State.Effective(), "redo_start_lsn": sc.point.Redo.String(),
			"files": int64(sc.files), "headers_denied": true}}
}

// inspection describes a scan for plan --check.
func (a *applier) inspection(sc scanResult) actions.Inspection {
	plan := sc.plan
	in := actions.Inspection{Change: actions.ChangeNone}
	for i, s := range plan.Apply {
		in.Details = append(in.Details, fmt.Sprintf("apply %d: %s (LSN %s, finished %s)", i+1, s.ref(), s.lsnRange(), utcText(a.clock.UTC(s.Finish))))
	}
	applyRefs := actions.CapList(refsOf(plan.Apply))
	skips := a.notApplied(sc)
	for _, s := range skips {
		in.Details = append(in.Details, "skip "+s)
	}
	out := a.outputs(sc)
	reach := plan.Reach
	if n := len(plan.Apply); n > 0 {
		reach = plan.Apply[n-1].LastLSN
		last := plan.Apply[n-1]
		secs, window := a.lossWindow(a.clock.UTC(last.Finish))
		out["last_lsn"], out["last_file"], out["last_backup_finish"] = reach.String(), last.ref(), utcText(a.clock.UTC(last.Finish))
		out["data_loss_seconds"], out["data_loss_window"], out["files_applied"] = secs, window, int64(n)
		out["applied"] = applyRefs
	}
	switch {
	case sc.point.State.Recovered():
		if err := recoveredError(sc.point, plan, a.p.Database); err != nil {
			in.Change, in.Summary = actions.ChangeUnknown, "a run would fail: "+err.Error()
		} else {
			in.Summary = fmt.Sprintf("%s: already recovered, and no file holds a log newer than the last one restored", sc.point.State)
		}
	case plan.Gap != nil && !a.p.AllowGap:
		in.Change = actions.ChangeUnknown
		in.Summary = "a run would fail before applying anything: " + plan.Gap.message(a.p.Database, sc.unreadable)
	case len(plan.Apply) > 0:
		in.Change = actions.ChangeSome
		in.Summary = fmt.Sprintf("would apply %d log backup set(s) to %s, from LSN %s to %s; %s",
			len(plan.Apply), a.p.Database, plan.Start, reach, windowShort(out))
	default:
		in.Summary = fmt.Sprintf("%s: nothing to apply; %s", sc.point.State, windowShort(out))
	}
	in.Data = map[string]any{"database": a.p.Database, "state": sc.point.State.Effective(), "redo_start_lsn": plan.Start.String(),
		"reach_lsn": reach.String(), "apply": applyRefs, "skip": actions.CapList(skips), "files": int64(sc.files),
		"gap": out["gap"], "data_loss_seconds": out["data_loss_seconds"]}
	in.Outputs = out
	return in
}

// windowShort says the data-loss window in a few words.
func windowShort(out map[string]any) string {
	secs, _ := out["data_loss_seconds"].(int64)
	if secs < 0 {
		return "data-loss window unknown"
	}
	return fmt.Sprintf("data-loss window %s (the last log backup finished %s)", time.Duration(secs)*time.Second, out["last_backup_finish"])
}

func refsOf(sets []backupSet) []string {
	out := make([]string, len(sets))
	for i, s := range sets {
		out[i] = s.ref()
	}
	return out
}

// refersToRunTime reports folders that hold an unresolved reference.
func refersToRunTime(p *ApplyParams) bool {
	for _, d := range append([]string{p.Dir, p.LocalDir}, append(p.Dirs, p.LocalDirs...)...) {
		if strings.Contains(d, "${") {
			return true
		}
	}
	return false
}

package logship

import (
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/lsn"
)

// noteStart records the step's starting restore point once.
func (a *applier) noteStart(redo lsn.LSN) {
	if !a.startLSN.IsZero() {
		return
	}
	if a.base.StartLSN != "" {
		if l, err := lsn.Parse(a.base.StartLSN); err == nil {
			a.startLSN = l
			return
		}
	}
	a.startLSN = redo
}

// outputs are the step's outputs after the last scan sc.
func (a *applier) outputs(sc scanResult) map[string]any {
	last, known := sc.plan.last()
	if n := len(a.applied); n > 0 {
		last, known = a.applied[n-1], true
	}
	lastLSN := sc.plan.Reach
	if known && lastLSN.Less(last.LastLSN) {
		lastLSN = last.LastLSN
	}
	finish, lastFile := time.Time{}, a.base.LastFile
	if known {
		finish, lastFile = a.clock.UTC(last.Finish), last.ref()
	} else if a.base.LastFinish != "" {
		finish, _ = time.Parse(time.RFC3339, a.base.LastFinish)
	}
	skips := a.notApplied(sc)
	applied := make([]string, len(a.applied))
	for i, s := range a.applied {
		applied[i] = s.ref()
	}
	secs, window := a.lossWindow(finish)
	gap := ""
	if sc.plan.Gap != nil {
		gap = sc.plan.Gap.message(a.p.Database, sc.unreadable)
	}
	return map[string]any{
		"files_applied":      a.base.Applied + int64(len(a.applied)),
		"applied":            actions.CapList(applied),
		"last_lsn":           lastLSN.String(),
		"last_file":          lastFile,
		"last_backup_finish": utcText(finish),
		"data_loss_seconds":  secs,
		"data_loss_window":   window,
		"files_skipped":      int64(len(skips)),
		"skipped":            actions.CapList(skips),
		"gap":                gap,
		"server_utc_offset":  a.clock.String(),
	}
}

// notApplied lists the files and sets the step did not apply, with why:
// a set the step itself applied (in this attempt or an earlier one)
// shows as "already applied" in a later scan and is left out.
func (a *applier) notApplied(sc scanResult) []string {
	all := append(append([]skipped(nil), sc.plan.Skips...), sc.unreadable...)
	sortSkips(all)
	var out []string
	for _, s := range all {
		if s.Applied && a.startLSN.Less(s.LastLSN) {
			continue
		}
		out = append(out, s.Ref+": "+s.Why)
	}
	return out
}

// lossWindow is the time from the last applied backup's finish to the
// start of the step: nothing after that finish reached the database.
func (a *applier) lossWindow(finish time.Time) (int64, string) {
	if finish.IsZero() {
		return -1, "unknown: no file holds the last log backup the database has (its header gives the time)"
	}
	d := a.started.Sub(finish).Truncate(time.Second)
	return int64(d / time.Second), fmt.Sprintf("%s: the last log backup applied finished at %s (server UTC offset %s), the step started at %s; changes after it are lost",
		d, finish.UTC().Format(time.RFC3339), a.clock, a.started.UTC().Format(time.RFC3339))
}

package engine

import (
	"fmt"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// TruncatedError refuses a journal that holds fewer records than its run
// synced: it was cut short, at a record boundary or inside one, and the
// records lost may say that steps succeeded.
type TruncatedError struct {
	// PlanArg names the plan for the commands shown (a file or a name).
	PlanArg string
	RunID   string
	// Records is how many good records the journal holds.
	Records int
	Synced  Synced
}

// Error names both numbers, who saw the higher one, and the ways on.
func (e *TruncatedError) Error() string {
	plan := e.PlanArg
	if plan == "" {
		plan = "PLAN"
	}
	return fmt.Sprintf("the journal of run %s holds %d records, but %s: records %d to %d are missing. The journal was "+
		"cut short after they were written (a restore, a copy, a disk), and resuming would redo or skip steps on a guess. "+
		"`failover journal dump %s` shows what is left; then either `failover journal repair %s --force` journals the loss "+
		"and puts every step not known done in doubt (a copy of the file is kept), or `failover apply %s --new-run` sets "+
		"the run aside and starts afresh", e.RunID, e.Records, e.Synced, e.Records+1, e.Synced.Seq(), e.RunID, e.RunID, plan)
}

// cutShort returns a *TruncatedError when records, the good records of
// the journal of run, are fewer than s says were synced; else nil.
func cutShort(planArg, runID string, records int, s Synced) error {
	if uint64(records) >= s.Seq() {
		return nil
	}
	return &TruncatedError{PlanArg: planArg, RunID: runID, Records: records, Synced: s}
}

// CutShort tells whether the journal of run ri (as listed) holds fewer
// records than its run synced, for status: a *TruncatedError, or nil.
// The sync mark is read now, after the listing, and the lock too unless
// the caller read it after the listing (holder; nil reads it); a journal
// that seems short is read again, so that a run that appended since the
// listing is not taken for cut short.
func CutShort(b store.Backend, ri journal.RunInfo, holder *lock.Info) error {
	if ri.Err != nil && ri.Records == 0 {
		return nil // unreadable: its own error says more
	}
	s := syncedOf(b, ri, holder)
	if uint64(ri.Records) >= s.Seq() {
		return nil
	}
	if rep, _ := b.Read(ri.Path); rep != nil {
		ri.Records = len(rep.Records)
	}
	return cutShort("", ri.RunID, ri.Records, s)
}

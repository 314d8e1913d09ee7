package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
)

// rebuild gives the records of a journal whose header is damaged a header
// rebuilt from what can be told, keeping every record found whole from
// the first on (the ones after a gap are dropped, their steps put in
// doubt). Only with force: the header it writes is partly guessed, and
// the report says which part came from where.
func (rr *RepairReport) rebuild(b store.Backend, path string, force bool, user string, he *journal.HeaderError) error {
	rs, err := b.Rescue(path)
	if err != nil {
		return err
	}
	if rs == nil {
		return errors.New("the journal's header reads again: nothing to rebuild") // changed under us
	}
	rr.HeaderErr = rs.Err
	rr.Kept = rs.Kept()
	kept := make([]journal.Record, 0, rr.Kept)
	for _, s := range rs.Records[:rr.Kept] {
		kept = append(kept, s.Record)
	}
	dropped := rs.Records[rr.Kept:]
	h, notes := rebuildHeader(b, path, rs, kept)
	rr.Header = notes
	folded := Fold(&journal.Replay{Header: h, Records: kept})
	rr.Dropped = len(dropped)
	rr.missing(dropped)
	if !force {
		return rr.headerRefusal(path, he)
	}
	if rr.Missing > 0 && len(knownSteps(folded)) == 0 {
		return fmt.Errorf("%w; and no record left names the run's steps, while %s: which steps may have run cannot be "+
			"told, nothing repaired; `failover apply PLAN --new-run` sets the run aside and starts afresh", he, rr.Synced)
	}
	recs := rr.marks(folded, dropped, user, -1)
	cp, err := b.Rewrite(path, h, rr.Kept, recs)
	rr.Copy = cp
	return err
}

// headerRefusal says what a forced rebuild of a damaged header would
// keep, drop and guess.
func (rr *RepairReport) headerRefusal(path string, he *journal.HeaderError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "found whole after it: %d record(s) from the first on", rr.Kept)
	if rr.Dropped > 0 {
		fmt.Fprintf(&b, ", and %d more after a gap, which a repair drops", rr.Dropped)
	}
	if rr.Missing > 0 {
		fmt.Fprintf(&b, "; %d record(s) the run synced are nowhere (%s)", rr.Missing, rr.Synced)
	}
	run := runOf(path)
	fmt.Fprintf(&b, ". `failover journal dump %s` shows them; `failover journal repair %s --force` rebuilds the header (%s), "+
		"keeps those records and journals the repair (a copy of the file is kept); or `failover apply PLAN --new-run` "+
		"sets the run aside and starts afresh", run, run, strings.Join(rr.Header, "; "))
	return fmt.Errorf("%w; %s", he, b.String())
}

// rebuildHeader makes a header for the records of a journal whose own is
// damaged, and says where each part came from. The file's place wins over
// what the damaged header says (a flipped bit may be in it); the
// run-started record (whole, checksummed) over the damaged header for who
// ran it and when. A plan hash that cannot be told is left empty: resume
// then refuses the plan as changed until --force.
func rebuildHeader(b store.Backend, path string, rs *journal.Rescued, kept []journal.Record) (journal.Header, []string) {
	var h journal.Header
	var notes []string
	if rs.Decoded != nil {
		h = *rs.Decoded
		notes = append(notes, "plan hash, step hashes and plan file from the damaged header, unverified "+
			"(a wrong plan hash makes resume refuse the plan as changed)")
	}
	h.FormatVersion = journal.FormatVersion
	plan, id := b.RunOf(path)
	h.PlanName = plan
	notes = append(notes, "plan name from "+where(b, "its directory", "its key"))
	if id != "" {
		h.RunID = id
		notes = append(notes, "run id from "+where(b, "the file name", "its key"))
	}
	if start := firstRecord(kept, RecRunStarted); start != nil {
		h.User, h.Started = start.User, start.Time
		if start.Run != nil {
			h.Host = start.Run.Host
		}
		notes = append(notes, "user, host and start time from the run-started record")
	} else if t, err := time.Parse("20060102T150405Z", strings.SplitN(h.RunID, "-", 2)[0]); err == nil && rs.Decoded == nil {
		h.Started = t
		notes = append(notes, "start time from the run id")
	}
	if rs.Decoded == nil {
		var all []journal.Record
		for _, s := range rs.Records {
			all = append(all, s.Record)
		}
		if pc := firstRecord(all, RecPlanChanged); pc != nil && pc.PlanChange != nil {
			h.PlanHash = pc.PlanChange.OldHash
			notes = append(notes, "plan hash from the first plan-changed record; step hashes unknown")
		} else {
			notes = append(notes, "plan hash and step hashes unknown (resume refuses the plan as changed until --force)")
		}
	}
	return h, notes
}

// where says local when b is a state dir, else shared.
func where(b store.Backend, local, shared string) string {
	if _, ok := b.(*store.Local); ok {
		return local
	}
	return shared
}

// firstRecord returns the first record of type typ, or nil.
func firstRecord(recs []journal.Record, typ string) *journal.Record {
	for i := range recs {
		if recs[i].Type == typ {
			return &recs[i]
		}
	}
	return nil
}

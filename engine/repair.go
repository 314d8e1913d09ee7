package engine

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
)

// RecJournalRepaired records what a journal repair dropped or could not
// know (Repair: the offset cut, the good records dropped, the synced
// records missing, how a damaged header was rebuilt), before the steps it
// puts in doubt.
const RecJournalRepaired = "journal-repaired"

// ranTypes are the records that show a step's action started.
var ranTypes = map[string]bool{RecStepStarted: true, RecAttemptFailed: true, RecStepSucceeded: true,
	RecStepFailed: true, RecStepInterrupted: true, RecMarkedDone: true}

// RepairReport says what a journal repair did and what it could not know.
type RepairReport struct {
	// Damage is the bad record found after a good header (nil: none).
	Damage *journal.Damage
	// HeaderErr is the damaged header (nil: it was good); Header says
	// how it was rebuilt, part by part.
	HeaderErr *journal.HeaderError
	Header    []string
	// Copy is the journal as it was, kept; "" when nothing changed.
	Copy string
	// Kept is how many records the repaired journal keeps as they were;
	// Dropped how many good records found in the file it drops.
	Kept, Dropped int
	// Missing is how many records the run synced that the file holds
	// nowhere, from MissingFrom on; Synced is what says the run synced
	// them.
	Missing, MissingFrom uint64
	Synced               Synced
	// InDoubt are the steps the repair journaled in doubt.
	InDoubt []string
	// last is the seq of the repaired journal's last record.
	last uint64
}

// RepairJournal repairs the journal named path in b and says in it, in the same
// atomic step, what the repair dropped or could not know:
//   - a bad tail is cut back (journal.RepairMarking); good records after
//     the damage are dropped only with force;
//   - a damaged header is rebuilt, with force, from what the records, the
//     damaged header and the file's name tell (journal.Rewrite), keeping
//     every record found whole from the first on;
//   - a journal holding fewer records than its run synced (its sync mark
//     or its lock say how many) is completed, with force, by a record of
//     the loss.
//
// Every step the dropped records show started, and every step not known
// done when synced records are missing, is journaled in doubt: resume
// then never runs it again, nor skips it, on a guess. The journal as it
// was is kept beside it. The sync mark, and the plan's lock when it names
// the run, are set to what the repaired journal holds. A clean journal
// returns a report with no Copy.
func RepairJournal(b store.Backend, path string, force bool, user string) (*RepairReport, error) {
	plan, runID := b.RunOf(path)
	if runID == "" {
		// A kept copy: no run's mark or lock speaks of it.
		runID = strings.TrimSuffix(filepath.Base(path), journal.Extension)
	}
	// Read before the journal: see syncedOf.
	rr := &RepairReport{Synced: syncedOf(b, journal.RunInfo{Plan: plan, RunID: runID, Path: path}, nil)}
	rep, err := b.Read(path)
	var he *journal.HeaderError
	switch {
	case errors.As(err, &he):
		err = rr.rebuild(b, path, force, user, he)
	case rep == nil:
		return nil, err
	case rep.Damage != nil:
		err = rr.cut(b, path, force, user, rep)
	case uint64(len(rep.Records)) < rr.Synced.Seq():
		err = rr.complete(b, path, force, user, rep)
	default:
		rr.Kept = len(rep.Records)
		return rr, nil
	}
	if err != nil || rr.Copy == "" {
		return rr, err
	}
	if err := b.LowerLock(plan, runID, rr.last); err != nil {
		return rr, fmt.Errorf("journal %s repaired, but the plan's lock still says %d records were synced: %w", path, rr.Synced.Lock, err)
	}
	return rr, nil
}

// cut repairs a bad record after a good header. A bad final record that
// the run had synced is not a torn tail: it is cut only with force.
func (rr *RepairReport) cut(b store.Backend, path string, force bool, user string, rep *journal.Replay) error {
	rr.Damage, rr.Kept, rr.last = rep.Damage, len(rep.Records), uint64(len(rep.Records))
	if uint64(rr.Kept) < rr.Synced.Seq() && !force && !rep.Damage.Trailing {
		return fmt.Errorf("the bad record at offset %d of journal %s (%s) is record %d, and %s: it is not a torn tail, "+
			"it was durable; `failover journal repair %s --force` cuts it back and journals the loss (a copy of the file is kept)",
			rep.Damage.Offset, path, rep.Damage.Reason, rr.Kept+1, rr.Synced, runOf(path))
	}
	mark := func(kept *journal.Replay, dropped []journal.Salvaged) []journal.Record {
		return rr.marks(Fold(kept), dropped, user, kept.Damage.Offset)
	}
	d, err := b.RepairMarking(path, force, mark)
	if d != nil {
		rr.Damage, rr.Copy = d, d.Copy
	}
	return err
}

// complete records, in a journal cut short, that records the run synced
// are missing, and puts every step not known done in doubt.
func (rr *RepairReport) complete(b store.Backend, path string, force bool, user string, rep *journal.Replay) error {
	rr.Kept = len(rep.Records)
	if !force {
		return cutShort("", runOf(path), rr.Kept, rr.Synced)
	}
	recs := rr.marks(Fold(rep), nil, user, -1)
	cp, err := b.Rewrite(path, rep.Header, rr.Kept, recs)
	rr.Copy = cp
	return err
}

// marks returns the records that say what a repair dropped or could not
// know: journal-repaired, then step-interrupted for each step in doubt.
// None when nothing was lost (a torn tail that held no step's record).
// damageAt is the offset of the damaged record, -1 for none.
func (rr *RepairReport) marks(kept *RunState, dropped []journal.Salvaged, user string, damageAt int64) []journal.Record {
	rr.Dropped = len(dropped)
	rr.missing(dropped)
	note := fmt.Sprintf("its records after offset %d were dropped by `journal repair --force`: it may have run", damageAt)
	if rr.Missing > 0 {
		rr.InDoubt = notDone(kept)
		note = fmt.Sprintf("records %d to %d of the run are missing from its journal: it may have run",
			rr.MissingFrom, rr.Synced.Seq())
	} else {
		rr.InDoubt = droppedSteps(kept, dropped, damageAt)
		if damageAt < 0 {
			note = "its records after the damaged header's gap were dropped by `journal repair --force`: it may have run"
		}
	}
	if len(rr.InDoubt) == 0 && rr.Missing == 0 && rr.HeaderErr == nil {
		return nil
	}
	info := &journal.RepairInfo{Dropped: rr.Dropped, Missing: rr.Missing, MissingFrom: rr.MissingFrom,
		Header: strings.Join(rr.Header, "; ")}
	if damageAt >= 0 {
		info.Offset = damageAt
	}
	recs := []journal.Record{{Type: RecJournalRepaired, User: user, Repair: info}}
	for _, id := range rr.InDoubt {
		recs = append(recs, journal.Record{Type: RecStepInterrupted, Step: id, User: user,
			Attempt: lastAttempt(dropped, id), Note: note})
	}
	rr.last = uint64(rr.Kept + len(recs))
	return recs
}

// missing counts the records the run synced after the kept ones that are
// neither kept nor among the dropped ones found in the file.
func (rr *RepairReport) missing(dropped []journal.Salvaged) {
	found := map[uint64]bool{}
	for _, s := range dropped {
		found[s.Record.Seq] = true
	}
	rr.Missing, rr.MissingFrom = 0, 0
	for seq := uint64(rr.Kept) + 1; seq <= rr.Synced.Seq(); seq++ {
		if found[seq] {
			continue
		}
		if rr.Missing == 0 {
			rr.MissingFrom = seq
		}
		rr.Missing++
	}
}

// notDone lists the steps of the run that its kept records do not show
// succeeded or satisfied: with records missing, any of them may have
// started since, succeeded even. The run's step order comes from its
// run-started record, else from its header's step hashes.
func notDone(rs *RunState) []string {
	var out []string
	for _, id := range knownSteps(rs) {
		if st := rs.Steps[id]; st != nil && (st.State == StateSucceeded || st.State == StateSatisfied) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// knownSteps lists the steps the journal names: in the run's order, then
// those only the header's step hashes name, sorted.
func knownSteps(rs *RunState) []string {
	ids := append([]string(nil), rs.Order...)
	var rest []string
	for id := range rs.Header.StepHashes {
		if !contains(ids, id) {
			rest = append(rest, id)
		}
	}
	sort.Strings(rest)
	return append(ids, rest...)
}

// droppedSteps lists, in order of their first dropped record, the steps of
// the run that dropped records show started and that the kept records do
// not show succeeded or satisfied. The damaged record itself (at
// damageAt, when it still decodes) counts whatever its type says: its
// type may be what the damage hit.
func droppedSteps(kept *RunState, dropped []journal.Salvaged, damageAt int64) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range dropped {
		id := s.Record.Step
		known := len(kept.Order) == 0 || contains(kept.Order, id)
		if id == "" || seen[id] || !known || !(ranTypes[s.Record.Type] || s.Offset == damageAt) {
			continue
		}
		seen[id] = true
		if st := kept.Steps[id]; st != nil && (st.State == StateSucceeded || st.State == StateSatisfied) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// lastAttempt is the highest attempt the dropped records give a step.
func lastAttempt(dropped []journal.Salvaged, id string) int {
	n := 0
	for _, s := range dropped {
		if s.Record.Step == id {
			n = max(n, s.Record.Attempt)
		}
	}
	return n
}

// runOf names the run of a journal path for commands: its run id, or the
// path itself when the file is not named by one.
func runOf(path string) string {
	if id := strings.TrimSuffix(filepath.Base(path), journal.Extension); journal.ValidRunID(id) {
		return id
	}
	return path
}

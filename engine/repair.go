package engine

import (
	"fmt"

	"github.com/failover-dev/failover/engine/journal"
)

// RecJournalRepaired records that `journal repair --force` dropped good
// records (Data: offset, dropped), before the steps it puts in doubt.
const RecJournalRepaired = "journal-repaired"

// ranTypes are the records that show a step's action started.
var ranTypes = map[string]bool{RecStepStarted: true, RecAttemptFailed: true, RecStepSucceeded: true,
	RecStepFailed: true, RecStepInterrupted: true, RecMarkedDone: true}

// RepairJournal cuts a journal's bad tail back (see journal.Repair). When
// the cut drops good records (force), every step those records show had
// started and that the kept records do not show done is journaled in
// doubt, in the same atomic step as the cut: resume then never runs it
// again on a guess. It returns the damage and the steps put in doubt.
func RepairJournal(fsys journal.FS, path string, force bool, user string) (*journal.Damage, []string, error) {
	var inDoubt []string
	mark := func(kept *journal.Replay, dropped []journal.Salvaged) []journal.Record {
		inDoubt = droppedSteps(Fold(kept), dropped, kept.Damage.Offset)
		if len(inDoubt) == 0 {
			return nil
		}
		off := kept.Damage.Offset
		recs := []journal.Record{{Type: RecJournalRepaired, User: user,
			Repair: &journal.RepairInfo{Offset: off, Dropped: len(dropped)}}}
		for _, id := range inDoubt {
			recs = append(recs, journal.Record{Type: RecStepInterrupted, Step: id, User: user, Attempt: lastAttempt(dropped, id),
				Note: fmt.Sprintf("its records after offset %d were dropped by `journal repair --force`: it may have run", off)})
		}
		return recs
	}
	d, err := journal.RepairMarking(fsys, path, force, mark)
	return d, inDoubt, err
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

package engine

import (
	"fmt"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// Synced is what is known, outside a run's journal, of the last record
// the run made durable: the sequence number in the run's sync mark
// (<run>.seq, rewritten after every sync, kept after the run) and in the
// plan's lock (renewed with every heartbeat while the run holds it). A
// journal holding fewer records was cut short after they were written.
type Synced struct {
	// Mark is the sync mark's number; 0 when there is none (or it is
	// torn).
	Mark uint64
	// Lock is the lock's number when the lock names the run, else 0.
	Lock uint64
}

// Seq is the highest number the mark or the lock saw.
func (s Synced) Seq() uint64 { return max(s.Mark, s.Lock) }

// String says how many records the run synced and who says so, for
// messages: "the run synced 9 (its sync mark says so)".
func (s Synced) String() string {
	switch {
	case s.Mark > 0 && s.Lock > 0 && s.Mark != s.Lock:
		return fmt.Sprintf("the run synced %d (its sync mark says %d, its lock's heartbeat %d)", s.Seq(), s.Mark, s.Lock)
	case s.Mark > 0 && s.Lock > 0:
		return fmt.Sprintf("the run synced %d (its sync mark and its lock's heartbeat say so)", s.Seq())
	case s.Lock > 0:
		return fmt.Sprintf("the run synced %d (its lock's heartbeat says so)", s.Seq())
	}
	return fmt.Sprintf("the run synced %d (its sync mark says so)", s.Seq())
}

// syncedOf reads what survives of the last record run ri made durable.
// It must be read before the journal: a run that appends meanwhile only
// makes the journal longer than what was read here. holder is the lock
// as the caller already read it (nil: read it now).
func syncedOf(b store.Backend, ri journal.RunInfo, holder *lock.Info) Synced {
	var s Synced
	if seq, err := b.ReadMark(ri.Path); err == nil {
		s.Mark = seq
	}
	if holder == nil {
		holder, _ = b.ReadLock(ri.Plan)
	}
	if holder != nil && holder.RunID == ri.RunID {
		s.Lock = holder.Synced
	}
	return s
}

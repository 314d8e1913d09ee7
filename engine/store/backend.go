package store

import (
	"context"
	"time"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
)

// Backend keeps journals and locks: a local directory (Local) or a
// shared store (etcd).
type Backend interface {
	Journals
	Locks
	// String says where the state lives, for messages: "state dir
	// .failover", "etcd://10.0.0.1:2379/failover".
	String() string
	// Close releases what the backend holds open (a connection).
	Close() error
}

// Journals are the runs' journals, with the operations of
// engine/journal, each on the journal a name designates.
type Journals interface {
	// JournalName returns the name of the journal of run runID of plan
	// (whether it exists or not).
	JournalName(plan, runID string) string
	// Locate resolves what an operator typed for a journal that is not a
	// run id (a journal file, a kept copy, a key): its name, or an error
	// saying why it is none.
	Locate(arg string) (string, error)
	// RunOf returns the plan a journal's name is of, and its run id ("":
	// the name is not a run's journal, e.g. a kept copy).
	RunOf(name string) (plan, runID string)

	// Create creates the journal of a new run with its header and makes
	// it durable. held is the plan's lock the run holds: a store that
	// fences appends refuses them once it is lost.
	Create(h journal.Header, held Held) (Journal, error)
	// Open opens a run's journal to append to it (resume): a bad tail
	// is cut back first, the journal as it was kept (journal.Open).
	Open(name string, held Held) (Journal, *journal.Replay, error)
	// Read reads a journal without changing it (journal.Read). No such
	// journal: an error wrapping fs.ErrNotExist.
	Read(name string) (*journal.Replay, error)
	// ReadImage returns the journal's bytes as a journal file holds
	// them, damage included.
	ReadImage(name string) ([]byte, error)
	// List lists the runs of plan ("": of every plan), sorted by plan,
	// then run id; runs set aside are not listed (journal.List).
	List(plan string) ([]journal.RunInfo, error)
	// ReadMark returns the sync mark of a journal: the seq of the last
	// record its run knew durable (journal.ReadMark).
	ReadMark(name string) (uint64, error)
	// WriteMark sets the sync mark of a journal (journal.WriteMark).
	WriteMark(name string, seq uint64) error
	// Rescue reads what can be read of a journal whose header is
	// damaged (journal.Rescue).
	Rescue(name string) (*journal.Rescued, error)
	// Salvage returns the good records after a journal's first damage
	// (journal.Salvage).
	Salvage(name string) ([]journal.Salvaged, error)
	// RepairMarking cuts a journal's bad tail back and appends what mark
	// returns, in one atomic step, keeping a copy (journal.RepairMarking).
	RepairMarking(name string, force bool, mark journal.MarkFunc) (*journal.Damage, error)
	// Rewrite replaces a journal with one holding h, its records 1 to
	// keep as they were, then recs, keeping a copy (journal.Rewrite); it
	// returns the copy's name.
	Rewrite(name string, h journal.Header, keep int, recs []journal.Record) (string, error)
	// AsideName returns the name a journal set aside with this suffix
	// is kept under (a new name each time: never an earlier one's).
	AsideName(name, suffix string) string
	// SetAside takes a run's journal out of the runs listed, keeping it
	// as keptAs (from AsideName) with its sync mark.
	SetAside(name, keptAs string) error
	// Changes signals, until ctx ends, whenever a journal or the lock of
	// plan may have changed (status --watch). Signals are coalesced: a
	// receiver that is busy misses none, it gets one for many.
	Changes(ctx context.Context, plan string) (<-chan struct{}, error)
}

// Locks are the plans' locks, with the operations of engine/lock.
type Locks interface {
	// Acquire takes a plan's lock for the run info describes (empty
	// fields filled from this process: lock.Info.Fill). Held: a
	// *lock.HeldError describing the holder.
	Acquire(plan string, info lock.Info) (Held, error)
	// TakeOver takes the lock of a holder known gone, if the lock still
	// says exactly expect; else an error wrapping lock.ErrChanged.
	TakeOver(plan string, info, expect lock.Info) (Held, error)
	// ReadLock returns the holder of a plan's lock; no lock: an error
	// wrapping fs.ErrNotExist.
	ReadLock(plan string) (*lock.Info, error)
	// BreakLock removes a plan's lock if run runID holds it; else an
	// error wrapping lock.ErrChanged.
	BreakLock(plan, runID string) error
	// LowerLock sets the synced seq of a plan's lock to synced when the
	// lock names runID and says more (lock.Lower).
	LowerLock(plan, runID string, synced uint64) error
}

// Journal appends to one run's journal: *journal.Writer for a file.
// Append does not make a record durable; Sync makes every record
// appended before it durable at once (group commit), and AppendSync
// appends one and syncs. Any failure poisons the Journal.
type Journal interface {
	Append(r journal.Record) (journal.Record, error)
	AppendSync(r journal.Record) (journal.Record, error)
	Sync() error
	// Flush puts every record appended where it outlives this process
	// (failover killed, its host alive), without waiting for it to be
	// durable against a crash of the host: a file's Append already
	// wrote it; a store that keeps appends in memory writes them.
	Flush() error
	Close() error
	// Path returns the journal's name.
	Path() string
	// Synced returns the seq of the last record known durable; it never
	// blocks (the lock's heartbeat reads it).
	Synced() uint64
	// KeepMark makes the journal keep its sync mark after every sync;
	// MarkErr returns the first failure to do so.
	KeepMark() error
	MarkErr() error
}

// Held is a plan's lock held by this process: *lock.Lock for a file.
type Held interface {
	// Info returns what the lock says now.
	Info() lock.Info
	// Err returns why the lock is in trouble: an error wrapping
	// lock.ErrLost once it is no longer ours (no step may start), else
	// the last renewal's failure, or nil.
	Err() error
	// HeartbeatOn renews the lock at every tick from tickCh, stamped
	// with now(), until ctx ends or Release; only the first call starts.
	HeartbeatOn(ctx context.Context, tickCh <-chan time.Time, now func() time.Time) bool
	// Track makes every renewal carry synced(), the journal's last
	// durable seq.
	Track(synced func() uint64)
	// Release stops the heartbeat and gives the lock up if it is still
	// ours; a lock lost meanwhile is left alone (lock.ErrLost).
	Release() error
}

package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/failover-dev/failover/engine/journal"
)

// ErrMarkNotMoved is wrapped by SetAside when the journal was set aside
// but its sync mark could not go with it.
var ErrMarkNotMoved = errors.New("the sync mark could not be moved with the journal")

// Local keeps state in a directory on this host: a run's journal is
// <Dir>/<plan>/<run>.journal, its sync mark <run>.seq beside it, and a
// plan's lock <Dir>/<plan>/lock (see engine/journal and engine/lock).
type Local struct {
	Dir string
	// FS is the journals' file access (journal.OSFS when nil); tests
	// fail a write or a sync through it. Locks use the OS directly.
	FS journal.FS
	// Poll is how often Changes looks at the files (1s when zero).
	Poll time.Duration
}

// NewLocal returns the backend of directory dir; fsys nil is the OS's.
func NewLocal(dir string, fsys journal.FS) *Local {
	return &Local{Dir: dir, FS: fsys}
}

// String names the state dir (as messages always have).
func (l *Local) String() string { return l.Dir }

// Close does nothing: nothing stays open between calls.
func (l *Local) Close() error { return nil }

// fs is the journals' file access: FS, or the OS's when FS is nil.
func (l *Local) fs() journal.FS {
	if l.FS == nil {
		return journal.OSFS{}
	}
	return l.FS
}

// JournalName returns <Dir>/<plan>/<runID>.journal.
func (l *Local) JournalName(plan, runID string) string { return journal.Path(l.Dir, plan, runID) }

// Locate accepts the path of a journal file (a run's, a kept copy, a run
// set aside).
func (l *Local) Locate(arg string) (string, error) {
	if !strings.Contains(filepath.Base(arg), journal.Extension) {
		return "", fmt.Errorf("%q is neither a run id (e.g. 20261126T031500Z-3f9a) nor a %s file", arg, journal.Extension)
	}
	if _, err := l.fs().Stat(arg); err != nil {
		return "", err
	}
	return arg, nil
}

// RunOf reads the plan from the journal's directory and the run id from
// its file name ("" when it is not <run>.journal).
func (l *Local) RunOf(name string) (plan, runID string) {
	plan = filepath.Base(filepath.Dir(name))
	if id, ok := strings.CutSuffix(filepath.Base(name), journal.Extension); ok && journal.ValidRunID(id) {
		runID = id
	}
	return plan, runID
}

// Create creates <Dir>/<plan>/<run>.journal (journal.Create). The lock
// of a state dir fences nothing: one host appends.
func (l *Local) Create(h journal.Header, _ Held) (Journal, error) {
	return journal.Create(l.fs(), l.JournalName(h.PlanName, h.RunID), h)
}

// Open opens a journal file to append to it (journal.Open).
func (l *Local) Open(name string, _ Held) (Journal, *journal.Replay, error) {
	w, rp, err := journal.Open(l.fs(), name)
	if err != nil {
		// A nil *journal.Writer is not a nil Journal.
		return nil, rp, err
	}
	return w, rp, nil
}

// Read reads a journal file (journal.Read).
func (l *Local) Read(name string) (*journal.Replay, error) { return journal.Read(l.fs(), name) }

// ReadImage reads a journal file whole.
func (l *Local) ReadImage(name string) ([]byte, error) { return l.fs().ReadFile(name) }

// List lists the journal files of plan, or of every plan (journal.ListFS).
func (l *Local) List(plan string) ([]journal.RunInfo, error) {
	if plan == "" {
		return journal.ListFS(l.fs(), l.Dir)
	}
	return journal.ListPlanFS(l.fs(), l.Dir, plan)
}

// ReadMark reads <run>.seq (journal.ReadMark).
func (l *Local) ReadMark(name string) (uint64, error) { return journal.ReadMark(l.fs(), name) }

// WriteMark writes <run>.seq (journal.WriteMark).
func (l *Local) WriteMark(name string, seq uint64) error { return journal.WriteMark(l.fs(), name, seq) }

// Rescue reads a journal file whose header is damaged (journal.Rescue).
func (l *Local) Rescue(name string) (*journal.Rescued, error) { return journal.Rescue(l.fs(), name) }

// Salvage reads the good records after a file's damage (journal.Salvage).
func (l *Local) Salvage(name string) ([]journal.Salvaged, error) {
	return journal.Salvage(l.fs(), name)
}

// RepairMarking repairs a journal file (journal.RepairMarking).
func (l *Local) RepairMarking(name string, force bool, mark journal.MarkFunc) (*journal.Damage, error) {
	return journal.RepairMarking(l.fs(), name, force, mark)
}

// Rewrite rewrites a journal file (journal.Rewrite).
func (l *Local) Rewrite(name string, h journal.Header, keep int, recs []journal.Record) (string, error) {
	return journal.Rewrite(l.fs(), name, h, keep, recs)
}

// AsideName returns <journal><suffix>, numbered -2, -3, … when taken.
func (l *Local) AsideName(name, suffix string) string {
	to := name + suffix
	for i := 2; i < 1000; i++ {
		if _, err := l.fs().Stat(to); errors.Is(err, fs.ErrNotExist) {
			break
		}
		to = name + suffix + "-" + strconv.Itoa(i)
	}
	return to
}

// SetAside renames the journal to keptAs, which no listing takes for a
// run, and its sync mark with it (`journal dump` of the kept journal
// still tells whether it was cut short).
func (l *Local) SetAside(name, keptAs string) error {
	if err := l.fs().Rename(name, keptAs); err != nil {
		return fmt.Errorf("set aside journal %s: %w", name, err)
	}
	err := l.fs().Rename(journal.MarkPath(name), journal.MarkPath(keptAs))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", ErrMarkNotMoved, err)
	}
	return nil
}

// The local backend is the engine/journal and engine/lock files.
var (
	_ Backend = (*Local)(nil)
	_ Journal = (*journal.Writer)(nil)
)

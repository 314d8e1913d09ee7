package labfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// ChainSpec describes the log backups GenerateChain produces for one
// log-shipped database, and the scenario switches that make a failover
// meet the edge cases of the real world.
type ChainSpec struct {
	// Database is the log-shipped database, e.g. "mgc".
	Database string
	// Server is the primary's ServerName, e.g. "DC1-SQL01".
	Server string
	// MirrorServer is the primary's mirror partner. With ForeignFiles it
	// writes the newest third of the chain (same database, continuous
	// LSNs), as after a mirroring failover at the primary site.
	MirrorServer string
	// ForeignDatabase is the other database whose files share the folder
	// with ForeignFiles, e.g. "mgccomp" (a naive "mgc*" glob matches it).
	ForeignDatabase string
	// Start is when the first log backup was taken (UTC); file names use it.
	Start time.Time
	// Interval between log backups; log shipping's default is 15 minutes.
	Interval time.Duration
	// Count is the number of log backups of Database.
	Count int
	// Copied is how many of the oldest files are also in the copy
	// directory; Restored how many of the oldest sets the secondary
	// already restored. 0 <= Restored <= Copied <= Count.
	Copied, Restored int
	// Seed makes LSN steps and GUIDs reproducible.
	Seed uint64

	// Gap: one log backup after the next one is missing (retention
	// deleted it), so the chain stops there (4305).
	Gap bool
	// Truncated: the newest file is cut short, as a backup still being
	// written or a partial copy.
	Truncated bool
	// ForeignFiles: both MirrorFiles and OtherDatabaseFiles.
	ForeignFiles bool
	// MirrorFiles: two servers' files. The newest third of the chain was
	// written by MirrorServer (same database, continuous LSNs), whose
	// clock runs MirrorSkew behind: its first file's name sorts before
	// the primary's last one, so only LSNs give the right order.
	MirrorFiles bool
	// OtherDatabaseFiles: ForeignDatabase's own chain of log backups in
	// the same folder (a naive "mgc*" glob matches "mgccomp_…").
	OtherDatabaseFiles bool
	// FullAmongLogs: a full backup (BackupType 1) in a file named like a
	// log backup (db_….trn), taken between the next log backup to apply
	// and the one after it. It does not break the log chain; the log
	// backups after it carry its checkpoint as DatabaseBackupLSN.
	FullAmongLogs bool
	// MultiSetFile: two consecutive log backups appended to one file
	// (FILE = 1 and FILE = 2).
	MultiSetFile bool
	// EmptyLogBackup: one log backup without log records (FirstLSN ==
	// LastLSN).
	EmptyLogBackup bool
	// ForkMismatch: a stale file from another recovery fork whose LSNs
	// look like the next ones (4330).
	ForkMismatch bool
	// OtherFiles: files in the folder that are not log backups: the full
	// backup (.bak, BackupType 1), a STANDBY undo file (.tuf) and a copy
	// in progress (.tmp), so tools classify by header, not by extension.
	OtherFiles bool
}

// DefaultChainSpec is the chain of the default lab: eight 15-minute log
// backups of mgc ending at now, five copied to the secondary, four
// restored, no scenario switch on.
func DefaultChainSpec(now time.Time) ChainSpec {
	const count = 8
	interval := 15 * time.Minute
	return ChainSpec{
		Database:        "mgc",
		Server:          "DC1-SQL01",
		MirrorServer:    "DC1-SQL02",
		ForeignDatabase: "mgccomp",
		Start:           now.UTC().Truncate(interval).Add(-count * interval),
		Interval:        interval,
		Count:           count,
		Copied:          5,
		Restored:        4,
		Seed:            1,
	}
}

// Chain is what GenerateChain produced: the files to write and what the
// secondary's state must be for them to make sense.
type Chain struct {
	Database string
	// ForkID is the recovery fork of the chain.
	ForkID uuid.UUID
	// Full is the full backup the chain starts from (restored on the
	// secondary when log shipping was set up; no file holds it).
	Full BackupSet
	// Files in name order: the chain's files and, with the switches, the
	// stale fork file and the foreign database's files.
	Files []ChainFile
	// Missing are the sets of the chain that no file holds (the gap).
	Missing []BackupSet
	// Restore is the secondary's restore point after the Restored sets.
	Restore RestorePoint
	// Tip is the LastLSN of the newest set of the chain.
	Tip lsn.LSN
	// Logs are the chain's log backup sets in LSN order, those of the gap
	// included (Missing lists them again).
	Logs []BackupSet
}

// ChainFile is one backup file of a Chain.
type ChainFile struct {
	Name string
	// Sets in file order; Position is set.
	Sets []BackupSet
	// Copied files are also in the copy directory.
	Copied bool
	// Restored files hold only sets the secondary already restored.
	Restored bool
	// CutAt > 0 writes only the first CutAt bytes (a truncated file).
	CutAt int
	// Raw, when not nil, is the content of a file that is not a lab
	// backup file; Sets is then empty.
	Raw []byte
}

// ErrSpec is wrapped by GenerateChain's errors about an impossible spec.
var ErrSpec = errors.New("invalid chain spec")

// Write writes every file to shareDir and the Copied ones also to copyDir
// (when copyDir is not empty), each atomically.
func (c Chain) Write(shareDir, copyDir string) error {
	for _, f := range c.Files {
		b, err := f.Bytes()
		if err != nil {
			return err
		}
		if err := WriteBytes(filepath.Join(shareDir, f.Name), b); err != nil {
			return err
		}
		if f.Copied && copyDir != "" {
			if err := WriteBytes(filepath.Join(copyDir, f.Name), b); err != nil {
				return err
			}
		}
	}
	return nil
}

// Bytes is the file's content, cut at CutAt for a truncated file.
func (f ChainFile) Bytes() ([]byte, error) {
	if f.Raw != nil {
		return f.Raw, nil
	}
	b, err := Encode(f.Sets)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", f.Name, err)
	}
	if f.CutAt > 0 && f.CutAt < len(b) {
		b = b[:f.CutAt]
	}
	return b, nil
}

// FileName is the log shipping name of a log backup of db taken at t:
// db_YYYYMMDDHHMMSS.trn, in UTC.
func FileName(db string, t time.Time) string {
	return db + "_" + t.UTC().Format("20060102150405") + ".trn"
}

func (s ChainSpec) check() error {
	switch {
	case s.Database == "":
		return fmt.Errorf("no database: %w", ErrSpec)
	case s.Server == "":
		return fmt.Errorf("no server: %w", ErrSpec)
	case s.Count < 1:
		return fmt.Errorf("count %d, want at least 1: %w", s.Count, ErrSpec)
	case s.Interval <= 0:
		return fmt.Errorf("interval %s, want more than 0: %w", s.Interval, ErrSpec)
	case s.Restored < 0 || s.Restored > s.Copied || s.Copied > s.Count:
		return fmt.Errorf("want 0 <= restored (%d) <= copied (%d) <= count (%d): %w",
			s.Restored, s.Copied, s.Count, ErrSpec)
	case s.mirror() && s.MirrorServer == "":
		return fmt.Errorf("mirror files need a mirror server: %w", ErrSpec)
	case s.otherDatabase() && s.ForeignDatabase == "":
		return fmt.Errorf("another database's files need a foreign database: %w", ErrSpec)
	case s.otherDatabase() && s.ForeignDatabase == s.Database:
		return fmt.Errorf("foreign database is %q, the chain's own: %w", s.Database, ErrSpec)
	}
	return nil
}

// mirror reports whether the mirror writes the newest files.
func (s ChainSpec) mirror() bool { return s.MirrorFiles || s.ForeignFiles }

// otherDatabase reports whether ForeignDatabase's files are written.
func (s ChainSpec) otherDatabase() bool { return s.OtherDatabaseFiles || s.ForeignFiles }

// MirrorSkew is how far the mirror's clock runs behind with MirrorFiles:
// one and a third intervals.
func (s ChainSpec) MirrorSkew() time.Duration { return s.Interval + s.Interval/3 }

// GenerateChain builds a realistic chain of log backups for spec: names
// db_YYYYMMDDHHMMSS.trn at spec.Interval, continuous LSNs of the
// VLF:block:slot shape, one recovery fork, with the scenario switches
// placed after the next set to apply, so that a failover first has normal
// work and then meets them. The switches need room: GenerateChain fails
// when Count leaves too few log backups after Restored.
func GenerateChain(spec ChainSpec) (Chain, error) {
	if err := spec.check(); err != nil {
		return Chain{}, fmt.Errorf("generate chain: %w", err)
	}
	lay, err := layout(spec)
	if err != nil {
		return Chain{}, fmt.Errorf("generate chain: %w", err)
	}
	g := newGenerator(spec)
	c := Chain{Database: spec.Database, ForkID: g.fork, Full: g.full()}
	sets := g.logSets(lay, c.Full.CheckpointLSN)
	c.Tip = sets[len(sets)-1].LastLSN
	c.Logs = sets
	c.Restore = RestorePoint{RedoStartLSN: c.Full.LastLSN, RedoStartForkID: g.fork}
	for _, s := range sets[:spec.Restored] {
		c.Restore = c.Restore.Advance(s)
	}
	c.Files, c.Missing = g.files(lay, sets)
	return c, nil
}

// chainLayout says which set index each scenario switch uses (-1: off);
// full is the index of the log backup the full backup is taken within.
type chainLayout struct {
	empty, multi, gap, truncated, full int
}

func layout(s ChainSpec) (chainLayout, error) {
	lay := chainLayout{empty: -1, multi: -1, gap: -1, truncated: -1, full: -1}
	if s.FullAmongLogs {
		lay.full = s.Restored + 1
	}
	k := s.Restored + 1 // leave one plain "next" set first
	if s.EmptyLogBackup {
		lay.empty, k = k, k+1
	}
	if s.MultiSetFile {
		lay.multi, k = k, k+2
	}
	if s.Gap {
		lay.gap, k = k, k+1
	}
	if need := s.MinCount(); need > s.Count {
		return lay, fmt.Errorf("the scenario switches need %d log backups, count is %d: %w", need, s.Count, ErrSpec)
	}
	if s.Truncated {
		lay.truncated = s.Count - 1
	}
	return lay, nil
}

// MinCount is the least Count that holds the Copied files and leaves room
// for the scenario switches after the Restored sets: one plain "next" set, then the empty set, the
// two sets of the multi-set file, the missing set of the gap and, with
// Truncated, the truncated newest file. With both Gap and Truncated a
// readable set stays between the gap and the truncated file, so that the
// gap shows in a header (FirstLSN beyond the restore point: 4305) and is
// not hidden behind a file no one can read.
func (s ChainSpec) MinCount() int {
	k := s.Restored + 1
	if s.EmptyLogBackup {
		k++
	}
	if s.MultiSetFile {
		k += 2
	}
	if s.Gap {
		k++
	}
	if s.FullAmongLogs {
		// The log backup after the full one must exist.
		k = max(k, s.Restored+2)
	}
	if s.Truncated {
		if s.Gap {
			k++
		}
		k++
	}
	if k == s.Restored+1 {
		// No switch needs room.
		k = s.Restored
	}
	return max(k, s.Copied)
}

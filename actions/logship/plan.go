package logship

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/lsn"
)

// typeLog is RESTORE HEADERONLY's BackupType of a transaction log backup.
const typeLog = 2

// backupSet is one row of RESTORE HEADERONLY: the columns logship.apply
// needs, read by name, and the file it came from.
type backupSet struct {
	// File is the file's name, Path the path RESTORE reads it by (as SQL
	// Server sees it), DirIndex the position of its directory in dirs.
	File     string
	Path     string
	DirIndex int
	Position int
	// Type is BackupType (2: log); TypeDesc its text ("Transaction Log").
	Type     int
	TypeDesc string
	Database string
	Server   string
	FirstLSN lsn.LSN
	LastLSN  lsn.LSN
	// FirstForkID is FirstRecoveryForkID, ForkID RecoveryForkID: upper
	// case GUIDs, "" when NULL.
	FirstForkID string
	ForkID      string
	SetGUID     string
	// Start and Finish are BackupStartDate and BackupFinishDate as the
	// server shows them: its local wall clock, in a time.Time whose zone
	// means nothing (see serverClock).
	Start, Finish     time.Time
	Damaged           bool
	PasswordProtected bool
}

// ref names a set for people: the file, and its position when the file
// holds more than the first.
func (s backupSet) ref() string {
	if s.Position > 1 {
		return fmt.Sprintf("%s (set %d)", s.File, s.Position)
	}
	return s.File
}

// lsnRange writes the set's LSNs.
func (s backupSet) lsnRange() string { return s.FirstLSN.String() + "–" + s.LastLSN.String() }

// skipped is a file or set not applied, and why.
type skipped struct {
	Ref string
	Why string
	// Applied marks a set skipped as already applied; LastLSN is its end.
	Applied bool
	LastLSN lsn.LSN
}

// gapInfo describes the first break in the chain: no set holds the LSNs
// From (included) to To (excluded).
type gapInfo struct {
	From, To lsn.LSN
	// Before names what ends at From: the last set before the gap, or
	// the database's restore point.
	Before string
	// After is the first set after the gap; Beyond counts the sets of the
	// database that lie past it.
	After  backupSet
	Beyond int
}

// chainPlan is what applying would do from a restore point: the sets to
// apply in order, the sets and files skipped and why, the LSN reached,
// and the first gap, if any.
type chainPlan struct {
	Start lsn.LSN
	Apply []backupSet
	Skips []skipped
	Reach lsn.LSN
	Gap   *gapInfo
	// ReachedBy is the set that ends exactly at the restore point (the
	// last one restored), when a file still holds it: its finish time is
	// the data-loss window when nothing is left to apply.
	ReachedBy *backupSet
}

// planChain applies the LSN-chain rule (domain.md B.3) to the candidate
// sets of the files for a database at restore point redo on recovery
// fork fork ("" when not known): keep log backups of database source,
// in LSN order (never by name, server or time), skip empty and applied
// sets and sets of another fork, and stop at the first gap.
func planChain(redo lsn.LSN, fork, source string, sets []backupSet) chainPlan {
	plan := chainPlan{Start: redo, Reach: redo}
	cands := plan.candidates(source, sets)
	cur := redo
	for i, s := range cands {
		switch {
		case s.FirstLSN == s.LastLSN:
			plan.skip(s, fmt.Sprintf("an empty log backup (FirstLSN = LastLSN = %s)", s.FirstLSN))
		case s.LastLSN.Cmp(cur) <= 0:
			plan.skip(s, fmt.Sprintf("already applied (LSN %s; the database is at %s)", s.lsnRange(), cur))
			plan.Skips[len(plan.Skips)-1].Applied = true
			if s.LastLSN == redo {
				plan.ReachedBy = &cands[i]
			}
		case fork != "" && !strings.EqualFold(s.FirstForkID, fork):
			plan.skip(s, fmt.Sprintf("on another recovery fork (FirstRecoveryForkID %s; the database needs %s)", orNull(s.FirstForkID), fork))
		case s.FirstLSN.Cmp(cur) > 0:
			plan.Gap = &gapInfo{From: cur, To: s.FirstLSN, Before: plan.before(), After: s, Beyond: len(cands) - i}
			for _, b := range cands[i:] {
				plan.skip(b, fmt.Sprintf("beyond the gap at LSN %s (LSN %s)", cur, b.lsnRange()))
			}
			return plan
		default:
			plan.Apply = append(plan.Apply, s)
			cur = s.LastLSN
			if s.ForkID != "" {
				fork = s.ForkID
			}
		}
	}
	plan.Reach = cur
	return plan
}

// candidates returns the log backups of database source, each set once,
// in LSN order, and records why the others are skipped.
func (plan *chainPlan) candidates(source string, sets []backupSet) []backupSet {
	var out []backupSet
	seen := map[string]string{}
	for _, s := range sets {
		switch {
		case s.PasswordProtected:
			plan.skip(s, "password-protected: its header cannot be read")
		case s.Type != typeLog:
			plan.skip(s, fmt.Sprintf("not a log backup (%s, BackupType %d)", orNull(s.TypeDesc), s.Type))
		case !strings.EqualFold(s.Database, source):
			plan.skip(s, fmt.Sprintf("a backup of database %s, not %s", s.Database, source))
		case s.Damaged:
			plan.skip(s, "marked damaged (IsDamaged)")
		default:
			key := s.SetGUID
			if key == "" {
				key = s.FirstLSN.String() + "/" + s.LastLSN.String()
			}
			if first, dup := seen[key]; dup {
				plan.skip(s, "the same backup set as "+first)
				continue
			}
			seen[key] = s.ref()
			if s.Path != "" {
				seen[key] = s.Path
				if s.Position > 1 {
					seen[key] = fmt.Sprintf("%s (set %d)", s.Path, s.Position)
				}
			}
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := a.FirstLSN.Cmp(b.FirstLSN); c != 0 {
			return c < 0
		}
		return a.LastLSN.Less(b.LastLSN)
	})
	return out
}

func (plan *chainPlan) skip(s backupSet, why string) {
	plan.Skips = append(plan.Skips, skipped{Ref: s.ref(), Why: why, LastLSN: s.LastLSN})
}

// before names what the chain ends at: the last set planned, the set
// restored last, or the restore point.
func (plan *chainPlan) before() string {
	switch {
	case len(plan.Apply) > 0:
		s := plan.Apply[len(plan.Apply)-1]
		return fmt.Sprintf("%s (LSN %s)", s.ref(), s.lsnRange())
	case plan.ReachedBy != nil:
		return fmt.Sprintf("%s (LSN %s, already restored)", plan.ReachedBy.ref(), plan.ReachedBy.lsnRange())
	}
	return fmt.Sprintf("the database's restore point (redo_start_lsn %s)", plan.Start)
}

// last returns the set the database ends with after the plan: the last
// to apply, else the one it ends with now; false when no file holds it.
func (plan *chainPlan) last() (backupSet, bool) {
	switch {
	case len(plan.Apply) > 0:
		return plan.Apply[len(plan.Apply)-1], true
	case plan.ReachedBy != nil:
		return *plan.ReachedBy, true
	}
	return backupSet{}, false
}

// message is the error of a broken chain: the missing LSN range and
// what lies on either side of it.
func (g *gapInfo) message(db string, unreadable []skipped) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the log chain of %s breaks: no log backup holds LSN %s up to %s; the last backup before the gap is %s, the next one is %s (LSN %s)",
		db, g.From, g.To, g.Before, g.After.ref(), g.After.lsnRange())
	if g.Beyond > 1 {
		fmt.Fprintf(&b, ", and %d more lie beyond it", g.Beyond-1)
	}
	if len(unreadable) > 0 {
		refs := make([]string, 0, len(unreadable))
		for _, u := range unreadable {
			refs = append(refs, u.Ref+" ("+u.Why+")")
		}
		fmt.Fprintf(&b, "; files whose headers could not be read, which may hold it: %s", strings.Join(refs, ", "))
	}
	return b.String()
}

func orNull(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

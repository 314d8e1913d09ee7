package labfile

import (
	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

// RestorePoint is where a database in the RESTORING state stands: what
// sys.master_files shows as redo_start_lsn and redo_start_fork_guid, plus
// the set of an interrupted restore, if any.
type RestorePoint struct {
	// RedoStartLSN is the LSN at which the next roll forward must start.
	RedoStartLSN lsn.LSN `json:"redo_start_lsn"`
	// RedoStartForkID is the recovery fork the next log backup must start
	// on (its FirstRecoveryForkID). The zero UUID means "not known": no
	// fork check is made.
	RedoStartForkID uuid.UUID `json:"redo_start_fork_guid"`
	// Interrupted is the BackupSetGUID of a restore that began and did not
	// finish; the zero UUID when none.
	Interrupted uuid.UUID `json:"interrupted,omitempty"`
}

// Verdict is what the LSN-chain rule says about one log backup set for a
// database at a RestorePoint.
type Verdict int

// The verdicts, with the error SQL Server raises when a restore of such a
// set is attempted anyway (see ErrorNumber).
const (
	// Applies: FirstLSN <= redo_start < LastLSN; this set is the next one.
	Applies Verdict = iota
	// AlreadyApplied: LastLSN <= redo_start; skip (4326 if forced).
	AlreadyApplied
	// Gap: FirstLSN > redo_start; an earlier log backup is missing (4305).
	Gap
	// Empty: FirstLSN == LastLSN, a log backup without log records; skip.
	Empty
	// ForkMismatch: the set starts on another recovery fork (4330).
	ForkMismatch
	// Interrupted: another set's restore was interrupted and must be
	// finished or the sequence restarted first (4319).
	Interrupted
)

var verdictNames = [...]string{
	Applies:        "applies",
	AlreadyApplied: "already applied",
	Gap:            "gap",
	Empty:          "empty",
	ForkMismatch:   "fork mismatch",
	Interrupted:    "interrupted",
}

// String names the verdict ("applies", "gap", …).
func (v Verdict) String() string {
	if v < 0 || int(v) >= len(verdictNames) {
		return "unknown"
	}
	return verdictNames[v]
}

// ErrorNumber is the SQL Server error a RESTORE LOG of such a set raises
// (before the 3013 that follows it), or 0 when the restore proceeds.
func (v Verdict) ErrorNumber() int {
	switch v {
	case AlreadyApplied:
		return 4326
	case Gap:
		return 4305
	case ForkMismatch:
		return 4330
	case Interrupted:
		return 4319
	}
	return 0
}

// ClassifyLog is the decision a restore tool makes before it restores: the
// verdict for log backup set h at restore point p. Checks run in this
// order: empty (FirstLSN == LastLSN), already applied (LastLSN <=
// redo_start), fork mismatch, gap (FirstLSN > redo_start), else applies.
// Note the strict comparison LastLSN > redo_start for "moves us forward"
// (trimble #40): a set that ends exactly at redo_start was already
// applied. A set wholly behind redo_start is "already applied" whatever
// its fork: the fork decides only about sets that would move the
// database forward.
func ClassifyLog(p RestorePoint, h BackupSet) Verdict {
	if h.FirstLSN == h.LastLSN {
		return Empty
	}
	return lsnVerdict(p, h)
}

// CheckRestore is what SQL Server does on RESTORE LOG of set h into a
// database at restore point p (restart: WITH RESTART was given). An
// interrupted restore of another set blocks every other set (4319) unless
// restart; then the LSN rule and the fork decide as in ClassifyLog. An
// empty set is judged by its LSNs like any other (at redo_start: 4326)
// [UNCONFIRMED against a real server].
func CheckRestore(p RestorePoint, h BackupSet, restart bool) Verdict {
	if p.Interrupted != (uuid.UUID{}) && p.Interrupted != h.BackupSetGUID && !restart {
		return Interrupted
	}
	return lsnVerdict(p, h)
}

// Advance is the restore point after set h was restored: redo_start moves
// to h.LastLSN, the fork to h.RecoveryForkID, and no restore is
// interrupted any more.
func (p RestorePoint) Advance(h BackupSet) RestorePoint {
	return RestorePoint{RedoStartLSN: h.LastLSN, RedoStartForkID: h.RecoveryForkID}
}

func lsnVerdict(p RestorePoint, h BackupSet) Verdict {
	switch {
	case h.LastLSN.Cmp(p.RedoStartLSN) <= 0:
		return AlreadyApplied
	case p.RedoStartForkID != (uuid.UUID{}) && !onFork(p, h):
		return ForkMismatch
	case h.FirstLSN.Cmp(p.RedoStartLSN) > 0:
		return Gap
	}
	return Applies
}

// onFork reports whether set h continues the recovery path of a database
// at p. A set without a fork point is on its FirstRecoveryForkID. A set
// that spans a fork point (a log backup taken across a RESTORE … WITH
// RECOVERY; HEADERONLY's ForkPointLSN) is on its first fork up to the
// fork point and on its RecoveryForkID from it, so it continues both a
// copy restored up to the fork point and one restored from a backup
// taken after the recovery.
func onFork(p RestorePoint, h BackupSet) bool {
	if h.ForkPointLSN.IsZero() {
		return h.FirstRecoveryForkID == p.RedoStartForkID
	}
	at := p.RedoStartLSN.Cmp(h.ForkPointLSN)
	return h.FirstRecoveryForkID == p.RedoStartForkID && at <= 0 ||
		h.RecoveryForkID == p.RedoStartForkID && at >= 0
}

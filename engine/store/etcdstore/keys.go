package etcdstore

import (
	"fmt"
	"strings"
)

// The keys under the prefix P (see the package doc).
const (
	runsDir  = "/runs/"
	locksDir = "/locks/"
	keptDir  = "/kept/"

	headKey   = "/head"
	recDir    = "/rec/"
	markKey   = "/seq"
	asideKey  = "/aside"
	lockName  = "/lock"
	holderKey = "/holder"

	// seqDigits zero-pads record numbers so that keys sort as numbers.
	seqDigits = 10
)

// runName is a run's journal name: P/runs/<plan>/<run>.
func (s *Store) runName(plan, runID string) string { return s.prefix + runsDir + plan + "/" + runID }

// recKey is record seq of the journal named name.
func recKey(name string, seq uint64) string {
	return fmt.Sprintf("%s%s%0*d", name, recDir, seqDigits, seq)
}

// recEnd is the end of the range of a journal's record keys.
func recEnd(name string) string { return name + "/rec0" } // '0' follows '/'

// lockKey and holderKeyOf are a plan's lock keys.
func (s *Store) lockKey(plan string) string     { return s.prefix + locksDir + plan + lockName }
func (s *Store) holderKeyOf(plan string) string { return s.prefix + locksDir + plan + holderKey }

// JournalName returns P/runs/<plan>/<runID>.
func (s *Store) JournalName(plan, runID string) string { return s.runName(plan, runID) }

// RunOf reads the plan and run id of P/runs/<plan>/<run>, and the plan of
// a kept copy P/kept/<plan>/<copy>.
func (s *Store) RunOf(name string) (plan, runID string) {
	if rest, ok := strings.CutPrefix(name, s.prefix+runsDir); ok {
		plan, runID, _ = strings.Cut(rest, "/")
		return plan, runID
	}
	if rest, ok := strings.CutPrefix(name, s.prefix+keptDir); ok {
		plan, _, _ = strings.Cut(rest, "/")
	}
	return plan, ""
}

// isKept reports whether name is a kept copy's.
func (s *Store) isKept(name string) bool { return strings.HasPrefix(name, s.prefix+keptDir) }

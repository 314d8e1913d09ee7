package journal

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"time"
)

// FormatVersion is the journal format this package writes and reads.
const FormatVersion = 1

// Extension is the file name suffix of a run's journal.
const Extension = ".journal"

// runIDLayout is the UTC start time part of a run id.
const runIDLayout = "20060102T150405Z"

var runIDPattern = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$`)

// Header is the first frame of a journal: what was run, by whom, where.
type Header struct {
	FormatVersion int
	PlanName      string
	PlanHash      string
	RunID         string
	User          string
	Host          string
	PlanFile      string
	// StepHashes maps step id to step hash, to show what changed on resume.
	StepHashes map[string]string
	Started    time.Time
}

// Record is one event of a run. The engine defines the set of Types.
type Record struct {
	Seq     uint64 // assigned by Append, from 1
	Time    time.Time
	Type    string
	Step    string            `json:",omitempty"`
	Attempt int               `json:",omitempty"`
	Outputs map[string]any    `json:",omitempty"`
	Error   string            `json:",omitempty"`
	Class   string            `json:",omitempty"`
	Note    string            `json:",omitempty"`
	User    string            `json:",omitempty"`
	Data    map[string]string `json:",omitempty"` // anything else
}

// NewRunID returns a run id for a run started at now: the UTC start time and
// four random hex digits, e.g. 20261126T031500Z-3f9a. Ids sort by start time.
func NewRunID(now time.Time) string {
	var b [2]byte
	// crypto/rand.Read never returns an error (it panics on a broken
	// system source), so there is nothing to handle here.
	_, _ = rand.Read(b[:])
	return now.UTC().Format(runIDLayout) + "-" + hex.EncodeToString(b[:])
}

// ValidRunID reports whether id has the shape NewRunID produces. Callers use
// it before turning user input into a path.
func ValidRunID(id string) bool {
	return runIDPattern.MatchString(id)
}

// Path returns the journal file of a run: <stateDir>/<plan>/<runID>.journal.
func Path(stateDir, plan, runID string) string {
	return filepath.Join(stateDir, plan, runID+Extension)
}

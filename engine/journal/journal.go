package journal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"regexp"
	"time"
)

// FormatVersion is the journal format this package writes and reads.
// Version 2 replaced the free-form Data map of version 1 with typed
// payloads; a version 1 journal is refused by name, never misread.
const FormatVersion = 2

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

// Record is one event of a run. The engine defines the set of Types; the
// payload fields below are set by the record types that need them, and
// are empty otherwise.
type Record struct {
	Seq     uint64 // assigned by Append, from 1
	Time    time.Time
	Type    string
	Step    string         `json:",omitempty"`
	Attempt int            `json:",omitempty"`
	Outputs map[string]any `json:",omitempty"`
	Error   string         `json:",omitempty"`
	Class   string         `json:",omitempty"`
	Note    string         `json:",omitempty"`
	User    string         `json:",omitempty"`
	// Command is set by step-started: what the attempt sends (the
	// action's preview with its values), secrets masked.
	Command string `json:",omitempty"`
	// Run is set by run-started and run-resumed.
	Run *RunStart `json:",omitempty"`
	// End is set by run-finished.
	End *RunEnd `json:",omitempty"`
	// Approval is set by step-approved and step-refused.
	Approval *Approval `json:",omitempty"`
	// Holder is set by lock-taken-over: whose lock was taken.
	Holder *Holder `json:",omitempty"`
	// PlanChange is set by plan-changed.
	PlanChange *PlanChange `json:",omitempty"`
	// Repair is set by journal-repaired.
	Repair *RepairInfo `json:",omitempty"`
	// AfterEffect is set by step-failed when the action completed and
	// its verify failed: the effect may be there.
	AfterEffect bool `json:",omitempty"`
	// Checkpoint is set by step-checkpoint: the action's own JSON.
	Checkpoint json.RawMessage `json:",omitempty"`
	// Process is set by step-process: a process tree the attempt
	// started, and by leftover-killed: the one an operator had ended.
	Process *Process `json:",omitempty"`
	// SetAside is set by run-set-aside: the unfinished run a new one
	// was started instead of (apply --new-run).
	SetAside *SetAside `json:",omitempty"`
}

// SetAside is an unfinished run an operator set aside to start afresh.
type SetAside struct {
	RunID string
	// Reason is why it could not be continued, as apply described it.
	Reason string
	// How the operator confirmed: "terminal", "standard input" or "--yes".
	How string
	// KeptAs is where its journal was moved.
	KeptAs string
	// Records is how many good records its journal held.
	Records int
}

// Process is a process tree a step's attempt started.
type Process struct {
	PID     int
	Group   int    `json:",omitempty"`
	Command string `json:",omitempty"`
	Start   string `json:",omitempty"`
	Host    string `json:",omitempty"`
}

// RunStart is what a run-started or run-resumed record says about the run.
type RunStart struct {
	// Steps are the plan's steps in file order, with their actions.
	Steps       []StepRef
	Parallelism int      `json:",omitempty"`
	Only        []string `json:",omitempty"`
	From        string   `json:",omitempty"`
	Host        string   `json:",omitempty"`
	PID         int      `json:",omitempty"`
	Version     string   `json:",omitempty"`
}

// StepRef names one step and its action.
type StepRef struct {
	ID     string
	Action string
}

// RunEnd is how a run ended.
type RunEnd struct {
	// State is succeeded, failed or waiting.
	State string
	// Left lists the steps a targeted run left out (it stays open).
	Left []string `json:",omitempty"`
}

// Approval is how an approval step was decided.
type Approval struct {
	Approved bool
	// How is "terminal", "--approve" or "--auto-approve".
	How string
}

// Holder is the holder of a lock that was taken over.
type Holder struct {
	RunID string
	User  string
	Host  string
	PID   int
}

// PlanChange records the plan hashes of a resume with --force.
type PlanChange struct {
	OldHash string
	NewHash string
}

// RepairInfo records what a journal repair dropped or could not know.
type RepairInfo struct {
	// Offset is where the journal was cut (0: it was not).
	Offset int64
	// Dropped is how many good records the repair dropped.
	Dropped int
	// Missing is how many records the run had synced that the file no
	// longer held (it was cut short), from seq MissingFrom on.
	Missing     uint64 `json:",omitempty"`
	MissingFrom uint64 `json:",omitempty"`
	// Header says how a damaged header was rebuilt, part by part.
	Header string `json:",omitempty"`
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

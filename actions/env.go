package actions

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"
)

// Mode says why an ability is called: to change something (a run), to
// look read-only (plan --check) or to render text (plan).
type Mode string

// The modes.
const (
	ModeRun     Mode = "run"
	ModeCheck   Mode = "check"
	ModePreview Mode = "preview"
)

// Env is what one call of an ability gets besides its params. The engine
// builds it; a test of an action may build its own (the zero value works:
// Checkpoint and Report then do nothing).
type Env struct {
	// Log carries the run, step, attempt and action fields already.
	Log zerolog.Logger
	// Mode says why the ability is called.
	Mode Mode
	// RunID and StepID name the run and the step ("" for preflight
	// checks, and for every call of `plan`).
	RunID  string
	StepID string
	// Attempt counts from 1 (0 outside an attempt: checks, probes).
	Attempt int
	// Target is nil for a type that takes none.
	Target *Target
	// Idempotent says the step may be run twice (the type's or the
	// step's own declaration).
	Idempotent bool
	// Approver handles the approval action; never nil during a run.
	Approver Approver
	// Redact masks every secret value in s; actions apply it to any text
	// they put in outputs, details or errors that may echo secrets.
	Redact func(s string) string
	// PlanDir is the directory of the plan file, for paths relative to it
	// (sql.exec's file).
	PlanDir string
	// Version is failover's version (for application names).
	Version string
	// Now is the run's clock (nil: time.Now).
	Now func() time.Time
	// Journal records the step's checkpoints; nil outside a run.
	Journal StepJournal
	// Progress receives the step's progress; nil discards it.
	Progress *ProgressSink
}

// Target is a target as an ability sees it: its fields resolved, decoded
// into the target type's params struct and validated, once per run.
type Target struct {
	Name string
	Type string
	// Params is a pointer to the target type's params struct.
	Params any
	// Handle is what the target type's Opener returned, opened once per
	// run and shared by every step and check of the target; nil when the
	// type opens nothing, and in preview.
	Handle Handle
}

// OpenEnv is what an Opener gets besides the target's fields.
type OpenEnv struct {
	Log     zerolog.Logger
	RunID   string
	Target  string // the target's name in the plan
	Mode    Mode
	Version string
	Redact  func(s string) string
}

// TargetParams returns the params of env's target as *P, or an error
// naming what is wrong (no target, another type).
func TargetParams[P any](env *Env) (*P, error) {
	if env == nil || env.Target == nil {
		return nil, fmt.Errorf("no target given")
	}
	p, ok := env.Target.Params.(*P)
	if !ok {
		var zero P
		return nil, fmt.Errorf("target %s is of type %s (%T), want %T", env.Target.Name, env.Target.Type, env.Target.Params, &zero)
	}
	return p, nil
}

// TargetHandle returns the handle of env's target as H, or an error
// naming what is wrong (no target, not opened, another type).
func TargetHandle[H any](env *Env) (H, error) {
	var zero H
	switch {
	case env == nil || env.Target == nil:
		return zero, fmt.Errorf("no target given")
	case env.Target.Handle == nil:
		return zero, fmt.Errorf("target %s is not open (%s mode)", env.Target.Name, env.Mode)
	}
	h, ok := env.Target.Handle.(H)
	if !ok {
		return zero, fmt.Errorf("target %s holds %T, want %T", env.Target.Name, env.Target.Handle, zero)
	}
	return h, nil
}

// RedactText masks secrets in s with env.Redact, if set.
func (e *Env) RedactText(s string) string {
	if e == nil || e.Redact == nil {
		return s
	}
	return e.Redact(s)
}

// Clock returns the current time of the run's clock.
func (e *Env) Clock() time.Time {
	if e == nil || e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// MaxCheckpointSize bounds one checkpoint: it is journaled and synced
// before the action moves on, so it must stay small.
const MaxCheckpointSize = 64 << 10

// StepJournal is the step's part of the run's journal.
type StepJournal interface {
	// Checkpoint appends data to the journal and syncs it before it
	// returns: once it returned nil, a resumed run sees data.
	Checkpoint(data json.RawMessage) error
	// Last returns the step's last checkpoint, from this run or from an
	// earlier run of the same journal (resume); false if there is none.
	Last() (json.RawMessage, bool)
}

// Checkpoint journals v (as JSON) durably before it returns, so that an
// interrupted step can continue after the last item it finished: an
// action checkpoints after each file copied or log applied. Outside a run
// (no journal) it does nothing.
func (e *Env) Checkpoint(v any) error {
	if e == nil || e.Journal == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if len(data) > MaxCheckpointSize {
		return fmt.Errorf("checkpoint of %d bytes is larger than %d: keep a checkpoint small (the last item done)", len(data), MaxCheckpointSize)
	}
	return e.Journal.Checkpoint(data)
}

// LastCheckpoint decodes the step's last checkpoint into v and reports
// whether there was one.
func (e *Env) LastCheckpoint(v any) (bool, error) {
	if e == nil || e.Journal == nil {
		return false, nil
	}
	data, ok := e.Journal.Last()
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("read the step's last checkpoint: %w", err)
	}
	return true, nil
}

// Progress is how far a long step is: items and bytes done of their
// totals (0: unknown) and the item being worked on.
type Progress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total,omitempty"`
	// Unit names the items ("files", "logs").
	Unit       string `json:"unit,omitempty"`
	Bytes      int64  `json:"bytes,omitempty"`
	TotalBytes int64  `json:"total_bytes,omitempty"`
	// Item is what is being worked on (a file name, an LSN).
	Item string `json:"item,omitempty"`
}

// Report tells the engine how far the step is; without a sink it does
// nothing. Call it as often as convenient: a report that is not due costs
// an atomic load.
func (e *Env) Report(p Progress) {
	if e != nil {
		e.Progress.Report(p)
	}
}

// ProcessInfo is a process tree an attempt started: what a resumed run
// must find gone before it runs the step again.
type ProcessInfo struct {
	PID int
	// Group is the process group on Unix (the program's pid); 0 on
	// Windows, where the tree is a job object that ends with failover.
	Group int
	// Command is the command line, secrets masked by the engine.
	Command string
	// Start identifies the process beyond its pid (reused after it
	// ended): its start time as the system counts it, "" if unknown.
	Start string
}

// ProcessJournal is the part of a StepJournal that records the
// processes an attempt starts.
type ProcessJournal interface {
	Process(p ProcessInfo) error
}

// RecordProcess journals, durably, a process tree the attempt started,
// right after it started: if failover dies, a resumed run finds it and
// never starts the step again beside it. Outside a run it does nothing.
func (e *Env) RecordProcess(p ProcessInfo) error {
	if e == nil || e.Journal == nil {
		return nil
	}
	pj, ok := e.Journal.(ProcessJournal)
	if !ok {
		return nil
	}
	return pj.Process(p)
}

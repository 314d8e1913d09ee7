package report

import (
	"time"

	"github.com/failover-dev/failover/engine"
)

// Report is the post-incident record of one run.
type Report struct {
	Plan     string `json:"plan"`
	RunID    string `json:"run"`
	PlanFile string `json:"plan_file,omitempty"`
	PlanHash string `json:"plan_hash"`
	// Status is how the run stands.
	Status string `json:"status"`
	// User and Host started the run.
	User    string    `json:"user"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	// Ended is when the run's last session ended (zero: it has no end:
	// it runs, or its process died).
	Ended time.Time `json:"ended,omitzero"`
	// LastRecord is the time of the journal's last record.
	LastRecord time.Time `json:"last_record"`
	// Complete says the run is over for good (succeeded, nothing left).
	Complete  bool      `json:"complete"`
	Generated time.Time `json:"generated"`
	// People are everyone who ran, approved or decided something, in the
	// order they first appear; Hosts every host a session ran on.
	People   []string  `json:"people"`
	Hosts    []string  `json:"hosts"`
	Sessions []Session `json:"sessions"`
	Steps    []Step    `json:"steps"`
	// Timeline is every event in the order it happened.
	Timeline    []Event             `json:"timeline"`
	Approvals   []Approval          `json:"approvals"`
	Decisions   []Decision          `json:"decisions"`
	Leftovers   []Leftover          `json:"leftovers"`
	TakeOvers   []engine.TakeOver   `json:"takeovers"`
	PlanChanges []engine.PlanChange `json:"plan_changes"`
	Repairs     []engine.Repair     `json:"repairs"`
	LogBackups  []LogBackup         `json:"log_backups"`
	DataLoss    LossWindow          `json:"data_loss"`
	// RTO is the run's time against the plan's rto.
	RTO Budget `json:"rto"`
	// PlanNote says why the plan is not used ("" when it is).
	PlanNote string   `json:"plan_note,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Session is one apply or resume.
type Session struct {
	// N counts sessions from 1.
	N int `json:"n"`
	engine.Session
	// Last is when the session ended, or its last event when it has no
	// end (its process died, or it runs).
	Last time.Time `json:"last"`
}

// Step is one step of the run with its whole history.
type Step struct {
	// N counts steps from 1, in the run's order.
	N           int          `json:"n"`
	ID          string       `json:"id"`
	Action      string       `json:"action"`
	Target      string       `json:"target,omitempty"`
	Description string       `json:"description,omitempty"`
	State       engine.State `json:"state"`
	Note        string       `json:"note,omitempty"`
	Error       string       `json:"error,omitempty"`
	// Attempts is every attempt, in order.
	Attempts []engine.Attempt `json:"attempts"`
	// First is when the first attempt started, End when the last outcome
	// was journaled (zero: none).
	First time.Time `json:"first,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// LastAttempt is how long the last attempt ran (RTO.Took is the time
	// from its first attempt to its outcome): the two durations status
	// and the end-of-run table show.
	LastAttempt time.Duration           `json:"last_attempt_ns"`
	Approvals   []engine.ApprovalRecord `json:"approvals,omitempty"`
	Decisions   []engine.Decision       `json:"decisions,omitempty"`
	Processes   []engine.StepProcess    `json:"processes,omitempty"`
	Checkpoints int                     `json:"checkpoints,omitempty"`
	// Checkpoint is the last checkpoint's JSON, as the action wrote it.
	Checkpoint string         `json:"checkpoint,omitempty"`
	Outputs    map[string]any `json:"outputs,omitempty"`
	Commands   Commands       `json:"commands"`
	RTO        Budget         `json:"rto"`
}

// Commands are the exact commands a step sent, secrets masked.
type Commands struct {
	// Source is SourceJournal, SourcePreview or "" (none: Note says why).
	Source string   `json:"source,omitempty"`
	Texts  []string `json:"texts,omitempty"`
	// RunTime are the references a preview shows as written, with the
	// value the journal holds for each.
	RunTime []RefValue `json:"run_time,omitempty"`
	Note    string     `json:"note,omitempty"`
}

// Where a step's commands come from.
const (
	// SourceJournal: the action journaled them in its outputs.
	SourceJournal = "journal"
	// SourcePreview: the plan's preview, the same path a run sends.
	SourcePreview = "preview"
)

// RefValue is a run-time reference and what the journal says it held.
type RefValue struct {
	Ref   string `json:"ref"`
	Value string `json:"value"`
	// Known is false when the journal does not hold it (an environment
	// variable, an output never produced).
	Known bool `json:"known"`
}

// Budget is a time against an rto.
type Budget struct {
	// Limit is the rto (0: none set, or the plan is not available).
	Limit time.Duration `json:"limit_ns,omitempty"`
	// Took is the time measured; Known says it has an end.
	Took  time.Duration `json:"took_ns"`
	Known bool          `json:"known"`
	// Over says Took passed Limit (also while not finished).
	Over bool `json:"over"`
}

// Approval is one decision on an approval step.
type Approval struct {
	Step string `json:"step"`
	engine.ApprovalRecord
}

// Decision is one of the operator's --retry or --mark-done.
type Decision struct {
	Step string `json:"step"`
	engine.Decision
}

// Leftover is a program an attempt left running that an operator ended.
type Leftover struct {
	Step string `json:"step"`
	engine.StepProcess
}

// Event is one line of the timeline.
type Event struct {
	At time.Time `json:"at"`
	// Session is the session it happened in (from 1; 0 before any).
	Session int    `json:"session"`
	Step    string `json:"step,omitempty"`
	// Kind names the event for styling: session, end, attempt, outcome,
	// satisfied, skipped, approval, decision, leftover, takeover,
	// plan-change, repair.
	Kind string `json:"kind"`
	Text string `json:"text"`
	// Detail is text a program or person wrote (an error, a command),
	// shown as such after Text.
	Detail string `json:"detail,omitempty"`
	// who is the person the event names ("" for none).
	who string
	// rank orders events of the same time: a session's start first, its
	// end last.
	rank int
	// order orders events of one time and rank: by step, then by
	// attempt and phase (see stepOrder).
	order int
}

// LogBackup is what one logship.apply step reported.
type LogBackup struct {
	Step string `json:"step"`
	// FilesApplied counts the sets applied over every attempt (-1: not
	// said).
	FilesApplied int64    `json:"files_applied"`
	Applied      []string `json:"applied,omitempty"`
	LastLSN      string   `json:"last_lsn,omitempty"`
	LastFile     string   `json:"last_file,omitempty"`
	// LastFinish is when the last applied backup finished (zero:
	// unknown); FinishText is the output as journaled.
	LastFinish   time.Time `json:"last_backup_finish,omitzero"`
	FinishText   string    `json:"last_backup_finish_text,omitempty"`
	FilesSkipped int64     `json:"files_skipped"`
	Skipped      []string  `json:"skipped,omitempty"`
	Gap          string    `json:"gap,omitempty"`
	// StepWindow is the data-loss window as the step put it, against its
	// own start.
	StepWindow string `json:"step_window,omitempty"`
}

// LossWindow is the data-loss window: from the last applied log backup's
// finish to the run's start. Nothing written after that finish reached
// the database.
type LossWindow struct {
	Known  bool          `json:"known"`
	Window time.Duration `json:"window_ns"`
	Finish time.Time     `json:"finish,omitzero"`
	Step   string        `json:"step,omitempty"`
	File   string        `json:"file,omitempty"`
	// Why says why it is unknown.
	Why string `json:"why,omitempty"`
}

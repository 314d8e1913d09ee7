package engine

import "time"

// State is a step's state in a run.
type State string

// The step states, as status shows them.
const (
	StatePending   State = "pending"
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateSatisfied State = "satisfied"
	StateSkipped   State = "skipped"
	StateFailed    State = "failed"
	StateInDoubt   State = "in-doubt"
	StateWaiting   State = "waiting"
)

// done reports whether dependents may start after a step in state s.
func (s State) done() bool {
	return s == StateSucceeded || s == StateSatisfied || s == StateSkipped
}

// StepResult is one step's state, as the summary, status and the console
// show it.
type StepResult struct {
	ID       string `json:"step"`
	Action   string `json:"action"`
	State    State  `json:"state"`
	Attempts int    `json:"attempts"`
	// Duration is the last attempt's run time; Elapsed the time from the
	// step's first attempt to its last outcome, across resumes. Every
	// view shows both, labelled so.
	Duration time.Duration  `json:"duration_ns"`
	Elapsed  time.Duration  `json:"elapsed_ns"`
	Error    string         `json:"error,omitempty"`
	Note     string         `json:"note,omitempty"`
	Outputs  map[string]any `json:"outputs,omitempty"`
	// History is every attempt; Approvals and Decisions what people
	// decided on the step; Checkpoints how many checkpoints its action
	// journaled. Set from the journal (status, the report).
	History     []Attempt        `json:"attempts_log,omitempty"`
	Approvals   []ApprovalRecord `json:"approvals,omitempty"`
	Decisions   []Decision       `json:"decisions,omitempty"`
	Checkpoints int              `json:"checkpoints,omitempty"`
}

// Summary is what a run did.
type Summary struct {
	Plan        string       `json:"plan"`
	RunID       string       `json:"run"`
	JournalPath string       `json:"journal"`
	State       string       `json:"state"`
	Steps       []StepResult `json:"steps"`
	// RootCauses name the steps whose own failure made the run fail, once;
	// steps skipped because of them are not repeated here.
	RootCauses []string `json:"root_causes,omitempty"`
	// Left names the steps a targeted run (--only, --from) left out and
	// that are not done: `resume` runs them.
	Left     []string  `json:"left,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}

// Step returns the result of the step with the given id, or nil.
func (s *Summary) Step(id string) *StepResult {
	for i := range s.Steps {
		if s.Steps[i].ID == id {
			return &s.Steps[i]
		}
	}
	return nil
}

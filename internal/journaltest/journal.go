// Package journaltest is an actions.StepJournal in memory for the tests
// of actions that checkpoint: it keeps every checkpoint, can run a hook
// as each one is journaled, and can cancel the attempt after the Nth, as
// Ctrl-C or a killed process ends a step.
package journaltest

import (
	"context"
	"encoding/json"
	"sync"
)

// Journal is a step journal in memory. Set its exported fields before
// the step runs (or between two runs), not during one.
type Journal struct {
	// CancelAfter is the number of checkpoints after which Cancel is
	// called (0: never).
	CancelAfter int
	Cancel      context.CancelFunc
	// OnCheckpoint, when set, runs as each checkpoint is journaled (to
	// see what had been done by then).
	OnCheckpoint func(data json.RawMessage)

	mu sync.Mutex
	// records are the checkpoints in order; guarded by mu.
	records []json.RawMessage
}

// Checkpoint keeps a copy of data, then runs OnCheckpoint and, at the
// CancelAfter-th checkpoint, Cancel.
func (j *Journal) Checkpoint(data json.RawMessage) error {
	j.mu.Lock()
	j.records = append(j.records, append(json.RawMessage(nil), data...))
	n := len(j.records)
	j.mu.Unlock()
	if j.OnCheckpoint != nil {
		j.OnCheckpoint(data)
	}
	if j.CancelAfter > 0 && n == j.CancelAfter && j.Cancel != nil {
		j.Cancel()
	}
	return nil
}

// Last returns the last checkpoint; false if there is none.
func (j *Journal) Last() (json.RawMessage, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.records) == 0 {
		return nil, false
	}
	return j.records[len(j.records)-1], true
}

// Count is the number of checkpoints journaled.
func (j *Journal) Count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.records)
}

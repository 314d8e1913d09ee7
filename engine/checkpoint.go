package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
)

// checkpoints is a step's last checkpoint. Steps whose action works in
// parallel (fs.copy's workers) checkpoint from several goroutines.
type checkpoints struct {
	mu   sync.Mutex // guards last
	last json.RawMessage
}

func (c *checkpoints) get() (json.RawMessage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.last != nil
}

func (c *checkpoints) set(data json.RawMessage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = data
}

// stepJournal is a step's part of the run's journal, as an action sees
// it (actions.StepJournal).
type stepJournal struct {
	r       *run
	st      *stepState
	attempt int
	// readOnly: a probe may read the last checkpoint, never write one.
	readOnly bool
}

func (r *run) stepJournal(st *stepState, attempt int) *stepJournal {
	return &stepJournal{r: r, st: st, attempt: attempt}
}

// Checkpoint journals data, secrets masked, and syncs it before it
// returns: the action moves on to its next item only once a resumed run
// is sure to see that this one is done.
func (j *stepJournal) Checkpoint(data json.RawMessage) error {
	if j.readOnly {
		return errors.New("checkpoint: only an attempt may checkpoint, not a probe")
	}
	masked, err := j.r.red.rawJSON(data)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	rec := journal.Record{Type: RecStepCheckpoint, Step: j.st.step.ID, Attempt: j.attempt, Checkpoint: masked}
	if _, err := j.r.jw.AppendSync(rec); err != nil {
		return fmt.Errorf("journal checkpoint of step %s: %w", j.st.step.ID, err)
	}
	j.st.cp.set(masked)
	return nil
}

// Last returns the step's last checkpoint, from this run or, on resume,
// from the journal.
func (j *stepJournal) Last() (json.RawMessage, bool) {
	return j.st.cp.get()
}

// Process journals a process tree the attempt started. It is flushed at
// once but not synced: a leftover outlives only failover's own death
// (SIGKILL, an OOM kill), which loses nothing flushed; a machine that
// crashes takes its processes with it. So no fsync is added to every
// program a step starts in a state dir (a file's Append is its flush);
// on etcd the flush is a commit.
func (j *stepJournal) Process(p actions.ProcessInfo) error {
	if j.readOnly {
		return errors.New("record process: only an attempt may start one, not a probe")
	}
	rec := journal.Record{Type: RecStepProcess, Step: j.st.step.ID, Attempt: j.attempt, Process: &journal.Process{
		PID: p.PID, Group: p.Group, Command: j.r.red.Redact(p.Command), Start: p.Start, Host: j.r.cfg.Host}}
	if _, err := j.r.jw.Append(rec); err != nil {
		return fmt.Errorf("journal process of step %s: %w", j.st.step.ID, err)
	}
	if err := j.r.jw.Flush(); err != nil {
		return fmt.Errorf("journal process of step %s: %w", j.st.step.ID, err)
	}
	return nil
}

// rawJSON masks every secret inside a JSON document.
func (rd *redactor) rawJSON(data json.RawMessage) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return json.Marshal(rd.value(v))
}

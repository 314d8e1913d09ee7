package journaltest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/failover-dev/failover/actions"
)

var _ actions.StepJournal = (*Journal)(nil)

func TestJournalKeepsCheckpointsAndCancels(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []string
	j := &Journal{CancelAfter: 2, Cancel: cancel, OnCheckpoint: func(d json.RawMessage) { seen = append(seen, string(d)) }}
	if _, ok := j.Last(); ok {
		t.Fatal("an empty journal has a last checkpoint")
	}
	buf := []byte(`1`)
	j.Checkpoint(buf)
	buf[0] = '9' // the journal kept a copy
	if ctx.Err() != nil {
		t.Fatal("cancelled after 1 checkpoint, want after 2")
	}
	j.Checkpoint(json.RawMessage(`2`))
	if ctx.Err() == nil {
		t.Error("not cancelled after 2 checkpoints")
	}
	if last, ok := j.Last(); !ok || string(last) != "2" || j.Count() != 2 {
		t.Errorf("last %s %v, count %d; want 2 true 2", last, ok, j.Count())
	}
	if len(seen) != 2 || seen[0] != "1" || seen[1] != "2" {
		t.Errorf("OnCheckpoint saw %v", seen)
	}
}

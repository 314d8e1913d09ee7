package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/journal"
)

// The report names who took a dead process's lock over, who forced a
// repair and who ended a leftover, and when: the fold keeps it.
func TestFoldKeepsWhoAndWhen(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	proc := &journal.Process{PID: 4242, Group: 4242, Command: "sqlcmd -i restore.sql"}
	recs := []journal.Record{
		{Type: RecRunStarted, Time: at(0), User: "alice", Run: &journal.RunStart{Steps: []journal.StepRef{{ID: "a", Action: "exec.run"}}}},
		{Type: RecStepStarted, Time: at(1), Step: "a", Attempt: 1},
		{Type: RecStepProcess, Time: at(1), Step: "a", Attempt: 1, Process: proc},
		{Type: RecRunResumed, Time: at(60), User: "bob", Run: &journal.RunStart{Host: "dc2-admin02"}},
		{Type: RecLockTakenOver, Time: at(60), User: "bob", Holder: &journal.Holder{RunID: "r", User: "alice", Host: "dc2-admin01", PID: 77}},
		{Type: RecLeftoverKilled, Time: at(61), Step: "a", User: "bob", Attempt: 1, Process: proc},
		{Type: RecJournalRepaired, Time: at(62), User: "carol", Repair: &journal.RepairInfo{Offset: 900, Dropped: 3}},
	}
	rs := Fold(&journal.Replay{Records: recs})
	if len(rs.TakeOvers) != 1 {
		t.Fatalf("take-overs = %+v, want one", rs.TakeOvers)
	}
	if to := rs.TakeOvers[0]; to.By != "bob" || !to.At.Equal(at(60)) || to.PID != 77 || to.Host != "dc2-admin01" {
		t.Errorf("take-over = %+v, want bob at +60s taking pid 77 of dc2-admin01", to)
	}
	if len(rs.Repairs) != 1 {
		t.Fatalf("repairs = %+v, want one", rs.Repairs)
	}
	if r := rs.Repairs[0]; r.By != "carol" || !r.At.Equal(at(62)) || r.Offset != 900 || r.Dropped != 3 {
		t.Errorf("repair = %+v, want carol at +62s dropping 3 records after offset 900", r)
	}
	ps := rs.Steps["a"].Processes
	if len(ps) != 1 || !ps[0].Killed || ps[0].KilledBy != "bob" || !ps[0].KilledAt.Equal(at(61)) {
		t.Errorf("processes = %+v, want pid 4242 killed by bob at +61s", ps)
	}
}

// The one fold keeps a step's whole story for status, resume and the
// report: every attempt with its error, the approvals, the operator's
// decisions with the attempt each decided, the last checkpoint and how
// many there were, and the outputs of the success.
func TestFoldKeepsAttemptsDecisionsCheckpointsAndOutputs(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	recs := []journal.Record{
		{Type: RecRunStarted, Time: at(0), User: "alice", Run: &journal.RunStart{Steps: []journal.StepRef{
			{ID: "gate", Action: "approval"}, {ID: "apply-logs", Action: "logship.apply"}}}},
		{Type: RecStepStarted, Time: at(1), Step: "gate", Attempt: 1},
		{Type: RecStepApproved, Time: at(5), Step: "gate", User: "alice", Approval: &journal.Approval{Approved: true, How: "terminal"}},
		{Type: RecStepSucceeded, Time: at(5), Step: "gate", Attempt: 1},
		{Type: RecStepStarted, Time: at(6), Step: "apply-logs", Attempt: 1},
		{Type: RecAttemptFailed, Time: at(8), Step: "apply-logs", Attempt: 1, Error: "deadlock victim", Class: "retryable"},
		{Type: RecStepStarted, Time: at(9), Step: "apply-logs", Attempt: 2},
		{Type: RecStepCheckpoint, Time: at(10), Step: "apply-logs", Attempt: 2, Checkpoint: []byte(`{"applied":1}`)},
		{Type: RecStepCheckpoint, Time: at(11), Step: "apply-logs", Attempt: 2, Checkpoint: []byte(`{"applied":2}`)},
		{Type: RecRunResumed, Time: at(60), User: "bob", Run: &journal.RunStart{}},
		{Type: RecRetryRequested, Time: at(61), Step: "apply-logs", User: "bob", Note: "the restore was cut"},
		{Type: RecStepStarted, Time: at(62), Step: "apply-logs", Attempt: 3},
		{Type: RecStepSucceeded, Time: at(70), Step: "apply-logs", Attempt: 3, Outputs: map[string]any{"files_applied": int64(3)}},
	}
	rs := Fold(&journal.Replay{Records: recs})
	gate := rs.Steps["gate"]
	if a := gate.Approvals; len(a) != 1 || !a[0].Approved || a[0].By != "alice" || a[0].How != "terminal" || !a[0].At.Equal(at(5)) {
		t.Errorf("gate approvals = %+v, want alice's at +5s on the terminal", a)
	}
	st := rs.Steps["apply-logs"]
	if st.State != StateSucceeded || st.Attempts != 3 || st.Outputs["files_applied"] != int64(3) {
		t.Errorf("apply-logs: %s after %d attempts, outputs %v; want succeeded after 3 with files_applied 3", st.State, st.Attempts, st.Outputs)
	}
	var outcomes []string
	for _, a := range st.History {
		outcomes = append(outcomes, a.Outcome)
	}
	if got := strings.Join(outcomes, " "); got != "retried  succeeded" || st.History[0].Error != "deadlock victim" {
		t.Errorf("history = %q (first error %q), want the retried, the cut and the succeeded attempts", got, st.History[0].Error)
	}
	if d := st.Decisions; len(d) != 1 || d[0].Kind != "retry" || d[0].By != "bob" || d[0].Attempt != 2 || d[0].Note != "the restore was cut" {
		t.Errorf("decisions = %+v, want bob's retry of attempt 2", d)
	}
	if string(st.Checkpoint) != `{"applied":2}` || st.Checkpoints != 2 {
		t.Errorf("checkpoint %s of %d, want the second of 2", st.Checkpoint, st.Checkpoints)
	}
	if len(rs.Sessions) != 2 || rs.Sessions[1].By != "bob" {
		t.Errorf("sessions = %+v, want alice's apply and bob's resume", rs.Sessions)
	}
}

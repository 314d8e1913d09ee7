package engine

import (
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

package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

const sec = time.Second

// twoSteps is the run-started record of a run of steps a (exec.run) and
// b (exec.run, after a).
func twoSteps(d time.Duration, typ string) journal.Record {
	return started(typ, d, "alice", "dc2-admin01", 100, journal.StepRef{ID: "a", Action: "exec.run"}, journal.StepRef{ID: "b", Action: "exec.run"})
}

// Every way a run can stand gives a report that says so.
func TestBuildRunStates(t *testing.T) {
	tests := []struct {
		name       string
		recs       []journal.Record
		status     string
		complete   bool
		runTime    time.Duration
		stateA     engine.State
		lastEvent  string
		wantInText []string
	}{
		{name: "succeeded", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 1*sec, "a", 1), stepRec(engine.RecStepSucceeded, 2*sec, "a", 1),
			stepRec(engine.RecStepStarted, 2*sec, "b", 1), stepRec(engine.RecStepSucceeded, 4*sec, "b", 1),
			finished(5*sec, engine.RunSucceeded)},
			status: "succeeded", complete: true, runTime: 5 * sec, stateA: engine.StateSucceeded, lastEvent: "apply ended: succeeded"},
		{name: "failed, its dependent skipped", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 1*sec, "a", 1),
			{Type: engine.RecStepFailed, Time: at(3 * sec), Step: "a", Attempt: 1, Error: "sh exited with code 3", Class: "permanent"},
			{Type: engine.RecStepSkipped, Time: at(3 * sec), Step: "b", Note: "upstream failed: a"},
			finished(4*sec, engine.RunFailed)},
			status: "failed", runTime: 4 * sec, stateA: engine.StateFailed, lastEvent: "apply ended: failed",
			wantInText: []string{"a: attempt 1 failed after 2s: `sh exited with code 3`", "b: skipped: upstream failed: a"}},
		{name: "waiting for an approval", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 1*sec, "a", 1), {Type: engine.RecStepWaiting, Time: at(1 * sec), Step: "a", Attempt: 1},
			finished(2*sec, engine.RunWaiting)},
			status: "waiting", runTime: 2 * sec, stateA: engine.StateWaiting, lastEvent: "apply ended: waiting",
			wantInText: []string{"a: attempt 1 waits for the operator", "2s so far (the run is not over)"}},
		{name: "interrupted", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 1*sec, "a", 1), stepRec(engine.RecStepInterrupted, 7*sec, "a", 1),
			{Type: engine.RecRunInterrupted, Time: at(7 * sec)}},
			status: "interrupted", runTime: 7 * sec, stateA: engine.StateInDoubt, lastEvent: "apply ended: interrupted",
			wantInText: []string{"a: attempt 1 interrupted after 6s"}},
		{name: "its process died", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 9*sec, "a", 1)},
			status: "stopped (no end journaled)", runTime: 9 * sec, stateA: engine.StateInDoubt,
			lastEvent:  "apply: no end journaled after this: its process died",
			wantInText: []string{"no outcome journaled (in doubt)", "no end journaled; the last record is of 2026-11-26 03:15:09 UTC"}},
		{name: "resumed, marked done", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			stepRec(engine.RecStepStarted, 1*sec, "a", 1),
			twoSteps(60*sec, engine.RecRunResumed),
			{Type: engine.RecMarkedDone, Time: at(61 * sec), Step: "a", User: "bob", Note: "the database is ONLINE"},
			stepRec(engine.RecStepStarted, 62*sec, "b", 1), stepRec(engine.RecStepSucceeded, 63*sec, "b", 1),
			finished(64*sec, engine.RunSucceeded)},
			status: "succeeded", complete: true, runTime: 64 * sec, stateA: engine.StateSucceeded, lastEvent: "resume ended: succeeded",
			wantInText: []string{"a: --mark-done by bob: the database is ONLINE", "apply: no end journaled after this: its process died",
				"| `a` | `--mark-done` | bob | 2026-11-26 03:16:01 UTC | the database is ONLINE |"}},
		{name: "satisfied by its probe", recs: []journal.Record{twoSteps(0, engine.RecRunStarted),
			{Type: engine.RecStepSatisfied, Time: at(1 * sec), Step: "a", Note: "probe: already ONLINE", Outputs: map[string]any{"state": "ONLINE"}},
			stepRec(engine.RecStepStarted, 1*sec, "b", 1), stepRec(engine.RecStepSucceeded, 2*sec, "b", 1),
			finished(2*sec, engine.RunSucceeded)},
			status: "succeeded", complete: true, runTime: 2 * sec, stateA: engine.StateSatisfied, lastEvent: "apply ended: succeeded",
			wantInText: []string{"a: satisfied without running: probe: already ONLINE", `"state": "ONLINE"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{State: fold(t, testHeader(), tt.recs...), Generated: at(time.Hour)})
			if r.Status != tt.status || r.Complete != tt.complete || r.RunTime() != tt.runTime {
				t.Errorf("status %q, complete %v, run time %v; want %q, %v, %v", r.Status, r.Complete, r.RunTime(), tt.status, tt.complete, tt.runTime)
			}
			if s := r.Step("a"); s == nil || s.State != tt.stateA {
				t.Errorf("step a = %+v, want state %s", s, tt.stateA)
			}
			if last := r.Timeline[len(r.Timeline)-1]; last.Text != tt.lastEvent {
				t.Errorf("last event %q, want %q", last.Text, tt.lastEvent)
			}
			md := markdown(t, r)
			for _, want := range tt.wantInText {
				if !strings.Contains(md, want) {
					t.Errorf("the report lacks %q:\n%s", want, md)
				}
			}
		})
	}
}

func markdown(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A live run (status says so) is not called dead.
func TestBuildRunningRun(t *testing.T) {
	rs := fold(t, testHeader(), twoSteps(0, engine.RecRunStarted), stepRec(engine.RecStepStarted, sec, "a", 1))
	r := Build(Input{State: rs, Status: "running", Generated: at(time.Minute)})
	if last := r.Timeline[len(r.Timeline)-1]; last.Text != "apply: still running when the report was made" {
		t.Errorf("last event %q", last.Text)
	}
	if md := markdown(t, r); !strings.Contains(md, "| still running |") {
		t.Errorf("the sessions table does not say the session runs:\n%s", md)
	}
}

// Lock takeovers, plan changes and forced repairs are in the timeline
// and in their own section, with who and when.
func TestBuildRunEvents(t *testing.T) {
	rs := fold(t, testHeader(), []journal.Record{twoSteps(0, engine.RecRunStarted),
		twoSteps(60*sec, engine.RecRunResumed),
		{Type: engine.RecLockTakenOver, Time: at(60 * sec), User: "bob", Holder: &journal.Holder{RunID: "r1", User: "alice", Host: "dc2-admin01", PID: 100}},
		{Type: engine.RecPlanChanged, Time: at(60 * sec), User: "bob", Note: "changed: a", PlanChange: &journal.PlanChange{OldHash: "1", NewHash: "2"}},
		{Type: engine.RecJournalRepaired, Time: at(90 * sec), User: "carol", Repair: &journal.RepairInfo{Offset: 512, Dropped: 2}},
	}...)
	md := markdown(t, Build(Input{State: rs, Generated: at(time.Hour)}))
	for _, want := range []string{
		"- 2026-11-26 03:16:00 UTC: bob took over the lock held by alice on dc2-admin01 (pid 100, run r1): that process no longer existed",
		"- 2026-11-26 03:16:00 UTC: bob resumed a changed plan with --force: `changed: a`",
		"- 2026-11-26 03:16:30 UTC: carol forced a journal repair: 2 good record(s) after offset 512 dropped",
		"| People | alice, bob, carol |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
}

// A journal with nothing after its header (the run died as it started)
// still gives a report in both formats.
func TestBuildEmptyJournal(t *testing.T) {
	r := Build(Input{State: fold(t, testHeader()), Generated: at(time.Hour)})
	if r.RunTime() != 0 || len(r.Steps) != 0 || len(r.Timeline) != 0 || r.Status != "stopped (no end journaled)" {
		t.Errorf("report = %+v", r)
	}
	md := markdown(t, r)
	for _, want := range []string{"## Sessions\n\nNone journaled.", "## Steps\n\nNone journaled.", "## Timeline\n\nNothing journaled."} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil || !strings.Contains(b.String(), `<div id="timeline" data-steps="0">`) {
		t.Errorf("HTML: %v", err)
	}
}

package report

import (
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// applyRun is a run whose logship.apply steps journaled these outputs.
func applyRun(t *testing.T, outputs ...map[string]any) *engine.RunState {
	t.Helper()
	var refs []journal.StepRef
	for i := range outputs {
		refs = append(refs, journal.StepRef{ID: "apply-" + string(rune('a'+i)), Action: applyAction})
	}
	recs := []journal.Record{started(engine.RecRunStarted, 0, "alice", "h", 1, refs...)}
	for i, out := range outputs {
		id := refs[i].ID
		recs = append(recs, stepRec(engine.RecStepStarted, time.Duration(i+1)*sec, id, 1),
			journal.Record{Type: engine.RecStepSucceeded, Time: at(time.Duration(i+2) * sec), Step: id, Attempt: 1, Outputs: out})
	}
	return fold(t, testHeader(), append(recs, finished(time.Minute, engine.RunSucceeded))...)
}

func TestDataLossWindow(t *testing.T) {
	fin := func(s string, file string) map[string]any {
		return map[string]any{"last_backup_finish": s, "last_file": file, "files_applied": int64(2), "data_loss_window": "as the step said"}
	}
	tests := []struct {
		name    string
		outputs []map[string]any
		known   bool
		window  time.Duration
		step    string
		text    string
	}{
		{name: "no logship.apply step", known: false,
			text: "unknown: no logship.apply step of this run journaled its outputs"},
		{name: "the last backup finished before the run", outputs: []map[string]any{fin("2026-11-26T03:02:57Z", "mgc_1.trn")},
			known: true, window: 12*time.Minute + 3*sec, step: "apply-a",
			text: "12m3s: the last log backup applied (mgc_1.trn), by step apply-a, finished at 2026-11-26 03:02:57 UTC; the run started at 2026-11-26 03:15:00 UTC."},
		{name: "a server time with an offset is read as the instant it is", outputs: []map[string]any{fin("2026-11-26T04:02:57+01:00", "mgc_1.trn")},
			known: true, window: 12*time.Minute + 3*sec, step: "apply-a"},
		{name: "the latest of two steps", outputs: []map[string]any{fin("2026-11-26T02:00:00Z", "a.trn"), fin("2026-11-26T03:10:00Z", "b.trn")},
			known: true, window: 5 * time.Minute, step: "apply-b"},
		{name: "a backup finished after the run started", outputs: []map[string]any{fin("2026-11-26T03:16:00Z", "late.trn")},
			known: true, window: -time.Minute, step: "apply-a",
			text: "none measured: the last log backup applied (late.trn) finished at 2026-11-26 03:16:00 UTC, after the run started"},
		{name: "the step could not say", outputs: []map[string]any{fin("", "")},
			text: "unknown: step apply-a did not say when the last log backup it applied finished (as the step said)"},
		{name: "not a time", outputs: []map[string]any{fin("yesterday", "x.trn")},
			text: "unknown: step apply-a did not say when"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{State: applyRun(t, tt.outputs...), Generated: at(time.Hour)})
			w := r.DataLoss
			if w.Known != tt.known || w.Window != tt.window || w.Step != tt.step {
				t.Errorf("window = %+v; want known %v, %v, step %q", w, tt.known, tt.window, tt.step)
			}
			var plain strings.Builder
			for _, p := range LossText(w, r.Started) {
				plain.WriteString(p.Text)
			}
			if !strings.Contains(plain.String(), tt.text) {
				t.Errorf("text %q lacks %q", plain.String(), tt.text)
			}
		})
	}
}

// The log backups section reads logship.apply's outputs.
func TestLogBackups(t *testing.T) {
	r := Build(Input{State: applyRun(t, map[string]any{"files_applied": int64(7), "applied": []any{"mgc_1.trn", "mgc_2.trn"},
		"last_lsn": "4200", "last_file": `D:\LogShip\mgc_2.trn`, "last_backup_finish": "2026-11-26T03:02:57Z",
		"files_skipped": int64(1), "skipped": []any{"mgccomp_1.trn: another database"}, "gap": "LSN 10 to 20 missing"}), Generated: at(time.Hour)})
	lb := r.LogBackups
	if len(lb) != 1 || lb[0].FilesApplied != 7 || len(lb[0].Applied) != 2 || lb[0].LastLSN != "4200" || lb[0].FilesSkipped != 1 || lb[0].Gap == "" {
		t.Fatalf("log backups = %+v", lb)
	}
	md := markdown(t, r)
	for _, want := range []string{"| Files applied | 7 |", "| Last file | `D:\\LogShip\\mgc_2.trn` |", "| Last LSN | `4200` |",
		"| Gap | LSN 10 to 20 missing |", "- `mgc_2.trn`", "- `mgccomp_1.trn: another database`"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// Each step's time is measured against its rto, and the run's against
// the plan's; a run or step not finished is measured so far.
func TestBudgets(t *testing.T) {
	rs := fold(t, testHeader(), []journal.Record{twoSteps(0, engine.RecRunStarted),
		stepRec(engine.RecStepStarted, 0, "a", 1), stepRec(engine.RecStepSucceeded, 90*sec, "a", 1),
		stepRec(engine.RecStepStarted, 90*sec, "b", 1), {Type: engine.RecStepWaiting, Time: at(100 * sec), Step: "b", Attempt: 1},
		finished(100*sec, engine.RunWaiting)}...)
	plan := &plans.Plan{RTO: time.Minute, Steps: []*plans.Step{{ID: "a", RTO: time.Minute}, {ID: "b", RTO: time.Hour}}}
	r := Build(Input{State: rs, Plan: plan, Previews: map[string]engine.Preview{}, Generated: at(time.Hour)})
	tests := []struct {
		name string
		b    Budget
		want string
	}{
		{"a step over its rto", r.Step("a").RTO, "over its rto of 1m by 30s"},
		{"a step within its rto, waiting", r.Step("b").RTO, "within its rto of 1h so far (59m50s left), not finished"},
		{"the run over the plan's rto, not over", r.RTO, "over its rto of 1m by 40s already, and not finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BudgetText(tt.b); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
	md := markdown(t, r)
	if !strings.Contains(md, "| 1 | `a` | `exec.run` | succeeded | 1 | 1m30s | 1m30s | **1m: over by 30s** |") {
		t.Errorf("the steps table does not mark a over its budget:\n%s", md)
	}
	if r := Build(Input{State: rs, Generated: at(time.Hour)}); r.RTO.Limit != 0 || r.Step("a").RTO.Limit != 0 || BudgetText(r.RTO) != "" {
		t.Errorf("without the plan there is no budget: %+v", r.RTO)
	}
}

// The commands come from the action's journaled outputs, else from the
// plan's preview with the run-time values the journal holds, else the
// report says why there are none.
func TestCommands(t *testing.T) {
	rs := fold(t, testHeader(), []journal.Record{
		started(engine.RecRunStarted, 0, "alice", "h", 1, journal.StepRef{ID: "src", Action: "exec.run"}, journal.StepRef{ID: "j", Action: "sql.exec"},
			journal.StepRef{ID: "p", Action: "fs.copy"}, journal.StepRef{ID: "gate", Action: "approval"}, journal.StepRef{ID: "bad", Action: "sql.exec"}),
		{Type: engine.RecStepSucceeded, Time: at(sec), Step: "src", Outputs: map[string]any{"stdout": `\\dc1\share`, "n": int64(3)}},
		{Type: engine.RecStepSucceeded, Time: at(sec), Step: "j", Outputs: map[string]any{"commands": []any{"USE [mgc];", "SELECT 1;"}}},
	}...)
	plan := &plans.Plan{Steps: []*plans.Step{{ID: "src"}, {ID: "j"}, {ID: "p"}, {ID: "gate"}, {ID: "bad"}}}
	previews := map[string]engine.Preview{
		"j":    {Text: "never shown: the journal has the commands"},
		"p":    {Text: "copy ${steps.src.outputs.stdout} ${steps.src.outputs.n} ${run.id} ${env.X} ${steps.src.outputs.none}", RunTime: []string{"${env.X}", "${run.id}", "${steps.src.outputs.n}", "${steps.src.outputs.none}", "${steps.src.outputs.stdout}"}},
		"gate": {},
		"bad":  {Err: errString("timeout: a run-time value")},
	}
	r := Build(Input{State: rs, Plan: plan, Previews: previews, Generated: at(time.Hour)})
	if c := r.Step("j").Commands; c.Source != SourceJournal || strings.Join(c.Texts, "|") != "USE [mgc];|SELECT 1;" {
		t.Errorf("j: %+v, want the journaled commands", c)
	}
	c := r.Step("p").Commands
	want := []RefValue{{"${env.X}", "read from the environment when the run started; not journaled", false}, {"${run.id}", "20261126T031500Z-3f9a", true},
		{"${steps.src.outputs.n}", "3", true}, {"${steps.src.outputs.none}", "not journaled: step src has no output none", false},
		{"${steps.src.outputs.stdout}", `\\dc1\share`, true}}
	if c.Source != SourcePreview || len(c.RunTime) != len(want) {
		t.Fatalf("p: %+v", c)
	}
	for i := range want {
		if c.RunTime[i] != want[i] {
			t.Errorf("p run-time value %d = %+v, want %+v", i, c.RunTime[i], want[i])
		}
	}
	if n := r.Step("gate").Commands.Note; n != "none: approval sends no command text" {
		t.Errorf("gate: %q", n)
	}
	if n := r.Step("bad").Commands.Note; n != "not available: the preview could not be rendered: timeout: a run-time value" {
		t.Errorf("bad: %q", n)
	}
	noPlan := Build(Input{State: rs, PlanNote: "plan file plan.yaml has changed since the run (hash 1234, the run's 5678)", Generated: at(time.Hour)})
	if n := noPlan.Step("p").Commands.Note; !strings.Contains(n, "not available: plan file plan.yaml has changed") {
		t.Errorf("without the plan: %q", n)
	}
	if c := noPlan.Step("j").Commands; c.Source != SourceJournal {
		t.Errorf("without the plan, journaled commands are still shown: %+v", c)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

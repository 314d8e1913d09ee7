package report

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/plans"
)

// t0 is when the runs of these tests start.
var t0 = time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// testHeader is the journal header of the test runs.
func testHeader() journal.Header {
	return journal.Header{PlanName: "pchat-failover-dc2", PlanHash: "9f2c41d07ab35e6f8812c0de4b5a6978e0f1a2b3c4d5e6f708192a3b4c5d6e7f",
		RunID: "20261126T031500Z-3f9a", User: "alice", Host: "dc2-admin01", PlanFile: "plans/dc2/pchat-failover.yaml", Started: t0}
}

// fold writes records to a journal through the journal package, reads
// it back and folds it, as the report command does.
func fold(t *testing.T, h journal.Header, recs ...journal.Record) *engine.RunState {
	t.Helper()
	path := filepath.Join(t.TempDir(), h.PlanName, h.RunID+journal.Extension)
	w, err := journal.Create(journal.OSFS{}, path, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := journal.Read(journal.OSFS{}, path)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Fold(rep)
}

// started opens a session that knows the steps.
func started(typ string, d time.Duration, user, host string, pid int, steps ...journal.StepRef) journal.Record {
	return journal.Record{Type: typ, Time: at(d), User: user, Run: &journal.RunStart{Steps: steps, Host: host, PID: pid, Version: "1.0.0"}}
}

// stepRec is a record of a step.
func stepRec(typ string, d time.Duration, step string, attempt int) journal.Record {
	return journal.Record{Type: typ, Time: at(d), Step: step, Attempt: attempt}
}

// finished ends a session.
func finished(d time.Duration, state string) journal.Record {
	return journal.Record{Type: engine.RecRunFinished, Time: at(d), End: &journal.RunEnd{State: state}}
}

// pchatSteps are the steps of the test plan, with their actions.
var pchatSteps = []journal.StepRef{
	{ID: "remove-log-shipping", Action: "logship.remove"}, {ID: "copy-backups", Action: "fs.copy"},
	{ID: "apply-logs", Action: "logship.apply"}, {ID: "approve-recovery", Action: "approval"},
	{ID: "recover-db", Action: "db.recover"}, {ID: "set-pool-state", Action: "ps.invoke"},
}

// pchatPlan is the plan of the test runs, built by hand: the report
// takes descriptions, targets and rto budgets from it.
func pchatPlan() *plans.Plan {
	step := func(id, action, target, desc string, rto time.Duration) *plans.Step {
		return &plans.Step{ID: id, Action: action, Target: target, Description: desc, RTO: rto}
	}
	return &plans.Plan{Name: "pchat-failover-dc2", Hash: testHeader().PlanHash, RTO: 45 * time.Minute, Steps: []*plans.Step{
		step("remove-log-shipping", "logship.remove", "backup_sql", "Remove log shipping on the backup instance (seed step 1)", 0),
		step("copy-backups", "fs.copy", "", "Copy the log backups left on the share", 5*time.Minute),
		step("apply-logs", "logship.apply", "backup_sql", "Apply every log backup not yet restored (seed step 3)", 10*time.Minute),
		step("approve-recovery", "approval", "", "Point of no return: recover the database", 0),
		step("recover-db", "db.recover", "backup_sql", "RESTORE DATABASE mgc WITH RECOVERY (seed step 4)", 5*time.Minute),
		step("set-pool-state", "ps.invoke", "lync", "Fail the pool over (seed step 6)", 0),
	}}
}

// pchatPreviews are the previews of the test plan.
func pchatPreviews() map[string]engine.Preview {
	return map[string]engine.Preview{
		"remove-log-shipping": {Text: "EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = N'mgc';"},
		"copy-backups": {Text: "copy ${steps.remove-log-shipping.outputs.backup_source_directory}\\*.trn -> D:\\LogShip\\mgc",
			RunTime: []string{"${steps.remove-log-shipping.outputs.backup_source_directory}"}},
		"apply-logs": {Text: "RESTORE HEADERONLY FROM DISK = @path\n  for each file matching mgc_*.trn in N'D:\\LogShip\\mgc'\n" +
			"RESTORE LOG [mgc] FROM DISK = @path WITH FILE = @position, NORECOVERY"},
		"approve-recovery": {},
		"recover-db":       {Text: "RESTORE DATABASE [mgc] WITH RECOVERY;  -- as failover, password (secret)"},
		"set-pool-state":   {Text: "Set-CsPersistentChatState -Identity 'service:atl-cs-001.litwareinc.com' -PoolState FailedOver"},
	}
}

// resumedRun is a failover resumed three times: interrupted while it
// applied logs, waiting for an approval, its host's process killed while
// it set the pool state, and finished by another operator who ended the
// leftover and asked for the step again.
func resumedRun(t *testing.T) *engine.RunState {
	t.Helper()
	m, s := time.Minute, time.Second
	ps := &journal.Process{PID: 7001, Group: 7001, Command: "powershell.exe -NoProfile -NonInteractive -Command -"}
	recs := []journal.Record{
		started(engine.RecRunStarted, 0, "alice", "dc2-admin01", 4242, pchatSteps...),
		stepRec(engine.RecStepStarted, 1*s, "remove-log-shipping", 1),
		{Type: engine.RecStepSucceeded, Time: at(3 * s), Step: "remove-log-shipping", Attempt: 1, Outputs: map[string]any{
			"backup_source_directory": `\\dc1-sql01\logship\mgc`, "last_restored_file": `D:\LogShip\mgc\mgc_20261126025500.trn`, "already_removed": false}},
		stepRec(engine.RecStepStarted, 3*s, "copy-backups", 1),
		{Type: engine.RecAttemptFailed, Time: at(20 * s), Step: "copy-backups", Attempt: 1, Class: "retryable",
			Error: `copy \\dc1-sql01\logship\mgc\mgc_20261126030000.trn: the network path was not found`},
		stepRec(engine.RecStepStarted, 25*s, "copy-backups", 2),
		{Type: engine.RecStepSucceeded, Time: at(95 * s), Step: "copy-backups", Attempt: 2, Outputs: map[string]any{"files_copied": int64(3), "bytes_copied": int64(123456)}},
		stepRec(engine.RecStepStarted, 95*s, "apply-logs", 1),
		{Type: engine.RecStepCheckpoint, Time: at(120 * s), Step: "apply-logs", Attempt: 1, Checkpoint: []byte(`{"applied":1}`)},
		{Type: engine.RecStepInterrupted, Time: at(150 * s), Step: "apply-logs", Attempt: 1, Note: "interrupted while running"},
		{Type: engine.RecRunInterrupted, Time: at(151 * s)},

		started(engine.RecRunResumed, 20*m, "bob", "dc2-admin02", 5151, pchatSteps...),
		stepRec(engine.RecStepStarted, 20*m+1*s, "apply-logs", 2),
		{Type: engine.RecStepCheckpoint, Time: at(22 * m), Step: "apply-logs", Attempt: 2, Checkpoint: []byte(`{"applied":4,"last":"mgc_20261126030000.trn"}`)},
		{Type: engine.RecStepSucceeded, Time: at(24 * m), Step: "apply-logs", Attempt: 2, Outputs: map[string]any{
			"files_applied": int64(5), "applied": []any{"mgc_20261126030000.trn", "mgc_20261126030300.trn"},
			"last_lsn": "42000000031200001", "last_file": `D:\LogShip\mgc\mgc_20261126030300.trn`,
			"last_backup_finish": "2026-11-26T03:02:57Z", "data_loss_seconds": int64(1264),
			"data_loss_window": "21m4s: the last log backup applied finished at 2026-11-26T03:02:57Z (server UTC offset +00:00), the step started at 2026-11-26T03:24:01Z; changes after it are lost",
			"files_skipped":    int64(1), "skipped": []any{"mgc_20261126025500.trn: already applied"}, "gap": ""}},
		stepRec(engine.RecStepStarted, 24*m, "approve-recovery", 1),
		{Type: engine.RecStepWaiting, Time: at(24 * m), Step: "approve-recovery", Attempt: 1, Note: "waiting for approval"},
		finished(24*m+1*s, engine.RunWaiting),

		started(engine.RecRunResumed, 40*m, "carol", "dc2-admin01", 6262, pchatSteps...),
		stepRec(engine.RecStepStarted, 40*m, "approve-recovery", 2),
		{Type: engine.RecStepApproved, Time: at(40 * m), Step: "approve-recovery", User: "carol", Approval: &journal.Approval{Approved: true, How: "--approve"}},
		{Type: engine.RecStepSucceeded, Time: at(40 * m), Step: "approve-recovery", Attempt: 2, Outputs: map[string]any{"approved_by": "carol", "how": "--approve"}},
		stepRec(engine.RecStepStarted, 40*m+1*s, "recover-db", 1),
		{Type: engine.RecStepSucceeded, Time: at(40*m + 31*s), Step: "recover-db", Attempt: 1, Outputs: map[string]any{"state": "ONLINE", "sessions_ended": int64(0)}},
		stepRec(engine.RecStepStarted, 41*m, "set-pool-state", 1),
		{Type: engine.RecStepProcess, Time: at(41 * m), Step: "set-pool-state", Attempt: 1, Process: ps},

		started(engine.RecRunResumed, 50*m, "carol", "dc2-admin01", 6363, pchatSteps...),
		{Type: engine.RecLockTakenOver, Time: at(50 * m), User: "carol", Holder: &journal.Holder{RunID: "20261126T031500Z-3f9a", User: "carol", Host: "dc2-admin01", PID: 6262}},
		{Type: engine.RecLeftoverKilled, Time: at(50*m + 1*s), Step: "set-pool-state", User: "carol", Attempt: 1, Process: ps},
		{Type: engine.RecRetryRequested, Time: at(50*m + 1*s), Step: "set-pool-state", User: "carol", Note: "Get-CsPersistentChatState still says Normal"},
		stepRec(engine.RecStepStarted, 50*m+2*s, "set-pool-state", 2),
		{Type: engine.RecStepSucceeded, Time: at(50*m + 40*s), Step: "set-pool-state", Attempt: 2, Outputs: map[string]any{
			"PoolState": "FailedOver", "count": int64(1),
			"command": "Set-CsPersistentChatState -Identity 'service:atl-cs-001.litwareinc.com' -PoolState FailedOver -Confirm:$false"}},
		finished(50*m+41*s, engine.RunSucceeded),
	}
	return fold(t, testHeader(), recs...)
}

package engine

// The journal record types the engine writes. Fold reads them back.
const (
	// RecRunStarted opens a run (Run: steps, parallelism, only, from).
	RecRunStarted = "run-started"
	// RecRunResumed marks a resume (Run, as run-started).
	RecRunResumed = "run-resumed"
	// RecPlanChanged records that a changed plan was resumed with --force.
	RecPlanChanged = "plan-changed"
	// RecLockTakenOver records that a dead process's lock was taken over.
	RecLockTakenOver = "lock-taken-over"
	// RecStepStarted is synced before an attempt's action runs.
	RecStepStarted = "step-started"
	// RecAttemptFailed records a failed attempt that will be retried.
	RecAttemptFailed = "attempt-failed"
	// RecStepSucceeded carries the step's outputs, secrets masked.
	RecStepSucceeded = "step-succeeded"
	// RecStepSatisfied: skip_if or the action's probe said the effect is
	// already there (Note says which; Outputs are the probe's).
	RecStepSatisfied = "step-satisfied"
	// RecStepCheckpoint is an action's checkpoint inside a step, synced
	// before the action moves on (Checkpoint).
	RecStepCheckpoint = "step-checkpoint"
	// RecStepProcess records a process tree an attempt started (Process),
	// synced right after it started: a resume looks for it.
	RecStepProcess = "step-process"
	// RecLeftoverKilled: resume --kill-leftovers ended a process tree an
	// earlier run of the step left running (Process).
	RecLeftoverKilled = "leftover-killed"
	// RecStepSkipped: when was false, or an upstream step failed (Note).
	RecStepSkipped = "step-skipped"
	// RecStepFailed: the last attempt failed (Error, Class).
	RecStepFailed = "step-failed"
	// RecStepInterrupted: the run was cancelled while the step ran; on
	// resume the step is in doubt.
	RecStepInterrupted = "step-interrupted"
	// RecStepWaiting: the step waits for an approval (exit 3).
	RecStepWaiting = "step-waiting"
	// RecStepApproved records who approved a step, when and how.
	RecStepApproved = "step-approved"
	// RecStepRefused records that an approval was refused.
	RecStepRefused = "step-refused"
	// RecMarkedDone: the operator said an in-doubt step took effect.
	RecMarkedDone = "step-marked-done"
	// RecRetryRequested: the operator asked to run an in-doubt step again.
	RecRetryRequested = "step-retry-requested"
	// RecRunInterrupted: the run was cancelled (Ctrl-C, SIGTERM).
	RecRunInterrupted = "run-interrupted"
	// RecRunFinished closes a run (End: state succeeded, failed or
	// waiting; the steps a targeted run left out).
	RecRunFinished = "run-finished"
)

// The values of a run-finished record's End.State.
const (
	RunSucceeded = "succeeded"
	RunFailed    = "failed"
	RunWaiting   = "waiting"
	// RunInterrupted is not a run-finished state: a run-interrupted
	// record says it; Fold and Summary use the word.
	RunInterrupted = "interrupted"
)

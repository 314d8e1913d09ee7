package actions

// Result is the outcome of one evaluation of a check.
type Result struct {
	// OK says the check passed.
	OK bool
	// Detail says what was seen, for people ("state is ONLINE, want
	// RESTORING"); secrets masked by the engine.
	Detail string
	// Outputs are measured values (latency samples, a row count), for
	// logs and plan --check.
	Outputs map[string]any
}

// Pass returns a passing Result with a detail.
func Pass(detail string) Result { return Result{OK: true, Detail: detail} }

// ProbeState is a probe's answer.
type ProbeState string

// The probe answers.
const (
	// ProbeDone: the effect holds; running the action would change
	// nothing. The step is satisfied without acting.
	ProbeDone ProbeState = "done"
	// ProbeNotDone: the effect does not hold, and running the action
	// (again) is safe: nothing of an earlier attempt is half there.
	ProbeNotDone ProbeState = "not-done"
	// ProbeUnknown: the probe cannot tell (a half-done effect, state it
	// cannot read); a non-idempotent in-doubt step then needs its skip_if
	// or the operator.
	ProbeUnknown ProbeState = "unknown"
)

// Probe is what a Prober found.
type Probe struct {
	State ProbeState
	// Detail says what was seen ("mgc is ONLINE, not in standby").
	Detail string
	// Outputs are the outputs a successful run would have returned, as
	// far as they can be told from the live state or the step's last
	// checkpoint; a satisfied step passes them to its dependents.
	Outputs map[string]any
}

// Change is what an inspection says a step would do now.
type Change string

// The inspection verdicts.
const (
	// ChangeNone: the step's effect already holds; a run would change
	// nothing.
	ChangeNone Change = "none"
	// ChangeSome: a run would change something (Summary says what).
	ChangeSome Change = "change"
	// ChangeUnknown: it cannot be told before the run (it depends on an
	// earlier step's effect).
	ChangeUnknown Change = "unknown"
)

// Inspection is a read-only look at live state: what the step would do
// if it ran now (plan --check).
type Inspection struct {
	Change Change
	// Summary is one line for people ("would apply 12 log backups, up
	// to LSN 1903…").
	Summary string
	// Details are further lines (each file that would be applied or
	// skipped, and why).
	Details []string
	// Data is the same, structured, for --format json.
	Data map[string]any
	// Outputs are the outputs a run would return, as far as they can be
	// told now; later steps' inspections resolve references to them.
	Outputs map[string]any
}

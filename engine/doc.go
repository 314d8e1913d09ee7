// Package engine runs a loaded plan: a ready queue and a bounded worker
// pool schedule the steps of the plan's graph, and every step goes through
// the lifecycle of DESIGN.md:
//
//	needs done → when → skip_if → require (wait: poll)
//	  → journal "started, attempt n" (synced) → run with the attempt timeout
//	  → verify → journal the outcome with outputs
//
// The journal (engine/journal) is written intent before effect and outcome
// before dependents: a step's start record is synced before its action
// runs, and because one fsync covers every record appended before it, the
// start record of a dependent also carries its dependencies' outcomes to
// disk (group commit: one synced record per step).
//
// Journals and locks are reached through a store.Backend (Config.State):
// a state dir by default, or an etcd cluster that every admin host sees
// (engine/store/etcdstore), where appends are fenced by the lock's lease.
//
// Resume folds a run's journal into step states (Fold): succeeded and
// satisfied steps never run again; a step started without an outcome is in
// doubt and is re-run only when its action is idempotent, skipped when its
// skip_if says done, and otherwise left to the operator (--retry or
// --mark-done), which is journaled with who, when and a note.
//
// The engine knows nothing of SQL, files or PowerShell: it sees actions
// through actions.Registry and resolves run-time references through its own
// plans.Resolver. Secret values are resolved once per run, masked by
// Redact in every log line, error, output and journal record the engine
// writes, and never journaled.
package engine

// Package plans turns plan files into a checked, typed Plan: YAML decoded
// through yaml.Node with positions, extends, vars, secrets, ${…}
// references and diagnostics. It knows action types only through the
// actions.Registry it is given.
package plans

import (
	"sync/atomic"
	"time"
)

// Pos is a position in a plan file. Line and Col count from 1.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"column"`
}

// Plan is a loaded, validated plan. vars and ${plan.name} are already
// substituted; references known only at run time (${secrets.X},
// ${env.X}, ${run.id}, ${steps.ID.outputs.KEY}) remain in Values.
type Plan struct {
	// File is the path the plan was loaded from.
	File        string
	Version     int
	Name        string
	Description string
	// Vars are the final variable values after --vars-file and --var.
	Vars map[string]any
	// Secrets are the declared secrets by name.
	Secrets map[string]*Secret
	// Targets by name.
	Targets map[string]*Target
	// Defaults apply to every step that does not set its own.
	Defaults Defaults
	// Deadline bounds the whole run (0: none).
	Deadline time.Duration
	// RTO is the recovery time objective of the whole run: a budget the
	// report measures the run against (0: none). It changes nothing a
	// run does, so the plan's hash leaves it out.
	RTO       time.Duration
	Preflight []*Check
	// Steps in file order (base plans' steps first).
	Steps []*Step
	// Hash is the hex SHA-256 of the plan's canonical content after vars,
	// secret values excluded: the identity a journal is tied to.
	Hash string
	// Graph is the dependency graph of Steps.
	Graph *Graph

	// index finds a step by id for Step: built at load, and again when
	// Steps is not the slice it was built for (a Plan built or changed
	// by hand, as tests do). Step may be called from several goroutines.
	index atomic.Pointer[stepIndex]
}

// stepIndex maps each id to the position of its first step in steps.
type stepIndex struct {
	steps []*Step // the slice indexed (its array and length)
	byID  map[string]int
}

func newStepIndex(steps []*Step) *stepIndex {
	ix := &stepIndex{steps: steps, byID: make(map[string]int, len(steps))}
	for i, s := range steps {
		if _, dup := ix.byID[s.ID]; !dup {
			ix.byID[s.ID] = i
		}
	}
	return ix
}

// covers reports whether the index was built for steps: the same array
// and length (an append or a new slice is seen; a step put in place of
// another is seen when its position is looked up).
func (ix *stepIndex) covers(steps []*Step) bool {
	return ix != nil && len(ix.steps) == len(steps) && (len(steps) == 0 || &ix.steps[0] == &steps[0])
}

// Step returns the first step with the given id, or nil, in constant
// time: plan, resume and status look up every step.
func (p *Plan) Step(id string) *Step {
	ix := p.index.Load()
	if !ix.covers(p.Steps) {
		ix = newStepIndex(p.Steps)
		p.index.Store(ix)
	}
	i, ok := ix.byID[id]
	if ok && p.Steps[i].ID != id { // changed in place since: index again
		ix = newStepIndex(p.Steps)
		p.index.Store(ix)
		i, ok = ix.byID[id]
	}
	if !ok {
		return nil
	}
	return p.Steps[i]
}

// Secret is a declared secret: where its value comes from at run time.
type Secret struct {
	Name string
	Env  string // the environment variable holding it, or ""
	File string // the file holding it (absolute, or relative to the plan), or ""
	Pos  Pos
}

// Target is a named endpoint; Fields may reference secrets.
type Target struct {
	Name   string
	Type   string
	Fields map[string]*Value
	Pos    Pos
}

// Defaults are plan-wide step settings.
type Defaults struct {
	Timeout time.Duration
	Retry   Retry
}

// Retry is a step's retry policy. Attempts counts every attempt, the
// first included (1: no retry).
type Retry struct {
	Attempts int
	Delay    time.Duration
	Backoff  float64
	MaxDelay time.Duration
	// On is "retryable" (default: only errors the action marked
	// retryable, and attempt timeouts) or "any".
	On string
}

// Step is one step of a plan.
type Step struct {
	ID          string
	Action      string
	Target      string
	Description string
	// With is the action's params: a Value of kind KindMap (never nil).
	With *Value
	// Needs are the explicit dependencies, as written.
	Needs []Need
	// Deps are all dependencies, explicit and implied by
	// ${steps.ID.outputs.KEY} references, sorted, without duplicates.
	Deps    []string
	When    []*Check
	SkipIf  []*Check
	Require []*Check
	Verify  []*Check
	// Retry and Timeout are the effective values (step over defaults).
	Retry             Retry
	Timeout           time.Duration
	ContinueOnFailure bool
	// Idempotent is declared by the plan (for exec.run and the like);
	// the type's own Idempotent flag counts too.
	Idempotent bool
	// RTO is the step's time budget, from its first attempt to its
	// outcome, that the report measures it against (0: none). Left out of
	// the step's hash, as the plan's.
	RTO time.Duration
	// Hash is the hex SHA-256 of the step's canonical content, for
	// showing which steps changed between a journal and a plan.
	Hash string
	Pos  Pos
}

// Need is one entry of a step's needs list.
type Need struct {
	ID  string
	Pos Pos
}

// Check is one check entry (in preflight, when, skip_if, require, verify).
type Check struct {
	Type   string
	Target string
	With   *Value
	// Wait (require only): poll the check until it passes or Wait runs
	// out, every Interval.
	Wait     time.Duration
	Interval time.Duration
	Pos      Pos
}

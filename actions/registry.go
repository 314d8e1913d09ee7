// Package actions holds the registry of action, check and target types.
//
// Every family lives in its own sub-package (actions/exec, actions/fs, …)
// and exposes a Register(*Registry) function; actions/builtin fills one
// registry with all of them, explicitly, in one file. The engine and the
// plan loader only see this package: they never link a family, so their
// tests never link a database driver.
package actions

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Kind says whether a type is an action (a step) or a check.
type Kind string

// The kinds of type.
const (
	KindAction Kind = "action"
	KindCheck  Kind = "check"
)

// Output declares one output key of an action type.
type Output struct {
	Name string
	Doc  string
}

// Type describes one registered action or check type. Build it with
// Define, which binds the implementation's abilities.
type Type struct {
	// Name is the plan-facing name, e.g. "exec.run".
	Name string
	// Kind is KindAction or KindCheck.
	Kind Kind
	// Doc is a one-paragraph reference text.
	Doc string
	// Params is a zero value of the params struct (not a pointer), set by
	// Define. Its fields carry `param:"name,opt,…"` and `doc:"…"` tags;
	// see ParamSpec.
	Params any
	// Targets lists the target types this type accepts. Empty: the type
	// takes no target.
	Targets []string
	// TargetOptional allows a step of this type to omit its target even
	// though Targets is not empty.
	TargetOptional bool
	// Outputs are the keys a successful run returns.
	Outputs []Output
	// OpenOutputs says the type returns keys beyond Outputs (for example
	// the named columns of a query); any ${steps.ID.outputs.KEY} is valid.
	OpenOutputs bool
	// Idempotent says running the type twice has the effect of running it
	// once: an in-doubt step of this type is simply run again on resume.
	Idempotent bool
	// WaitsForOperator says the type waits for a person (approval): the
	// plan's defaults of timeout and retry, meant for actions, do not
	// apply to its steps; the run's deadline still does, and a step may
	// set its own.
	WaitsForOperator bool
	// impl holds the abilities Define found.
	impl abilities
}

// Approver asks a human to approve a step.
type Approver interface {
	// Approve blocks until the step is approved or refused, or ctx ends.
	// prompt describes the step and what follows it.
	Approve(ctx context.Context, stepID, prompt string) (Approval, error)
}

// Approval records who approved a step, when and how.
type Approval struct {
	Approved bool
	By       string
	At       time.Time
	How      string // "terminal", "--approve", "--auto-approve"
}

// TargetType describes a kind of target (sqlserver, powershell, host).
// Build it with DefineTarget.
type TargetType struct {
	Name string
	Doc  string
	// Params is a zero value of the struct describing the target's fields;
	// fields tagged `param:",secret"` may hold ${secrets.X}.
	Params any
	// validate, warn and open are the abilities DefineTarget (and
	// AttachOpener) found.
	validate func(params any) error
	warn     func(params any) []string
	open     func(ctx context.Context, env *OpenEnv, params any) (Handle, error)
}

// Registry maps type names to types. It is filled once, before use, and
// read concurrently afterwards.
type Registry struct {
	types   map[string]*Type
	targets map[string]*TargetType
	specs   map[string][]ParamSpec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		types:   map[string]*Type{},
		targets: map[string]*TargetType{},
		specs:   map[string][]ParamSpec{},
	}
}

// Register adds an action or check type. It panics on a programming error
// (duplicate name, missing implementation, bad tags): registration happens
// at start-up from code, never from user input.
func (r *Registry) Register(t *Type) {
	if _, dup := r.types[t.Name]; dup {
		panic(fmt.Sprintf("actions: type %q registered twice", t.Name))
	}
	switch {
	case t.Kind == KindAction && !t.Can(AbilityRun):
		panic(fmt.Sprintf("actions: action %q has no Run (build it with Define)", t.Name))
	case t.Kind == KindCheck && !t.Can(AbilityCheck):
		panic(fmt.Sprintf("actions: check %q has no Check (build it with Define)", t.Name))
	case t.Kind != KindAction && t.Kind != KindCheck:
		panic(fmt.Sprintf("actions: type %q has kind %q", t.Name, t.Kind))
	}
	specs, err := Specs(t.Params)
	if err != nil {
		panic(fmt.Sprintf("actions: type %q: %v", t.Name, err))
	}
	r.types[t.Name] = t
	r.specs["type:"+t.Name] = specs
}

// RegisterTarget adds a target type.
func (r *Registry) RegisterTarget(t *TargetType) {
	if _, dup := r.targets[t.Name]; dup {
		panic(fmt.Sprintf("actions: target type %q registered twice", t.Name))
	}
	specs, err := Specs(t.Params)
	if err != nil {
		panic(fmt.Sprintf("actions: target type %q: %v", t.Name, err))
	}
	r.targets[t.Name] = t
	r.specs["target:"+t.Name] = specs
}

// Type returns the named type, or nil.
func (r *Registry) Type(name string) *Type { return r.types[name] }

// TargetType returns the named target type, or nil.
func (r *Registry) TargetType(name string) *TargetType { return r.targets[name] }

// ParamSpecs returns the params of an action or check type, in field order.
func (r *Registry) ParamSpecs(typeName string) []ParamSpec { return r.specs["type:"+typeName] }

// TargetSpecs returns the fields of a target type, in field order.
func (r *Registry) TargetSpecs(targetType string) []ParamSpec {
	return r.specs["target:"+targetType]
}

// Types returns every type of the given kind ("" for all), sorted by name.
func (r *Registry) Types(kind Kind) []*Type {
	var out []*Type
	for _, t := range r.types {
		if kind == "" || t.Kind == kind {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// TargetTypes returns every target type, sorted by name.
func (r *Registry) TargetTypes() []*TargetType {
	var out []*TargetType
	for _, t := range r.targets {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns the names of every type of the given kind, sorted; the
// loader uses it for did-you-mean suggestions.
func (r *Registry) Names(kind Kind) []string {
	var out []string
	for _, t := range r.Types(kind) {
		out = append(out, t.Name)
	}
	return out
}

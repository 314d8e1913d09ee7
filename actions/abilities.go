package actions

import (
	"context"
	"errors"
	"fmt"
	"reflect"
)

// The abilities an action or check type may have. Each is a one-method
// interface over the type's own params struct P, so an implementation
// receives its params typed (*P) and never asserts them. Define finds
// which of them an implementation has, once, when the type is registered;
// the engine then asks the type (Type.Can) rather than the implementation.
//
// Every ability is optional except the one the kind needs: an action must
// be a Runner, a check a Checker.

// Runner performs one attempt of an action. Retries belong to the engine:
// Run does one attempt and marks errors that will never succeed with
// MarkPermanent (and those worth another attempt with MarkRetryable).
type Runner[P any] interface {
	Run(ctx context.Context, env *Env, p *P) (map[string]any, error)
}

// Checker evaluates a check once. A check that cannot be evaluated (the
// server is unreachable) returns an error; one that can and fails returns
// Result.OK false with a Detail saying what was seen.
type Checker[P any] interface {
	Check(ctx context.Context, env *Env, p *P) (Result, error)
}

// Prober tells, without changing anything, whether an action's effect
// already holds. The engine asks it before the first attempt of a step in
// a run (a step whose effect holds is "satisfied" without acting) and
// when a resumed run finds the step in doubt.
type Prober[P any] interface {
	Probe(ctx context.Context, env *Env, p *P) (Probe, error)
}

// Inspector reads live state, read-only, and says what the step would do
// now: `failover plan --check`. It must change nothing.
type Inspector[P any] interface {
	Inspect(ctx context.Context, env *Env, p *P) (Inspection, error)
}

// Previewer renders, without connecting anywhere, the exact text one run
// would send (the command line, the T-SQL, the PowerShell): `failover
// plan`. Values known only at run time appear as their references and
// secrets as (secret). It may fail, for example on params it cannot
// render.
type Previewer[P any] interface {
	Preview(env *Env, p *P) (string, error)
}

// Validator checks decoded params beyond their types (cross-field rules).
// It runs once when the plan is loaded, for params whose values are all
// known then, and once at run time for params that held run-time
// references (secrets, environment variables, step outputs).
type Validator[P any] interface {
	Validate(p *P) error
}

// Warner names settings that are valid but risky (a target that turns
// TLS off): the plan loader reports each as a warning at the target. It
// sees the fields known when the plan is loaded; a field that holds a
// run-time reference is left at its zero value, so Warnings must only
// speak of fields that are set.
type Warner[P any] interface {
	Warnings(p *P) []string
}

// Opener opens what the steps and checks of one target share for a whole
// run (a *sql.DB, a PowerShell runner). The engine opens it on first use
// and closes the Handle when the run ends, on every path.
type Opener[P any] interface {
	Open(ctx context.Context, env *OpenEnv, p *P) (Handle, error)
}

// Handle is what an Opener returns: the target's shared state for a run.
type Handle interface {
	Close() error
}

// Ability names one ability, for Type.Can and the reference docs.
type Ability string

// The abilities.
const (
	AbilityRun      Ability = "run"
	AbilityCheck    Ability = "check"
	AbilityProbe    Ability = "probe"
	AbilityInspect  Ability = "inspect"
	AbilityPreview  Ability = "preview"
	AbilityValidate Ability = "validate"
)

// ErrNotSupported is returned when a type is asked for an ability it does
// not have.
var ErrNotSupported = errors.New("not supported by this type")

// abilities are a type's abilities with the params erased: each asserts
// the params to *P in one place.
type abilities struct {
	run      func(context.Context, *Env, any) (map[string]any, error)
	check    func(context.Context, *Env, any) (Result, error)
	probe    func(context.Context, *Env, any) (Probe, error)
	inspect  func(context.Context, *Env, any) (Inspection, error)
	preview  func(*Env, any) (string, error)
	validate func(any) error
}

// None is the params struct of a type that takes no parameters.
type None struct{}

// Define returns the type t implemented by impl, with Params set to the
// zero P. impl's abilities are found here, once: the engine asks the type.
// It panics when impl has none of the abilities t's kind needs, a
// programming error found at start-up.
func Define[P any](t Type, impl any) *Type {
	var zero P
	t.Params = zero
	t.impl = bindAbilities[P](impl)
	switch {
	case t.Kind == KindAction && t.impl.run == nil:
		panic(fmt.Sprintf("actions: action %q: %T is not a Runner of %T", t.Name, impl, &zero))
	case t.Kind == KindCheck && t.impl.check == nil:
		panic(fmt.Sprintf("actions: check %q: %T is not a Checker of %T", t.Name, impl, &zero))
	}
	return &t
}

func bindAbilities[P any](impl any) abilities {
	var a abilities
	if x, ok := impl.(Runner[P]); ok {
		a.run = func(ctx context.Context, env *Env, p any) (map[string]any, error) { return x.Run(ctx, env, p.(*P)) }
	}
	if x, ok := impl.(Checker[P]); ok {
		a.check = func(ctx context.Context, env *Env, p any) (Result, error) { return x.Check(ctx, env, p.(*P)) }
	}
	if x, ok := impl.(Prober[P]); ok {
		a.probe = func(ctx context.Context, env *Env, p any) (Probe, error) { return x.Probe(ctx, env, p.(*P)) }
	}
	if x, ok := impl.(Inspector[P]); ok {
		a.inspect = func(ctx context.Context, env *Env, p any) (Inspection, error) { return x.Inspect(ctx, env, p.(*P)) }
	}
	if x, ok := impl.(Previewer[P]); ok {
		a.preview = func(env *Env, p any) (string, error) { return x.Preview(env, p.(*P)) }
	}
	if x, ok := impl.(Validator[P]); ok {
		a.validate = func(p any) error { return x.Validate(p.(*P)) }
	}
	return a
}

// DefineTarget returns the target type t whose fields are P, with impl's
// Validator, Warner and Opener (all optional).
func DefineTarget[P any](t TargetType, impl any) *TargetType {
	var zero P
	t.Params = zero
	if x, ok := impl.(Validator[P]); ok {
		t.validate = func(p any) error { return x.Validate(p.(*P)) }
	}
	if x, ok := impl.(Warner[P]); ok {
		t.warn = func(p any) []string { return x.Warnings(p.(*P)) }
	}
	if x, ok := impl.(Opener[P]); ok {
		t.open = func(ctx context.Context, env *OpenEnv, p any) (Handle, error) { return x.Open(ctx, env, p.(*P)) }
	}
	return &t
}

// AttachOpener gives the registered target type name the opener o. The
// family that owns the connection registers it (only actions/sqlserver
// links the SQL driver), while actions/targets keeps the fields. It
// panics on a programming error: an unknown type, fields that are not P,
// or an opener already attached.
func AttachOpener[P any](r *Registry, name string, o Opener[P]) {
	tt := r.targets[name]
	var zero P
	switch {
	case tt == nil:
		panic(fmt.Sprintf("actions: attach opener: no target type %q", name))
	case reflect.TypeOf(tt.Params) != reflect.TypeOf(zero):
		panic(fmt.Sprintf("actions: attach opener to %q: fields are %T, opener takes %T", name, tt.Params, &zero))
	case tt.open != nil:
		panic(fmt.Sprintf("actions: target type %q has an opener already", name))
	}
	tt.open = func(ctx context.Context, env *OpenEnv, p any) (Handle, error) { return o.Open(ctx, env, p.(*P)) }
}

// Can reports whether the type has ability a.
func (t *Type) Can(a Ability) bool {
	switch a {
	case AbilityRun:
		return t.impl.run != nil
	case AbilityCheck:
		return t.impl.check != nil
	case AbilityProbe:
		return t.impl.probe != nil
	case AbilityInspect:
		return t.impl.inspect != nil
	case AbilityPreview:
		return t.impl.preview != nil
	case AbilityValidate:
		return t.impl.validate != nil
	}
	return false
}

// Abilities lists the abilities the type has, in a fixed order.
func (t *Type) Abilities() []Ability {
	var out []Ability
	for _, a := range []Ability{AbilityRun, AbilityCheck, AbilityProbe, AbilityInspect, AbilityPreview, AbilityValidate} {
		if t.Can(a) {
			out = append(out, a)
		}
	}
	return out
}

// Decode builds the type's params from plain values (see Decode).
func (t *Type) Decode(values map[string]any) (any, error) {
	return Decode(t.Params, values)
}

// Run performs one attempt; params come from t.Decode.
func (t *Type) Run(ctx context.Context, env *Env, params any) (map[string]any, error) {
	if t.impl.run == nil {
		return nil, fmt.Errorf("%s: run: %w", t.Name, ErrNotSupported)
	}
	return t.impl.run(ctx, env, params)
}

// Check evaluates a check once; params come from t.Decode.
func (t *Type) Check(ctx context.Context, env *Env, params any) (Result, error) {
	if t.impl.check == nil {
		return Result{}, fmt.Errorf("%s: check: %w", t.Name, ErrNotSupported)
	}
	return t.impl.check(ctx, env, params)
}

// Probe tells whether the action's effect already holds.
func (t *Type) Probe(ctx context.Context, env *Env, params any) (Probe, error) {
	if t.impl.probe == nil {
		return Probe{}, fmt.Errorf("%s: probe: %w", t.Name, ErrNotSupported)
	}
	return t.impl.probe(ctx, env, params)
}

// Inspect reads live state, read-only.
func (t *Type) Inspect(ctx context.Context, env *Env, params any) (Inspection, error) {
	if t.impl.inspect == nil {
		return Inspection{}, fmt.Errorf("%s: inspect: %w", t.Name, ErrNotSupported)
	}
	return t.impl.inspect(ctx, env, params)
}

// Preview renders what one run would send.
func (t *Type) Preview(env *Env, params any) (string, error) {
	if t.impl.preview == nil {
		return "", fmt.Errorf("%s: preview: %w", t.Name, ErrNotSupported)
	}
	return t.impl.preview(env, params)
}

// Validate checks decoded params beyond their types; a type without a
// Validator accepts everything its params' types allow.
func (t *Type) Validate(params any) error {
	if t.impl.validate == nil {
		return nil
	}
	return t.impl.validate(params)
}

// Validate checks a target's decoded fields beyond their types.
func (t *TargetType) Validate(params any) error {
	if t.validate == nil {
		return nil
	}
	return t.validate(params)
}

// Warnings names the risky settings among a target's decoded fields
// (nil for a type without a Warner).
func (t *TargetType) Warnings(params any) []string {
	if t.warn == nil {
		return nil
	}
	return t.warn(params)
}

// CanOpen reports whether the target type opens something for a run.
func (t *TargetType) CanOpen() bool { return t.open != nil }

// Open opens the target's shared state for a run.
func (t *TargetType) Open(ctx context.Context, env *OpenEnv, params any) (Handle, error) {
	if t.open == nil {
		return nil, fmt.Errorf("target type %s: open: %w", t.Name, ErrNotSupported)
	}
	return t.open(ctx, env, params)
}

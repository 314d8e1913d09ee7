package engine

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/go-multierror"

	"github.com/failover-dev/failover/plans"
)

// mask replaces every secret value in logs, errors, outputs and the journal.
const mask = "***"

// resolver implements plans.Resolver for one run. Secrets and environment
// variables are read once, when the run starts; outputs come from steps
// that ran in this run or, on resume, from the journal.
type resolver struct {
	runID   string
	secrets map[string]string
	env     map[string]string
	outputs *outputStore
}

// outputStore holds step outputs; workers write it concurrently.
type outputStore struct {
	mu sync.RWMutex // guards m
	m  map[string]map[string]any
}

func newOutputStore() *outputStore {
	return &outputStore{m: map[string]map[string]any{}}
}

func (o *outputStore) set(step string, out map[string]any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.m[step] = out
}

func (o *outputStore) get(step string) (map[string]any, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out, ok := o.m[step]
	return out, ok
}

// Lookup returns the value of a run-time reference.
func (r *resolver) Lookup(ref *plans.Ref) (any, error) {
	name := strings.Join(ref.Path, ".")
	switch ref.Scope {
	case "secrets":
		if v, ok := r.secrets[name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("secret %q was not resolved", name)
	case "env":
		if v, ok := r.env[name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("environment variable %s is not set", name)
	case "run":
		if name == "id" {
			return r.runID, nil
		}
	case "steps":
		return r.stepOutput(ref)
	}
	return nil, fmt.Errorf("unknown reference %s", ref)
}

func (r *resolver) stepOutput(ref *plans.Ref) (any, error) {
	if len(ref.Path) != 3 || ref.Path[1] != "outputs" {
		return nil, fmt.Errorf("unknown reference %s", ref)
	}
	out, ok := r.outputs.get(ref.Path[0])
	if !ok {
		return nil, fmt.Errorf("%s: step %s has produced no outputs (it did not run in this run)", ref, ref.Path[0])
	}
	v, ok := out[ref.Path[2]]
	if !ok {
		return nil, fmt.Errorf("%s: step %s has no output %q", ref, ref.Path[0], ref.Path[2])
	}
	return v, nil
}

// ownOutputs resolves a step's references to its own outputs from the
// attempt being verified, and everything else as the run does.
type ownOutputs struct {
	plans.Resolver
	step string
	out  map[string]any
}

// Lookup implements plans.Resolver.
func (o *ownOutputs) Lookup(ref *plans.Ref) (any, error) {
	if ref.Scope != "steps" || len(ref.Path) != 3 || ref.Path[0] != o.step || ref.Path[1] != "outputs" {
		return o.Resolver.Lookup(ref)
	}
	v, ok := o.out[ref.Path[2]]
	if !ok {
		return nil, fmt.Errorf("%s: step %s has no output %q", ref, o.step, ref.Path[2])
	}
	return v, nil
}

// newResolver reads every secret and environment variable the plan
// references, all at once, so that a missing one stops the run before
// anything ran, with every missing one listed.
func newResolver(cfg Config, runID string) (*resolver, error) {
	r := &resolver{runID: runID, secrets: map[string]string{}, env: map[string]string{}, outputs: newOutputStore()}
	var errs *multierror.Error
	seen := map[string]bool{}
	for _, ref := range planRefs(cfg.Plan) {
		name := strings.Join(ref.Path, ".")
		// Each secret and variable is read, and reported missing, once.
		if seen[ref.Scope+"."+name] {
			continue
		}
		seen[ref.Scope+"."+name] = true
		switch ref.Scope {
		case "secrets":
			v, err := readSecret(cfg, name)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", secretPos(cfg.Plan, name, ref.Pos), err))
				continue
			}
			r.secrets[name] = v
		case "env":
			v, ok := cfg.LookupEnv(name)
			if !ok {
				errs = multierror.Append(errs, fmt.Errorf("%s: environment variable %s is not set", posString(ref.Pos), name))
				continue
			}
			r.env[name] = v
		}
	}
	if errs != nil {
		errs.ErrorFormat = listErrors
	}
	return r, errs.ErrorOrNil()
}

// listErrors renders one error a line, indented under the message that
// wraps them.
func listErrors(es []error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d missing, nothing ran:", len(es))
	for _, e := range es {
		b.WriteString("\n  " + e.Error())
	}
	return b.String()
}

// secretPos is where the operator fixes a missing secret: its
// declaration, else the reference that uses it.
func secretPos(p *plans.Plan, name string, use plans.Pos) string {
	if s := p.Secrets[name]; s != nil && s.Pos.Line > 0 {
		return posString(s.Pos)
	}
	return posString(use)
}

// posString renders a position as file:line:col, leaving out what is
// unknown.
func posString(p plans.Pos) string {
	out := p.File
	if out == "" {
		out = "plan"
	}
	if p.Line > 0 {
		out += ":" + strconv.Itoa(p.Line)
		if p.Col > 0 {
			out += ":" + strconv.Itoa(p.Col)
		}
	}
	return out
}

// readSecret reads one declared secret from its environment variable or file.
func readSecret(cfg Config, name string) (string, error) {
	s := cfg.Plan.Secrets[name]
	switch {
	case s == nil:
		return "", fmt.Errorf("secret %q is not declared", name)
	case s.Env != "":
		v, ok := cfg.LookupEnv(s.Env)
		if !ok || v == "" {
			return "", fmt.Errorf("secret %s: environment variable %s is not set", name, s.Env)
		}
		return v, nil
	case s.File != "":
		path := s.File
		if !filepath.IsAbs(path) && cfg.Plan.File != "" {
			path = filepath.Join(filepath.Dir(cfg.Plan.File), path)
		}
		b, err := cfg.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("secret %s: read %s: %w", name, path, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("secret %s: file %s is empty", name, path)
		}
		return v, nil
	}
	return "", fmt.Errorf("secret %s has neither env nor file", name)
}

// planRefs returns every run-time reference of a plan: targets, steps and
// all their checks, preflight included.
func planRefs(p *plans.Plan) []*plans.Ref {
	var out []*plans.Ref
	names := make([]string, 0, len(p.Targets))
	for n := range p.Targets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := p.Targets[n]
		keys := make([]string, 0, len(t.Fields))
		for k := range t.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, t.Fields[k].Refs()...)
		}
	}
	out = append(out, checkRefs(p.Preflight)...)
	for _, s := range p.Steps {
		out = append(out, s.With.Refs()...)
		for _, cs := range [][]*plans.Check{s.When, s.SkipIf, s.Require, s.Verify} {
			out = append(out, checkRefs(cs)...)
		}
	}
	return out
}

func checkRefs(cs []*plans.Check) []*plans.Ref {
	var out []*plans.Ref
	for _, c := range cs {
		out = append(out, c.With.Refs()...)
	}
	return out
}

// shortSecret is the length under which a secret is masked only where it
// stands alone: masking every "a" of every line would garble the log and
// tell which letter the secret is.
const shortSecret = 4

// redactor masks secret values: every occurrence of a secret of
// shortSecret characters or more, and a shorter one only as a whole word
// (not next to a letter, digit or underscore).
type redactor struct {
	r     *strings.Replacer
	short []string
}

func newRedactor(secrets map[string]string) *redactor {
	vals := make([]string, 0, len(secrets))
	var short []string
	for _, v := range secrets {
		switch {
		case v == "":
		case utf8.RuneCountInString(v) < shortSecret:
			short = append(short, v)
		default:
			vals = append(vals, v)
		}
	}
	// Longest first, so a secret that contains another is masked whole.
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, mask)
	}
	sort.Strings(short)
	return &redactor{r: strings.NewReplacer(pairs...), short: short}
}

// shortSecrets names the secrets masked only as whole words, for the
// warning at the start of a run.
func shortSecrets(secrets map[string]string) []string {
	var names []string
	for name, v := range secrets {
		if v != "" && utf8.RuneCountInString(v) < shortSecret {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Redact masks every secret value in s.
func (rd *redactor) Redact(s string) string {
	s = rd.r.Replace(s)
	for _, v := range rd.short {
		s = maskWord(s, v)
	}
	return s
}

// maskWord masks the occurrences of v in s that stand alone.
func maskWord(s, v string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, v)
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		end := i + len(v)
		alone := !wordRuneBefore(s[:i]) && !wordRuneAfter(s[end:])
		b.WriteString(s[:i])
		if alone {
			b.WriteString(mask)
		} else {
			b.WriteString(v)
		}
		s = s[end:]
	}
}

func wordRuneBefore(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && isWordRune(r)
}

func wordRuneAfter(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && isWordRune(r)
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// value masks every secret inside a plain value (strings, lists, maps).
func (rd *redactor) value(v any) any {
	switch x := v.(type) {
	case string:
		return rd.Redact(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rd.value(e)
		}
		return out
	case map[string]any:
		return rd.outputs(x)
	case []string:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = rd.Redact(e)
		}
		return out
	case map[string]string:
		out := make(map[string]string, len(x))
		for k, e := range x {
			out[k] = rd.Redact(e)
		}
		return out
	}
	return v
}

func (rd *redactor) outputs(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = rd.value(v)
	}
	return out
}

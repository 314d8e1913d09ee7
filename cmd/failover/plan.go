package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/plans"
)

func newPlanCmd(a *app) *cobra.Command {
	var format string
	var check bool
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Show what apply would do: every step in order, resolved, secrets masked",
		Long: "plan is a dry run: it prints every step in execution order (topological levels) with its\n" +
			"action, target, resolved parameters (secrets shown as (secret)), needs, retry, timeout,\n" +
			"checks and, where the action can tell, the exact command, T-SQL or paths it would use.\n" +
			"It connects to nothing and needs no secret.\n\n" +
			"With --check it also reads live state, read-only: it resolves the secrets, connects to the\n" +
			"targets and, step by step, evaluates the checks once and asks each action what it would do\n" +
			"now (already done, what it would change). It never runs an action, takes no lock and writes\n" +
			"no journal. Exit 1 when a preflight check fails or something could not be read.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want text or json", format))
			}
			p, err := a.loadPlan(args[0], &vf)
			if err != nil {
				return err
			}
			if check {
				return a.planCheck(cmd.Context(), p, format)
			}
			view := newPlanView(p, a.registry)
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(view)
			}
			view.writeText(a.stdout)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&check, "check", false, "also read live state, read-only, and show what each step would change")
	vf.add(cmd)
	return cmd
}

// planView is what `failover plan` shows; its JSON form is stable.
type planView struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	File        string       `json:"file"`
	Hash        string       `json:"hash"`
	Deadline    string       `json:"deadline,omitempty"`
	Targets     []targetView `json:"targets"`
	Preflight   []checkView  `json:"preflight"`
	Levels      [][]string   `json:"levels"`
	Steps       []stepView   `json:"steps"`
}

// targetView is a target with its fields as written, vars substituted,
// secrets masked.
type targetView struct {
	Name   string         `json:"name"`
	Type   string         `json:"type"`
	Fields map[string]any `json:"fields"`
}

type stepView struct {
	ID                string         `json:"id"`
	Level             int            `json:"level"`
	Action            string         `json:"action"`
	Target            string         `json:"target,omitempty"`
	Description       string         `json:"description,omitempty"`
	With              map[string]any `json:"with"`
	Needs             []string       `json:"needs"`
	Retry             retryView      `json:"retry"`
	Timeout           string         `json:"timeout,omitempty"`
	ContinueOnFailure bool           `json:"continue_on_failure,omitempty"`
	Idempotent        bool           `json:"idempotent"`
	When              []checkView    `json:"when,omitempty"`
	SkipIf            []checkView    `json:"skip_if,omitempty"`
	Require           []checkView    `json:"require,omitempty"`
	Verify            []checkView    `json:"verify,omitempty"`
	Preview           string         `json:"preview,omitempty"`
	// PreviewError says why an action that can preview did not.
	PreviewError string `json:"preview_error,omitempty"`
	// RunTime lists the ${…} values filled in only at run time.
	RunTime []string `json:"run_time_values,omitempty"`
}

type retryView struct {
	Attempts int     `json:"attempts"`
	Delay    string  `json:"delay"`
	Backoff  float64 `json:"backoff"`
	MaxDelay string  `json:"max_delay"`
	On       string  `json:"on"`
}

type checkView struct {
	Check    string         `json:"check"`
	Target   string         `json:"target,omitempty"`
	With     map[string]any `json:"with"`
	Wait     string         `json:"wait,omitempty"`
	Interval string         `json:"interval,omitempty"`
}

func newPlanView(p *plans.Plan, reg *actions.Registry) *planView {
	v := &planView{Name: p.Name, Description: p.Description, File: p.File, Hash: p.Hash,
		Preflight: checkViews(p.Preflight), Levels: p.Graph.Levels}
	if v.Preflight == nil {
		v.Preflight = []checkView{}
	}
	v.Targets = []targetView{}
	for _, name := range sortedKeys(p.Targets) {
		t := p.Targets[name]
		tv := targetView{Name: name, Type: t.Type, Fields: map[string]any{}}
		for k, f := range t.Fields {
			tv.Fields[k] = f.Display()
		}
		v.Targets = append(v.Targets, tv)
	}
	if p.Deadline > 0 {
		v.Deadline = p.Deadline.String()
	}
	previews := engine.Previews(p, reg)
	for level, ids := range p.Graph.Levels {
		for _, id := range ids {
			v.Steps = append(v.Steps, newStepView(p, p.Step(id), level, previews[id]))
		}
	}
	return v
}

func newStepView(p *plans.Plan, s *plans.Step, level int, pv engine.Preview) stepView {
	sv := stepView{ID: s.ID, Level: level, Action: s.Action, Target: s.Target, Description: s.Description,
		With: displayMap(s.With), Needs: p.Graph.Deps[s.ID], ContinueOnFailure: s.ContinueOnFailure,
		Idempotent: s.Idempotent, // the loader made it the effective value (the type's too)
		Retry: retryView{Attempts: s.Retry.Attempts, Delay: s.Retry.Delay.String(), Backoff: s.Retry.Backoff,
			MaxDelay: s.Retry.MaxDelay.String(), On: s.Retry.On},
		When: checkViews(s.When), SkipIf: checkViews(s.SkipIf), Require: checkViews(s.Require), Verify: checkViews(s.Verify)}
	if sv.Needs == nil {
		sv.Needs = []string{}
	}
	if s.Timeout > 0 {
		sv.Timeout = s.Timeout.String()
	}
	sv.Preview, sv.RunTime = pv.Text, pv.RunTime
	switch {
	case pv.Err != nil && engine.IsRunTimeValue(pv.Err):
		sv.PreviewError = "shown when the run gets there: it needs " + strings.Join(pv.RunTime, ", ")
	case pv.Err != nil:
		sv.PreviewError = pv.Err.Error()
	}
	return sv
}

func displayMap(v *plans.Value) map[string]any {
	m, _ := v.Display().(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func checkViews(cs []*plans.Check) []checkView {
	var out []checkView
	for _, c := range cs {
		cv := checkView{Check: c.Type, Target: c.Target, With: displayMap(c.With)}
		if c.Wait > 0 {
			cv.Wait = c.Wait.String()
			cv.Interval = c.Interval.String()
		}
		out = append(out, cv)
	}
	return out
}

func (v *planView) writeText(w io.Writer) {
	fmt.Fprintf(w, "Plan %s (%s)\n", v.Name, v.File)
	if v.Description != "" {
		writeLines(w, "  ", v.Description)
	}
	fmt.Fprintf(w, "  hash %s, %d steps in %d levels", v.Hash[:12], len(v.Steps), len(v.Levels))
	if v.Deadline != "" {
		fmt.Fprintf(w, ", deadline %s", v.Deadline)
	}
	fmt.Fprintln(w)
	writeTargets(w, v.Targets)
	if len(v.Preflight) > 0 {
		fmt.Fprintln(w, "\nPreflight (all must pass before any step runs):")
		writeChecks(w, "  ", v.Preflight)
	}
	level := -1
	for i, s := range v.Steps {
		if s.Level != level {
			level = s.Level
			fmt.Fprintf(w, "\nLevel %d\n", level)
		}
		writeStep(w, i+1, s)
	}
}

// writeTargets lists the targets, one a line, fields sorted.
func writeTargets(w io.Writer, targets []targetView) {
	if len(targets) == 0 {
		return
	}
	fmt.Fprintln(w, "\nTargets:")
	width := 0
	for _, t := range targets {
		width = max(width, len(t.Name))
	}
	for _, t := range targets {
		line := fmt.Sprintf("  %-*s  %s", width, t.Name, t.Type)
		for _, k := range sortedKeys(t.Fields) {
			line += fmt.Sprintf(" %s=%s", k, compact(t.Fields[k]))
		}
		fmt.Fprintln(w, line)
	}
}

func writeStep(w io.Writer, n int, s stepView) {
	head := fmt.Sprintf("  %d. %s  %s", n, s.ID, s.Action)
	if s.Target != "" {
		head += " @ " + s.Target
	}
	fmt.Fprintln(w, head)
	if s.Description != "" {
		writeLines(w, "       ", s.Description)
	}
	for _, k := range sortedKeys(s.With) {
		writeField(w, "       ", k, s.With[k])
	}
	if len(s.Needs) > 0 {
		fmt.Fprintf(w, "       needs: %s\n", strings.Join(s.Needs, ", "))
	}
	fmt.Fprintf(w, "       %s\n", runPolicy(s))
	for _, g := range []struct {
		name string
		cs   []checkView
	}{{"when", s.When}, {"skip_if", s.SkipIf}, {"require", s.Require}, {"verify", s.Verify}} {
		if len(g.cs) > 0 {
			fmt.Fprintf(w, "       %s:\n", g.name)
			writeChecks(w, "         ", g.cs)
		}
	}
	if s.Preview != "" {
		fmt.Fprintln(w, "       would run:")
		for _, line := range strings.Split(strings.TrimRight(s.Preview, "\n"), "\n") {
			fmt.Fprintf(w, "         | %s\n", plans.Printable(line))
		}
	}
	if s.PreviewError != "" {
		fmt.Fprintf(w, "       no preview: %s\n", s.PreviewError)
	}
	if len(s.RunTime) > 0 {
		fmt.Fprintf(w, "       filled in at run time: %s\n", strings.Join(s.RunTime, ", "))
	}
}

func runPolicy(s stepView) string {
	parts := []string{fmt.Sprintf("attempts %d", s.Retry.Attempts)}
	if s.Retry.Attempts > 1 {
		parts = append(parts, fmt.Sprintf("delay %s ×%g up to %s, retry on %s", s.Retry.Delay, s.Retry.Backoff, s.Retry.MaxDelay, s.Retry.On))
	}
	timeout := "none"
	if s.Timeout != "" {
		timeout = s.Timeout
	}
	parts = append(parts, "timeout "+timeout)
	if s.Idempotent {
		parts = append(parts, "idempotent")
	}
	if s.ContinueOnFailure {
		parts = append(parts, "continue on failure")
	}
	return strings.Join(parts, ", ")
}

func writeChecks(w io.Writer, indent string, cs []checkView) {
	for _, c := range cs {
		line := indent + "- " + c.Check
		if c.Target != "" {
			line += " @ " + c.Target
		}
		for _, k := range sortedKeys(c.With) {
			line += fmt.Sprintf(" %s=%s", k, compact(c.With[k]))
		}
		if c.Wait != "" {
			line += " (wait up to " + c.Wait + ", every " + c.Interval + ")"
		}
		fmt.Fprintln(w, line)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

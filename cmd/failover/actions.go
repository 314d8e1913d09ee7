package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/reference"
)

func newActionsCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "actions [TYPE]",
		Short: "Show the reference of every action, check and target type",
		Long: "actions prints the reference of every registered type after an index: params (types,\n" +
			"defaults, docs), outputs and idempotency; with TYPE, of that type only. --format markdown\n" +
			"writes the content of docs/actions.md.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "markdown":
				if len(args) > 0 {
					return withCode(exitUsage, fmt.Errorf("--format markdown writes the whole reference: give no TYPE"))
				}
				_, err := a.stdout.Write(reference.Markdown(a.registry))
				return err
			case "text":
			default:
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want text or markdown", format))
			}
			if len(args) == 0 {
				listTypes(a.stdout, a.registry)
				return describeAll(a.stdout, a.registry)
			}
			return describeType(a.stdout, a.registry, args[0])
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or markdown")
	return cmd
}

func listTypes(w io.Writer, r *actions.Registry) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tKIND\tTARGETS\tSUMMARY")
	for _, t := range r.Types("") {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Kind, orDash(strings.Join(t.Targets, ", ")), firstSentence(t.Doc))
	}
	for _, t := range r.TargetTypes() {
		fmt.Fprintf(tw, "%s\ttarget\t-\t%s\n", t.Name, firstSentence(t.Doc))
	}
	tw.Flush()
}

// describeAll prints the reference of every type after the index: the
// actions, the checks, then the target types.
func describeAll(w io.Writer, r *actions.Registry) error {
	var names []string
	for _, t := range r.Types(actions.KindAction) {
		names = append(names, t.Name)
	}
	for _, t := range r.Types(actions.KindCheck) {
		names = append(names, t.Name)
	}
	for _, t := range r.TargetTypes() {
		names = append(names, t.Name)
	}
	for _, name := range names {
		fmt.Fprintf(w, "\n%s\n\n", strings.Repeat("─", 72))
		if err := describeType(w, r, name); err != nil {
			return err
		}
	}
	return nil
}

// describeType prints one action, check or target type.
func describeType(w io.Writer, r *actions.Registry, name string) error {
	var specs []actions.ParamSpec
	word := "Params"
	if t := r.Type(name); t != nil {
		fmt.Fprintf(w, "%s (%s)\n\n%s\n\n", t.Name, t.Kind, t.Doc)
		targets := "none"
		if len(t.Targets) > 0 {
			targets = strings.Join(t.Targets, ", ")
			if t.TargetOptional {
				targets += " (optional)"
			}
		}
		fmt.Fprintf(w, "Target: %s\n", targets)
		if t.Kind == actions.KindAction {
			fmt.Fprintf(w, "Idempotent: %s\n", map[bool]string{true: "yes", false: "no"}[t.Idempotent])
			var abilities []string
			for _, ab := range t.Abilities() {
				abilities = append(abilities, string(ab))
			}
			fmt.Fprintf(w, "Abilities: %s\n", strings.Join(abilities, ", "))
		}
		specs = r.ParamSpecs(name)
		defer printOutputs(w, t)
	} else if tt := r.TargetType(name); tt != nil {
		fmt.Fprintf(w, "%s (target type)\n\n%s\n", tt.Name, tt.Doc)
		specs = r.TargetSpecs(name)
		word = "Fields"
	} else {
		return withCode(exitUsage, fmt.Errorf("no action, check or target type %q (see `failover actions`)", name))
	}
	printParams(w, word, specs)
	return nil
}

func printParams(w io.Writer, word string, specs []actions.ParamSpec) {
	if len(specs) == 0 {
		fmt.Fprintf(w, "\n%s: none\n", word)
		return
	}
	fmt.Fprintf(w, "\n%s:\n", word)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range specs {
		var notes []string
		if s.Required {
			notes = append(notes, "required")
		}
		if s.Default != "" {
			notes = append(notes, "default "+s.Default)
		}
		if len(s.Enum) > 0 {
			notes = append(notes, "one of "+strings.Join(s.Enum, "|"))
		}
		if s.Secret {
			notes = append(notes, "may hold a secret")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, s.Kind, strings.Join(notes, ", "), s.Doc)
	}
	tw.Flush()
}

func printOutputs(w io.Writer, t *actions.Type) {
	if len(t.Outputs) == 0 && !t.OpenOutputs {
		if t.Kind == actions.KindAction {
			fmt.Fprintln(w, "\nOutputs: none")
		}
		return
	}
	fmt.Fprintln(w, "\nOutputs:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, o := range t.Outputs {
		fmt.Fprintf(tw, "  %s\t%s\n", o.Name, o.Doc)
	}
	tw.Flush()
	if t.OpenOutputs {
		fmt.Fprintln(w, "  (and further keys, named at run time)")
	}
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

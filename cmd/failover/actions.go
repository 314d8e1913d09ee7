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
		Long: "actions lists every registered type; with TYPE, its params (types, defaults, docs),\n" +
			"outputs and idempotency. --format markdown writes the content of docs/actions.md.",
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
				return nil
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

// describeType prints one action, check or target type.
func describeType(w io.Writer, r *actions.Registry, name string) error {
	var specs []actions.ParamSpec
	if t := r.Type(name); t != nil {
		fmt.Fprintf(w, "%s (%s)\n\n%s\n\n", t.Name, t.Kind, t.Doc)
		if len(t.Targets) > 0 {
			opt := ""
			if t.TargetOptional {
				opt = " (optional)"
			}
			fmt.Fprintf(w, "Targets: %s%s\n", strings.Join(t.Targets, ", "), opt)
		}
		if t.Kind == actions.KindAction {
			fmt.Fprintf(w, "Idempotent: %v\n", t.Idempotent)
		}
		specs = r.ParamSpecs(name)
		defer printOutputs(w, t)
	} else if tt := r.TargetType(name); tt != nil {
		fmt.Fprintf(w, "%s (target type)\n\n%s\n", tt.Name, tt.Doc)
		specs = r.TargetSpecs(name)
	} else {
		return withCode(exitUsage, fmt.Errorf("no action, check or target type %q (see `failover actions`)", name))
	}
	printParams(w, specs)
	return nil
}

func printParams(w io.Writer, specs []actions.ParamSpec) {
	if len(specs) == 0 {
		fmt.Fprintln(w, "\nParams: none")
		return
	}
	fmt.Fprintln(w, "\nParams:")
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
		return
	}
	fmt.Fprintln(w, "\nOutputs:")
	for _, o := range t.Outputs {
		fmt.Fprintf(w, "  %s\t%s\n", o.Name, o.Doc)
	}
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

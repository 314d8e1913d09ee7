package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/plans"
)

func newGraphCmd(a *app) *cobra.Command {
	var format string
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "graph FILE",
		Short: "Print the plan's dependency graph as Graphviz dot or Mermaid",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			write, ok := graphWriters[format]
			if !ok {
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want dot or mermaid", format))
			}
			p, err := a.loadPlan(args[0], &vf)
			if err != nil {
				return err
			}
			write(a.stdout, p)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "dot", "graph format: dot or mermaid")
	vf.add(cmd)
	return cmd
}

var graphWriters = map[string]func(io.Writer, *plans.Plan){
	"dot":     writeDot,
	"mermaid": writeMermaid,
}

// writeDot writes the graph for Graphviz: one cluster-free digraph, nodes
// labelled with id and action, ranks by topological level; a dependency
// implied by a reference to outputs (not in needs) is dashed.
func writeDot(w io.Writer, p *plans.Plan) {
	fmt.Fprintf(w, "digraph %q {\n  rankdir=TB;\n  node [shape=box, fontname=\"sans-serif\"];\n", p.Name)
	for _, level := range p.Graph.Levels {
		fmt.Fprint(w, "  { rank=same;")
		for _, id := range level {
			fmt.Fprintf(w, " %q;", id)
		}
		fmt.Fprintln(w, " }")
	}
	for _, s := range p.Steps {
		fmt.Fprintf(w, "  %q [label=%q];\n", s.ID, s.ID+"\n"+s.Action)
	}
	for _, s := range p.Steps {
		needs := namedNeeds(s)
		for _, dep := range p.Graph.Deps[s.ID] {
			style := ""
			if !needs(dep) {
				style = " [style=dashed]"
			}
			fmt.Fprintf(w, "  %q -> %q%s;\n", dep, s.ID, style)
		}
	}
	fmt.Fprintln(w, "}")
}

// writeMermaid writes a Mermaid flowchart. Mermaid node ids may not hold
// every character a step id may, so nodes are numbered and labelled.
func writeMermaid(w io.Writer, p *plans.Plan) {
	fmt.Fprintln(w, "flowchart TD")
	num := map[string]string{}
	for i, s := range p.Steps {
		num[s.ID] = fmt.Sprintf("s%d", i+1)
		fmt.Fprintf(w, "  %s[\"%s<br/><small>%s</small>\"]\n", num[s.ID], mermaidText(s.ID), mermaidText(s.Action))
	}
	for _, s := range p.Steps {
		needs := namedNeeds(s)
		for _, dep := range p.Graph.Deps[s.ID] {
			arrow := "-->"
			if !needs(dep) {
				arrow = "-.->"
			}
			fmt.Fprintf(w, "  %s %s %s\n", num[dep], arrow, num[s.ID])
		}
	}
}

// namedNeeds returns whether a step names a dependency in its needs; a
// dependency it does not name comes from a ${steps.ID.outputs.KEY} and
// is drawn dashed. A step of many needs gets a set: drawing one that
// needs every other step stays linear.
func namedNeeds(s *plans.Step) func(dep string) bool {
	if len(s.Needs) <= 8 {
		return func(dep string) bool {
			for _, n := range s.Needs {
				if n.ID == dep {
					return true
				}
			}
			return false
		}
	}
	set := make(map[string]bool, len(s.Needs))
	for _, n := range s.Needs {
		set[n.ID] = true
	}
	return func(dep string) bool { return set[dep] }
}

func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}

package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/plans"
)

// planCheck is `failover plan --check`: the engine's read-only inspection
// of the plan against live state, rendered.
func (a *app) planCheck(ctx context.Context, p *plans.Plan, format string) error {
	b, err := a.state()
	if err != nil {
		return err
	}
	cfg := engine.Config{Plan: p, Registry: a.registry, State: b, Log: a.log, Version: version}
	rep, err := engine.Inspect(ctx, cfg)
	if err != nil && rep == nil {
		return withCode(engine.ExitCode(err), err)
	}
	if format == "json" {
		if werr := writeJSON(a.stdout, rep); werr != nil {
			return werr
		}
	} else {
		writeCheckReport(a.stdout, p, rep)
	}
	if err != nil {
		return withCode(engine.ExitCode(err), err)
	}
	if bad := checkProblems(rep); bad > 0 {
		return &silentError{code: exitFailed}
	}
	return nil
}

// checkProblems counts failed preflight checks and steps whose state
// could not be read.
func checkProblems(rep *engine.CheckReport) int {
	n := 0
	for _, c := range rep.Preflight {
		if !c.OK {
			n++
		}
	}
	for _, s := range rep.Steps {
		if s.Verdict == engine.VerdictCheckFail {
			n++
		}
	}
	return n
}

// writeCheckReport renders the report for people.
func writeCheckReport(w io.Writer, p *plans.Plan, rep *engine.CheckReport) {
	fmt.Fprintf(w, "Plan %s checked against live state (read-only: nothing was changed)\n", p.Name)
	if rep.Run != "" {
		fmt.Fprintf(w, "  unfinished run %s: its done steps are shown done, with their outputs\n", rep.Run)
	}
	if len(rep.Preflight) > 0 {
		fmt.Fprintln(w, "\nPreflight:")
		for _, c := range rep.Preflight {
			writeSeen(w, "  ", c)
		}
	}
	if len(rep.Steps) > 0 {
		fmt.Fprintln(w, "\nSteps:")
	}
	for i, s := range rep.Steps {
		head := fmt.Sprintf("  %d. %s  %s", i+1, s.ID, s.Action)
		if s.Target != "" {
			head += " @ " + s.Target
		}
		verdict := strings.ToUpper(s.Verdict)
		if s.Reason != "" {
			verdict += ": " + s.Reason
		}
		fmt.Fprintln(w, head)
		writeLines(w, "       ", verdict) // a reason of several lines stays under its step
		for _, g := range []struct {
			name string
			seen []engine.CheckSeen
		}{{"when", s.When}, {"skip_if", s.SkipIf}, {"require", s.Require}} {
			for _, c := range g.seen {
				writeSeen(w, "       "+g.name+" ", c)
			}
		}
		if s.Inspection != nil {
			for _, d := range s.Inspection.Details {
				writeLines(w, "         ", d)
			}
		}
		if s.Preview != "" {
			fmt.Fprintln(w, "       would run:")
			for _, line := range strings.Split(strings.TrimRight(s.Preview, "\n"), "\n") {
				fmt.Fprintf(w, "         | %s\n", plans.Printable(line))
			}
		}
	}
}

// writeSeen writes one check as evaluated: passed, not passed (for a
// skip_if that only means "not done yet"), or an error.
func writeSeen(w io.Writer, indent string, c engine.CheckSeen) {
	mark, text := "ok  ", c.Detail
	switch {
	case c.Error != "":
		mark, text = "ERR ", c.Error
	case !c.OK && strings.HasSuffix(indent, "skip_if "):
		mark = "no  "
	case !c.OK:
		mark = "FAIL"
	}
	line := indent + mark + " " + c.Check
	if c.Target != "" {
		line += " @ " + c.Target
	}
	if text != "" {
		line += ": " + text
	}
	fmt.Fprintln(w, line)
}

package report

import (
	"encoding/json"
	"fmt"
	"strings"
)

// mdDetails writes each step: its attempts, what people decided, its
// commands and its outputs.
func mdDetails(b *strings.Builder, r *Report) {
	b.WriteString("## Step details\n\n")
	for _, s := range r.Steps {
		mdStep(b, s)
	}
}

func mdStep(b *strings.Builder, s Step) {
	fmt.Fprintf(b, "### %d. %s: %s\n\n", s.N, code(s.ID), text(string(s.State)))
	what := code(s.Action)
	if s.Target != "" {
		what += " on " + code(s.Target)
	}
	if s.Description != "" {
		what += ": " + text(s.Description)
	}
	b.WriteString(what + "\n\n")
	if bt := BudgetText(s.RTO); bt != "" {
		fmt.Fprintf(b, "Time: %s elapsed, %s.\n\n", Duration(s.RTO.Took), mark(s.RTO.Over, bt))
	}
	if s.Note != "" {
		fmt.Fprintf(b, "Note: %s\n\n", text(s.Note))
	}
	if s.Error != "" {
		b.WriteString("Error:\n\n" + fenced(s.Error, "text") + "\n")
	}
	mdAttempts(b, s)
	mdStepPeople(b, s)
	if s.Checkpoints > 0 {
		fmt.Fprintf(b, "Checkpoints journaled: %d; the last: %s\n\n", s.Checkpoints, code(s.Checkpoint))
	}
	mdCommands(b, s.Commands)
	mdOutputs(b, s.Outputs)
}

func mdAttempts(b *strings.Builder, s Step) {
	if len(s.Attempts) == 0 {
		b.WriteString("No attempt.\n\n")
		return
	}
	b.WriteString(header("Attempt", "Session", "Started", "Ended", "Took", "Outcome", "Error"))
	for _, a := range s.Attempts {
		outcome := a.Outcome
		if outcome == "" {
			outcome = "no outcome journaled (in doubt)"
		}
		errCell := cellCode(a.Error)
		if a.Class != "" && a.Error != "" {
			errCell += " (" + text(a.Class) + ")"
		}
		b.WriteString(row(fmt.Sprint(a.N), fmt.Sprint(a.Session+1), Time(a.Started), Time(a.Ended),
			durOrDash(a.Duration(), !a.Ended.IsZero()), text(outcome), errCell))
	}
	b.WriteString("\n")
}

// mdStepPeople writes the step's approvals, decisions and processes.
func mdStepPeople(b *strings.Builder, s Step) {
	for _, a := range s.Approvals {
		fmt.Fprintf(b, "- %s by %s at %s (%s)\n", approvedWord(a.Approved), text(orUnknown(a.By)), Time(a.At), text(orUnknown(a.How)))
	}
	for _, d := range s.Decisions {
		fmt.Fprintf(b, "- %s by %s at %s%s\n", code("--"+d.Kind), text(orUnknown(d.By)), Time(d.At), text(noteSuffix(d.Note)))
	}
	for _, p := range s.Processes {
		fmt.Fprintf(b, "- attempt %d started pid %d: %s", p.Attempt, p.PID, code(orUnknown(p.Command)))
		if p.Killed {
			fmt.Fprintf(b, "; left running, ended by %s at %s", text(orUnknown(p.KilledBy)), Time(p.KilledAt))
		}
		b.WriteString("\n")
	}
	if len(s.Approvals)+len(s.Decisions)+len(s.Processes) > 0 {
		b.WriteString("\n")
	}
}

func mdCommands(b *strings.Builder, c Commands) {
	switch c.Source {
	case SourceJournal:
		b.WriteString("Commands sent (journaled with each attempt, secrets masked):\n\n")
	case SourcePreview:
		b.WriteString("Commands (the plan's preview, secrets masked; run-time values as written):\n\n")
	default:
		fmt.Fprintf(b, "Commands: %s\n\n", text(c.Note))
		return
	}
	for _, t := range c.Texts {
		b.WriteString(fenced(t, "") + "\n")
	}
	if len(c.RunTime) > 0 {
		b.WriteString("Run-time values, from the journal:\n\n")
		for _, rv := range c.RunTime {
			v := code(rv.Value)
			if !rv.Known {
				v = text(rv.Value)
			}
			fmt.Fprintf(b, "- %s = %s\n", code(rv.Ref), v)
		}
		b.WriteString("\n")
	}
}

func mdOutputs(b *strings.Builder, out map[string]any) {
	if len(out) == 0 {
		return
	}
	b.WriteString("Outputs:\n\n" + fenced(outputsJSON(out), "json") + "\n")
}

// outputsJSON writes outputs as indented JSON, keys sorted.
func outputsJSON(out map[string]any) string {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Sprintf("(outputs could not be written: %v)", err)
	}
	return sb.String()
}

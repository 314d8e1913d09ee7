package report

import (
	"fmt"
	"strings"
)

// mdPeople writes what people decided: approvals, the operator's
// --retry and --mark-done, and the leftovers they ended.
func mdPeople(b *strings.Builder, r *Report) {
	b.WriteString("## Approvals\n\n")
	if len(r.Approvals) == 0 {
		b.WriteString("None.\n\n")
	} else {
		b.WriteString(header("Step", "Decision", "By", "At", "How"))
		for _, a := range r.Approvals {
			b.WriteString(row(cellCode(a.Step), approvedWord(a.Approved), text(orUnknown(a.By)), Time(a.At), text(orUnknown(a.How))))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Operator decisions\n\n")
	if len(r.Decisions) == 0 {
		b.WriteString("None: no step was retried or marked done by hand.\n\n")
	} else {
		b.WriteString(header("Step", "Decision", "By", "At", "Note"))
		for _, d := range r.Decisions {
			b.WriteString(row(cellCode(d.Step), cellCode("--"+d.Kind), text(orUnknown(d.By)), Time(d.At), text(d.Note)))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Leftovers ended\n\n")
	if len(r.Leftovers) == 0 {
		b.WriteString("None.\n\n")
		return
	}
	b.WriteString(header("Step", "Attempt", "PID", "Command", "Ended by", "At"))
	for _, l := range r.Leftovers {
		b.WriteString(row(cellCode(l.Step), fmt.Sprint(l.Attempt), fmt.Sprint(l.PID), cellCode(l.Command), text(orUnknown(l.KilledBy)), Time(l.KilledAt)))
	}
	b.WriteString("\n")
}

// mdRunEvents writes lock takeovers, plan changes and forced repairs.
func mdRunEvents(b *strings.Builder, r *Report) {
	b.WriteString("## Lock takeovers, plan changes, forced repairs\n\n")
	var lines []string
	for _, e := range r.Timeline {
		switch e.Kind {
		case "takeover", "plan-change", "repair":
			lines = append(lines, fmt.Sprintf("- %s: %s\n", Time(e.At), mdEvent(e, false)))
		}
	}
	if len(lines) == 0 {
		b.WriteString("None.\n\n")
		return
	}
	b.WriteString(strings.Join(lines, ""))
	b.WriteString("\n")
}

// mdLogBackups writes the log backups applied and the data-loss window.
func mdLogBackups(b *strings.Builder, r *Report) {
	b.WriteString("## Log backups applied\n\n")
	fmt.Fprintf(b, "Data-loss window: %s\n\n", mdPieces(LossText(r.DataLoss, r.Started), true))
	if len(r.LogBackups) == 0 {
		b.WriteString("No " + applyAction + " step journaled what it applied.\n\n")
		return
	}
	for _, lb := range r.LogBackups {
		fmt.Fprintf(b, "### %s\n\n", code(lb.Step))
		b.WriteString(header("", ""))
		b.WriteString(row("Files applied", filesApplied(lb.FilesApplied)))
		b.WriteString(row("Last file", cellCode(lb.LastFile)))
		b.WriteString(row("Last LSN", cellCode(lb.LastLSN)))
		b.WriteString(row("Last backup finished", finishCell(lb)))
		b.WriteString(row("Files skipped", fmt.Sprint(lb.FilesSkipped)))
		if lb.Gap != "" {
			b.WriteString(row("Gap", text(lb.Gap)))
		}
		if lb.StepWindow != "" {
			b.WriteString(row("As the step measured it", text(lb.StepWindow)))
		}
		b.WriteString("\n")
		mdList(b, "Applied by its last attempt", lb.Applied)
		mdList(b, "Skipped", lb.Skipped)
	}
}

func filesApplied(n int64) string {
	if n < 0 {
		return "not said"
	}
	return fmt.Sprint(n)
}

func finishCell(lb LogBackup) string {
	if !lb.LastFinish.IsZero() {
		return Time(lb.LastFinish)
	}
	if lb.FinishText != "" {
		return "not a time: " + cellCode(lb.FinishText)
	}
	return "unknown"
}

// mdList writes a titled list of file names, or nothing when empty.
func mdList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "%s:\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", code(it))
	}
	b.WriteString("\n")
}

package report

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Markdown writes the report as Markdown: plain enough to read in a
// terminal, tables and code blocks for GitHub. The same report always
// writes the same text.
func Markdown(w io.Writer, r *Report) error {
	var b strings.Builder
	mdSummary(&b, r)
	mdSessions(&b, r)
	mdSteps(&b, r)
	mdTimeline(&b, r)
	mdPeople(&b, r)
	mdRunEvents(&b, r)
	mdLogBackups(&b, r)
	mdDetails(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdSummary(b *strings.Builder, r *Report) {
	fmt.Fprintf(b, "# Run %s of %s: %s\n\n", text(r.RunID), text(r.Plan), text(r.Status))
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "> **Warning:** %s\n\n", text(w))
	}
	if r.PlanNote != "" {
		fmt.Fprintf(b, "> **Note:** the plan is not used: %s. Descriptions, rto budgets and the commands of steps "+
			"that did not journal them are not shown.\n\n", text(r.PlanNote))
	}
	b.WriteString(header("", ""))
	b.WriteString(row("Plan", planCell(r)))
	b.WriteString(row("Run", cellCode(r.RunID)))
	b.WriteString(row("State", text(r.Status)))
	b.WriteString(row("Started", fmt.Sprintf("%s by %s on %s", Time(r.Started), text(orUnknown(r.User)), text(orUnknown(r.Host)))))
	b.WriteString(row("Ended", endedCell(r)))
	b.WriteString(row("Run time", runTimeCell(r)))
	b.WriteString(row("Data-loss window", mdPieces(LossText(r.DataLoss, r.Started), true)))
	b.WriteString(row("People", text(strings.Join(r.People, ", "))))
	b.WriteString(row("Hosts", text(strings.Join(r.Hosts, ", "))))
	b.WriteString(row("Sessions", fmt.Sprint(len(r.Sessions))))
	b.WriteString(row("Report made", Time(r.Generated)))
	b.WriteString("\n")
}

func planCell(r *Report) string {
	s := cellCode(r.Plan)
	if r.PlanFile != "" {
		s += " from " + cellCode(r.PlanFile)
	}
	return s + ", hash " + cellCode(shortHash(r.PlanHash))
}

// shortHash is the first 12 digits of a hash, enough to tell plans apart.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func endedCell(r *Report) string {
	if r.Ended.IsZero() {
		return "no end journaled; the last record is of " + Time(r.LastRecord)
	}
	return Time(r.Ended)
}

func runTimeCell(r *Report) string {
	s := Duration(r.RunTime())
	if !r.Complete {
		s += " so far (the run is not over)"
	}
	if bt := BudgetText(r.RTO); bt != "" {
		s += ", " + mark(r.RTO.Over, bt)
	}
	return s
}

// mark makes text that says something went over its budget stand out.
func mark(over bool, s string) string {
	if over {
		return "**" + text(s) + "**"
	}
	return text(s)
}

func mdSessions(b *strings.Builder, r *Report) {
	b.WriteString("## Sessions\n\n")
	if len(r.Sessions) == 0 {
		b.WriteString("None journaled.\n\n")
		return
	}
	b.WriteString(header("#", "Session", "By", "Host", "Started", "Ended", "How it ended"))
	for _, s := range r.Sessions {
		b.WriteString(row(fmt.Sprint(s.N), text(sessionKind(s)), text(orUnknown(s.By)), text(hostPID(s)),
			Time(s.At), text(sessionEndText(s)), text(sessionHow(s, r))))
	}
	b.WriteString("\n")
}

// sessionKind is apply or resume with what it was told.
func sessionKind(s Session) string {
	k := s.Kind
	if len(s.Only) > 0 {
		k += " --only " + strings.Join(s.Only, ",")
	}
	if s.From != "" {
		k += " --from " + s.From
	}
	return k
}

func hostPID(s Session) string {
	h := orUnknown(s.Host)
	if s.PID != 0 {
		h += fmt.Sprintf(" (pid %d)", s.PID)
	}
	return h
}

func sessionEndText(s Session) string {
	if s.EndedAt.IsZero() {
		return Time(s.Last) + " (last record)"
	}
	return Time(s.EndedAt)
}

// sessionHow says how a session ended.
func sessionHow(s Session, r *Report) string {
	switch {
	case s.Ended != "":
		return s.Ended
	case s.N == len(r.Sessions) && r.Status == "running":
		return "still running"
	}
	return "no end journaled: its process died"
}

func mdSteps(b *strings.Builder, r *Report) {
	b.WriteString("## Steps\n\n")
	if len(r.Steps) == 0 {
		b.WriteString("None journaled.\n\n")
		return
	}
	b.WriteString(header("#", "Step", "Action", "State", "Attempts", "Last attempt", "Elapsed", "RTO"))
	for _, s := range r.Steps {
		b.WriteString(row(fmt.Sprint(s.N), cellCode(s.ID), cellCode(s.Action), text(string(s.State)), fmt.Sprint(len(s.Attempts)),
			durOrDash(s.LastAttempt, len(s.Attempts) > 0), durOrDash(s.RTO.Took, !s.First.IsZero()), stepRTOCell(s)))
	}
	b.WriteString("\nLast attempt: how long the step's last attempt ran. Elapsed: from its first attempt to its outcome, " +
		"across sessions (gaps between them included). status and the end-of-run table show the same two.\n\n")
}

func durOrDash(d time.Duration, known bool) string {
	if !known {
		return "—"
	}
	return Duration(d)
}

func stepRTOCell(s Step) string {
	if s.RTO.Limit == 0 {
		return ""
	}
	if s.RTO.Over {
		return fmt.Sprintf("**%s: over by %s**", Duration(s.RTO.Limit), Duration(s.RTO.Took-s.RTO.Limit))
	}
	return Duration(s.RTO.Limit)
}

func mdTimeline(b *strings.Builder, r *Report) {
	b.WriteString("## Timeline\n\n")
	if len(r.Timeline) == 0 {
		b.WriteString("Nothing journaled.\n\n")
		return
	}
	b.WriteString(header("Time (UTC)", "Session", "Event"))
	for _, e := range r.Timeline {
		b.WriteString(row(strings.TrimSuffix(Time(e.At), " UTC"), fmt.Sprint(e.Session), mdEvent(e, true)))
	}
	b.WriteString("\n")
}

package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

var (
	//go:embed assets/report.html
	pageHTML string
	//go:embed assets/report.css
	pageCSS string
	//go:embed assets/timeline.js
	pageJS string
)

// page is the HTML template, parsed once.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"time": Time, "dur": Duration, "budget": BudgetText, "shortHash": shortHash,
	"clockDate":    func(t time.Time) string { return strings.TrimSuffix(Time(t), " UTC") },
	"join":         func(s []string) string { return strings.Join(s, ", ") },
	"stateClass":   stateClass,
	"approved":     approvedWord,
	"filesApplied": filesApplied,
	"inc":          func(i int) int { return i + 1 },
	"sub":          func(a, b time.Duration) time.Duration { return a - b },
	"outputs":      outputsJSON,
	"pieces":       htmlPieces,
}).Parse(pageHTML))

// htmlView is what the page template reads.
type htmlView struct {
	R         *Report
	CSS       template.CSS
	JS        template.JS
	Chart     chart
	Loss      []Piece
	Sessions  []sessionRow
	RunEvents []Event
}

// sessionRow is a session as the sessions table shows it.
type sessionRow struct {
	S                    Session
	Kind, Host, End, How string
}

// HTML writes the report as one self-contained HTML page: inline CSS, the
// report's data as JSON and the script that draws the timeline chart
// from it. It loads nothing from the network. Everything from the
// journal is escaped by html/template, in the page and in the JSON.
func HTML(w io.Writer, r *Report) error {
	v := htmlView{R: r, CSS: template.CSS(pageCSS), JS: template.JS(pageJS), Chart: chartOf(r), Loss: LossText(r.DataLoss, r.Started)}
	for _, s := range r.Sessions {
		v.Sessions = append(v.Sessions, sessionRow{S: s, Kind: sessionKind(s), Host: hostPID(s), End: sessionEndText(s), How: sessionHow(s, r)})
	}
	for _, e := range r.Timeline {
		switch e.Kind {
		case "takeover", "plan-change", "repair":
			v.RunEvents = append(v.RunEvents, e)
		}
	}
	if err := page.Execute(w, v); err != nil {
		return fmt.Errorf("write the HTML report: %w", err)
	}
	return nil
}

// stateClass turns a state into a CSS class suffix.
func stateClass(s string) string {
	word, _, _ := strings.Cut(s, " ")
	return strings.Trim(strings.ToLower(word), ",;:()")
}

// htmlPieces writes a sentence, its code pieces as code.
func htmlPieces(ps []Piece) template.HTML {
	var b strings.Builder
	for _, p := range ps {
		if p.Code {
			b.WriteString("<code>" + template.HTMLEscapeString(p.Text) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p.Text))
		}
	}
	return template.HTML(b.String())
}

package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// renderHTML builds and renders a report.
func renderHTML(t *testing.T, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, Build(in)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The page is one file: nothing is loaded from anywhere.
func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, Input{State: resumedRun(t), Plan: pchatPlan(), Previews: pchatPreviews(), Generated: at(time.Hour)})
	// The SVG namespace names, and loads nothing.
	rest := strings.ReplaceAll(page, `"http://www.w3.org/2000/svg"`, "")
	for _, re := range []string{`<link\b`, `\bsrc\s*=`, `@import`, `url\(`, `https?:`, `//[a-z0-9.-]+\.[a-z]{2,}/`, `fetch\(`, `XMLHttpRequest`} {
		if loc := regexp.MustCompile(re).FindStringIndex(rest); loc != nil {
			t.Errorf("the page refers to something outside it (%s): …%s…", re, rest[max(0, loc[0]-40):min(len(rest), loc[1]+40)])
		}
	}
	for _, want := range []string{`<style>`, `<script type="application/json" id="report-data">`, `id="timeline"`,
		`data-step="set-pool-state"`, "Set-CsPersistentChatState", "over its rto of 45m by 5m41s",
		// The steps table's caption names its columns as the Markdown does.
		"Last attempt: how long the step"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// What the journal holds is operator and program text: it is escaped
// everywhere, in the page and in the chart's JSON, so that it can never
// become markup or script.
func TestHTMLEscapesJournalText(t *testing.T) {
	const evil = `</script><script>alert(1)</script><img src=x onerror=alert(2)>`
	recs := []journal.Record{
		started(engine.RecRunStarted, 0, "mallory<b>", "host\"'", 1, journal.StepRef{ID: "x</script>", Action: "exec.run"}),
		stepRec(engine.RecStepStarted, time.Second, "x</script>", 1),
		{Type: engine.RecStepFailed, Time: at(2 * time.Second), Step: "x</script>", Attempt: 1, Error: evil},
		{Type: engine.RecRetryRequested, Time: at(3 * time.Second), Step: "x</script>", User: "eve", Note: evil},
		finished(4*time.Second, engine.RunFailed),
	}
	page := renderHTML(t, Input{State: fold(t, testHeader(), recs...), Generated: at(time.Hour), Warnings: []string{evil}})
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("the page has %d script elements, want its own 2", n)
	}
	for _, bad := range []string{"<img", "alert(1)</script>", "<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("journal text reached the page unescaped: %q", bad)
		}
	}
	if !strings.Contains(page, "&lt;img src=x onerror=alert(2)&gt;") {
		t.Errorf("the error is not shown escaped")
	}
}

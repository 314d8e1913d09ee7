package report

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// chromium finds Debian's chromium (installed by .ci/run), or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed: the HTML report is not rendered in a browser (apt-get install chromium; .ci/run does)")
	return ""
}

// headless runs chromium on page with extra flags and returns its stdout.
// Its own state goes to a temporary directory; it is bounded by a
// generous timeout so that a wedged browser fails the test instead of
// hanging it.
func headless(t *testing.T, page string, flags ...string) []byte {
	t.Helper()
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
		"--user-data-dir=" + filepath.Join(dir, "profile")}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+filepath.ToSlash(file))...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, lastLines(stderr.String(), 20))
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// svgNode is an element of the chart as the browser built it.
type svgNode struct {
	Name  string
	Attr  map[string]string
	Kids  []*svgNode
	Title string
}

// chartOfDOM parses the chart's SVG out of a dumped DOM.
func chartOfDOM(t *testing.T, dom string) *svgNode {
	t.Helper()
	i := strings.Index(dom, `<svg id="timeline-chart"`)
	j := strings.LastIndex(dom, "</svg>")
	if i < 0 || j < i {
		t.Fatalf("the page's script drew no chart: no <svg id=\"timeline-chart\"> in the DOM:\n%s", dom[:min(len(dom), 3000)])
	}
	dec := xml.NewDecoder(strings.NewReader(dom[i : j+len("</svg>")]))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	var stack []*svgNode
	var root *svgNode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("parse the chart: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &svgNode{Name: tk.Name.Local, Attr: map[string]string{}}
			for _, a := range tk.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				stack[len(stack)-1].Kids = append(stack[len(stack)-1].Kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1].Name == "title" && len(stack) > 1 {
				stack[len(stack)-2].Title += string(tk)
			}
		}
	}
	return root
}

// find lists the nodes under n whose class contains class.
func (n *svgNode) find(class string) []*svgNode {
	var out []*svgNode
	for _, k := range n.Kids {
		if strings.Contains(" "+k.Attr["class"]+" ", " "+class+" ") {
			out = append(out, k)
		}
		out = append(out, k.find(class)...)
	}
	return out
}

// The chart the page's script draws has a row for every step with a bar
// for every attempt, the approvals and decisions as marks, and a band
// for every session.
func TestHTMLChartInChromium(t *testing.T) {
	r := Build(Input{State: resumedRun(t), Plan: pchatPlan(), Previews: pchatPreviews(), Generated: at(time.Hour)})
	var page bytes.Buffer
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	dom := string(headless(t, page.String(), "--dump-dom", "--virtual-time-budget=5000"))
	if !strings.Contains(dom, `data-rendered="6 steps"`) {
		t.Errorf("the script did not finish drawing (no data-rendered on #timeline)")
	}
	svg := chartOfDOM(t, dom)
	rows := svg.find("row")
	if len(rows) != len(r.Steps) {
		t.Fatalf("the chart has %d rows, want one per step (%d)", len(rows), len(r.Steps))
	}
	for i, s := range r.Steps {
		row := rows[i]
		if row.Attr["data-step"] != s.ID {
			t.Errorf("row %d is %q, want %q", i+1, row.Attr["data-step"], s.ID)
			continue
		}
		bars := row.find("attempt")
		if len(bars) != len(s.Attempts) {
			t.Errorf("%s: %d attempt bars, want %d", s.ID, len(bars), len(s.Attempts))
		}
		for j, b := range bars {
			if j < len(s.Attempts) && s.Attempts[j].Outcome != "" && b.Attr["data-outcome"] != s.Attempts[j].Outcome {
				t.Errorf("%s attempt %d: bar says %q, want %q", s.ID, j+1, b.Attr["data-outcome"], s.Attempts[j].Outcome)
			}
			if b.Title == "" {
				t.Errorf("%s attempt %d: the bar has no tooltip", s.ID, j+1)
			}
		}
	}
	marks := map[string]int{}
	for _, m := range svg.find("mark") {
		marks[m.Attr["data-kind"]]++
	}
	if marks["approval"] != 1 || marks["decision"] != 1 || marks["leftover"] != 1 {
		t.Errorf("marks = %v, want the approval, the --retry and the leftover ended", marks)
	}
	if n := len(svg.find("session")); n != len(r.Sessions) {
		t.Errorf("%d session bands, want %d", n, len(r.Sessions))
	}
	if len(svg.find("gap")) == 0 {
		t.Errorf("the idle time between sessions is not folded")
	}
	// A bar is drawn where its time is: the retried copy before the
	// successful one, on the same row.
	copyBars := rows[1].find("attempt")
	if len(copyBars) == 2 && !(atof(t, copyBars[0].Attr["x"]) < atof(t, copyBars[1].Attr["x"])) {
		t.Errorf("copy-backups: attempt 1 at x=%s is not left of attempt 2 at x=%s", copyBars[0].Attr["x"], copyBars[1].Attr["x"])
	}
}

// The page paints: the chart's bars show in a screenshot, not a blank
// page.
func TestHTMLScreenshotInChromium(t *testing.T) {
	r := Build(Input{State: resumedRun(t), Plan: pchatPlan(), Previews: pchatPreviews(), Generated: at(time.Hour)})
	var page bytes.Buffer
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	headless(t, page.String(), "--screenshot="+shot, "--window-size=1280,800", "--hide-scrollbars", "--virtual-time-budget=5000")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode the screenshot: %v", err)
	}
	// The succeeded bars are green (#2e8540); nothing else on the page's
	// first screen is that green over so many pixels.
	if n := countNear(img, 0x2e, 0x85, 0x40); n < 2000 {
		t.Errorf("the screenshot has %d pixels of the succeeded bars' green, want the chart's bars (over 2000)", n)
	}
}

// countNear counts the pixels close to a colour.
func countNear(img image.Image, r0, g0, b0 int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(int(r>>8), r0) && near(int(g>>8), g0) && near(int(bl>>8), b0) {
				n++
			}
		}
	}
	return n
}

func near(a, b int) bool { return a-b < 12 && b-a < 12 }

func atof(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return f
}

// The script draws a chart for any run: nothing journaled, a run whose
// process died with an attempt open, a run whose text is hostile.
func TestHTMLChartEveryRunInChromium(t *testing.T) {
	chromium(t)
	evil := `</script><script>document.title="owned"</script>`
	tests := []struct {
		name string
		recs []journal.Record
	}{
		{"nothing after the header", nil},
		{"its process died", []journal.Record{twoSteps(0, engine.RecRunStarted), stepRec(engine.RecStepStarted, sec, "a", 1)}},
		{"hostile text", []journal.Record{
			started(engine.RecRunStarted, 0, evil, evil, 1, journal.StepRef{ID: evil, Action: evil}),
			stepRec(engine.RecStepStarted, sec, evil, 1),
			{Type: engine.RecStepFailed, Time: at(2 * sec), Step: evil, Attempt: 1, Error: evil},
			finished(3*sec, engine.RunFailed)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Build(Input{State: fold(t, testHeader(), tt.recs...), Generated: at(time.Hour)})
			var page bytes.Buffer
			if err := HTML(&page, r); err != nil {
				t.Fatal(err)
			}
			dom := string(headless(t, page.String(), "--dump-dom", "--virtual-time-budget=5000"))
			if want := fmt.Sprintf(`data-rendered="%d steps"`, len(r.Steps)); !strings.Contains(dom, want) {
				t.Fatalf("the script did not finish drawing (%s)", want)
			}
			if rows := chartOfDOM(t, dom).find("row"); len(rows) != len(r.Steps) {
				t.Errorf("%d rows, want %d", len(rows), len(r.Steps))
			}
			if strings.Contains(dom, "<title>owned</title>") {
				t.Errorf("journal text ran as script")
			}
		})
	}
}

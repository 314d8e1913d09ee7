package plans

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// RenderText writes diagnostics for people, one per finding:
//
//	plan.yaml:12:7: error: unknown parameter "dst" for fs.copy (did you mean "to"?)
//	      dst: D:\LogShip
//	      ^
//
// read returns a file's content for the source line (nil: no source
// lines); a file it cannot read is shown without one. Tabs before the
// column are kept so that the caret lines up; control characters and
// bytes that are not UTF-8 are shown escaped (\a, \x1b, \xe9), in the
// message too. Each file is read and indexed once, so that many findings
// on one long line (a plan written as JSON) cost no more than the
// characters shown.
func RenderText(w io.Writer, ds Diagnostics, read func(string) ([]byte, error)) error {
	bw := bufio.NewWriter(w)
	cache := map[string]*source{}
	for _, d := range ds {
		fmt.Fprintf(bw, "%s: %s: %s\n", escapeText(location(d.Pos), false), d.Severity, escapeText(d.Message, false))
		if line, col, ok := shownLine(cache, read, d.Pos); ok {
			fmt.Fprintf(bw, "%s\n%s^\n", line, caretPad(line, col))
		}
	}
	return bw.Flush()
}

// location renders file:line:col, leaving out what is unknown.
func location(p Pos) string {
	switch {
	case p.Line <= 0:
		return p.File
	case p.Col <= 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// shownLine returns the source line of p as shown under a finding (cut
// around the column when long, escaped) and the caret's column in it.
func shownLine(cache map[string]*source, read func(string) ([]byte, error), p Pos) (string, int, bool) {
	if read == nil || p.Line <= 0 || p.File == "" {
		return "", 0, false
	}
	src, ok := cache[p.File]
	if !ok {
		if data, err := read(p.File); err == nil {
			src = newSource(data)
		}
		cache[p.File] = src
	}
	if src == nil {
		return "", 0, false
	}
	line, ok := src.line(p.Line)
	if !ok || strings.TrimSpace(line) == "" {
		return "", 0, false // nothing to show a caret under (an empty file)
	}
	shown, col := clipLine(src, p.Line, p.Col)
	shown, col = escapeLine(shown, col, true)
	return shown, col, true
}

// maxShown is how many characters of a long source line are shown.
const maxShown = 160

// clipLine shows a long line (a flow list of a thousand items, a long
// description) as the part around col, marked with … where it is cut,
// and returns the caret's column in what it shows. It finds the part
// through the line's index, not by decoding the whole line.
func clipLine(src *source, ln, col int) (string, int) {
	line, _ := src.line(ln)
	runes := src.runes(ln)
	if runes <= maxShown {
		return line, col
	}
	start := max(0, min(col-1-maxShown/2, runes-maxShown))
	shown, c := line[src.offset(ln, start+1):src.offset(ln, start+maxShown+1)], col-start
	if start > 0 {
		shown, c = "…"+shown, c+1
	}
	if start+maxShown < runes {
		shown += "…"
	}
	return shown, c
}

// caretPad is the run of blanks under line up to col (tabs kept).
func caretPad(line string, col int) string {
	var b strings.Builder
	runes := []rune(line)
	for i := 0; i < col-1; i++ {
		if i < len(runes) && runes[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// jsonReport is the fixed shape of RenderJSON.
type jsonReport struct {
	Valid        bool             `json:"valid"`
	ErrorCount   int              `json:"error_count"`
	WarningCount int              `json:"warning_count"`
	Diagnostics  []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// RenderJSON writes one JSON document for the diagnostics of any number
// of files (pass each file's list, or one list):
//
//	{"valid":false,"error_count":1,"warning_count":0,
//	 "diagnostics":[{"file":"a.yaml","line":3,"column":5,"severity":"error","message":"…"}]}
//
// valid is true when there is no error; diagnostics is never null.
func RenderJSON(w io.Writer, sets ...Diagnostics) error {
	r := jsonReport{Diagnostics: []jsonDiagnostic{}}
	for _, d := range flatten(sets) {
		r.Diagnostics = append(r.Diagnostics, jsonDiagnostic{File: d.Pos.File, Line: d.Pos.Line,
			Column: d.Pos.Col, Severity: d.Severity, Message: d.Message})
		if d.Severity == SeverityError {
			r.ErrorCount++
		} else {
			r.WarningCount++
		}
	}
	r.Valid = r.ErrorCount == 0
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// RenderGitHub writes GitHub Actions workflow commands, one per
// diagnostic, which GitHub shows as annotations on the changed lines:
//
//	::error file=plans/dc2.yaml,line=12,col=7::unknown parameter "dst" for fs.copy
//
// GitHub shows at most 10 error and 10 warning annotations per step; past
// that a closing notice gives the totals and says the log has them all.
func RenderGitHub(w io.Writer, sets ...Diagnostics) error {
	var b bytes.Buffer
	count := map[string]int{}
	for _, d := range flatten(sets) {
		level := "error"
		if d.Severity == SeverityWarning {
			level = "warning"
		}
		count[level]++
		if fromFlag(d.Pos) {
			fmt.Fprintf(&b, "::%s::%s\n", level, escapeData(d.Pos.File+": "+d.Message))
			continue
		}
		props := []string{"file=" + escapeProperty(filepath.Clean(d.Pos.File))} // ./plans/a.yaml is plans/a.yaml in the repository
		if d.Pos.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Pos.Line))
		}
		if d.Pos.Col > 0 {
			props = append(props, fmt.Sprintf("col=%d", d.Pos.Col))
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", level, strings.Join(props, ","), escapeData(d.Message))
	}
	if count["error"] > githubAnnotations || count["warning"] > githubAnnotations {
		fmt.Fprintf(&b, "::notice::failover validate found %d error(s) and %d warning(s); GitHub shows %d annotations of each kind per step, this log lists them all\n",
			count["error"], count["warning"], githubAnnotations)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// githubAnnotations is how many annotations of each kind (error,
// warning) GitHub shows for one step of a workflow.
const githubAnnotations = 10

// fromFlag reports whether a finding concerns a command-line flag
// (--var, --vars-file) rather than a file: it has no file to annotate.
func fromFlag(p Pos) bool { return strings.HasPrefix(p.File, "--") }

// escapeData escapes a workflow command's message as the runner expects.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// flatten joins the sets, file names and messages escaped as every
// format shows them.
func flatten(sets []Diagnostics) Diagnostics {
	var out Diagnostics
	for _, ds := range sets {
		for _, d := range ds {
			d.Pos.File, d.Message = escapeText(d.Pos.File, false), escapeText(d.Message, false)
			out = append(out, d)
		}
	}
	return out
}

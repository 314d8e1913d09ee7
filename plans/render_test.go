package plans

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

var renderDiags = Diagnostics{
	{Severity: SeverityError, Pos: Pos{File: "a.yaml", Line: 2, Col: 3}, Message: `unknown key "x"`},
	{Severity: SeverityWarning, Pos: Pos{File: "b.yaml", Line: 1, Col: 9}, Message: "50% done,\nnext: line"},
	{Severity: SeverityError, Pos: Pos{File: "--var q"}, Message: "malformed --var"},
}

func readSources(path string) ([]byte, error) {
	switch path {
	case "a.yaml":
		return []byte("one\n\tx: 1\n"), nil
	case "b.yaml":
		return []byte("version: 1\r\n"), nil
	}
	return nil, errors.New("no such file")
}

func TestRenderText(t *testing.T) {
	var b bytes.Buffer
	if err := RenderText(&b, renderDiags, readSources); err != nil {
		t.Fatal(err)
	}
	want := "a.yaml:2:3: error: unknown key \"x\"\n\tx: 1\n\t ^\n" +
		"b.yaml:1:9: warning: 50% done,\\nnext: line\nversion: 1\n        ^\n" + // a line break in a message is shown escaped

		"--var q: error: malformed --var\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRenderJSON(t *testing.T) {
	tests := []struct {
		name                string
		sets                []Diagnostics
		valid               bool
		errors, warnings, n int
	}{
		{"nothing", nil, true, 0, 0, 0},
		{"warnings only", []Diagnostics{renderDiags[1:2]}, true, 0, 1, 1},
		{"several files", []Diagnostics{renderDiags[:1], nil, renderDiags[1:]}, false, 2, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := RenderJSON(&b, tt.sets...); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), `"diagnostics": [`) {
				t.Errorf("diagnostics must be a list, never null:\n%s", b.String())
			}
			var got struct {
				Valid        bool             `json:"valid"`
				ErrorCount   int              `json:"error_count"`
				WarningCount int              `json:"warning_count"`
				Diagnostics  []map[string]any `json:"diagnostics"`
			}
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Valid != tt.valid || got.ErrorCount != tt.errors || got.WarningCount != tt.warnings || len(got.Diagnostics) != tt.n {
				t.Errorf("got %+v", got)
			}
			for _, d := range got.Diagnostics {
				for _, k := range []string{"file", "line", "column", "severity", "message"} {
					if _, ok := d[k]; !ok {
						t.Errorf("diagnostic %v lacks %q", d, k)
					}
				}
			}
		})
	}
}

func TestRenderGitHub(t *testing.T) {
	var b bytes.Buffer
	if err := RenderGitHub(&b, renderDiags[:2], renderDiags[2:]); err != nil {
		t.Fatal(err)
	}
	want := "::error file=a.yaml,line=2,col=3::unknown key \"x\"\n" +
		"::warning file=b.yaml,line=1,col=9::50%25 done,\\nnext: line\n" +
		"::error::--var q: malformed --var\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestRenderSARIF(t *testing.T) {
	var b bytes.Buffer
	ds := append(Diagnostics{{Severity: SeverityError, Pos: Pos{File: `plans\dc2.yaml`, Line: 4, Col: 1}, Message: "m"}}, renderDiags...)
	ds = append(ds, Diagnostic{Severity: SeverityError, Pos: Pos{File: "gone.yaml"}, Message: "read plan: no such file"})
	if err := RenderSARIF(&b, ds); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct{ Name string } `json:"driver"`
			} `json:"tool"`
			ColumnKind string `json:"columnKind"`
			Results    []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	r := log.Runs[0]
	if log.Version != "2.1.0" || r.Tool.Driver.Name != "failover" || len(r.Results) != 5 || r.ColumnKind != "unicodeCodePoints" {
		t.Fatalf("bad SARIF log:\n%s", b.String())
	}
	loc := r.Results[0].Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "plans/dc2.yaml" || loc.Region.StartLine != 4 || r.Results[2].Level != "warning" {
		t.Errorf("first result %+v, third level %q", loc, r.Results[2].Level)
	}
	if flag := r.Results[3]; len(flag.Locations) != 0 || flag.Message.Text != "--var q: malformed --var" {
		t.Errorf("a finding about a flag must name it and point at no file, got %+v", flag)
	}
	if gone := r.Results[4].Locations[0].PhysicalLocation; gone.ArtifactLocation.URI != "gone.yaml" || gone.Region != nil {
		t.Errorf("a finding without a line must name its file and have no region, got %+v", gone)
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		name, word string
		cands      []string
		want       string
	}{
		{"typo", "neds", stepKeys, "needs"},
		{"synonym", "dst", []string{"from", "to", "include"}, "to"},
		{"case", "Database", []string{"database"}, "database"},
		{"nothing close", "compression", []string{"from", "to"}, ""},
		{"tie broken by name", "ab", []string{"ac", "aa"}, "aa"},
		{"short name is no likeness", "max", []string{"a", "db"}, ""},
		{"whole short word replaced", "id", []string{"to"}, ""},
		{"one letter off a short word", "ix", []string{"id"}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := suggest(tt.word, tt.cands); got != tt.want {
				t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func TestSARIFURI(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"relative", "plans/dc2.yaml", "plans/dc2.yaml"},
		{"windows relative", `plans\dc2.yaml`, "plans/dc2.yaml"},
		{"space and percent", "my plans/50%.yaml", "my%20plans/50%25.yaml"},
		{"hash", "plans/#1.yaml", "plans/%231.yaml"},
		{"colon in first segment", "a:b.yaml", "./a:b.yaml"},
		{"unix absolute", "/srv/plans/a.yaml", "file:///srv/plans/a.yaml"},
		{"drive letter", `D:\plans\a.yaml`, "file:///D:/plans/a.yaml"},
		{"UNC share", `\\dc1-sql01\plans\mgc.yaml`, "file://dc1-sql01/plans/mgc.yaml"},
		{"umlaut", "pläne/a.yaml", "pl%C3%A4ne/a.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sarifURI(tt.path); got != tt.want {
				t.Errorf("sarifURI(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

// TestRenderTextWindowsFiles checks that the source line and caret of
// files saved on Windows (a UTF-8 byte order mark, UTF-16 from
// PowerShell 5, CRLF) show the text, not the encoding's bytes.
func TestRenderTextWindowsFiles(t *testing.T) {
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range "version: 1\r\nnamee: ü\r\n" {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	utf16be := []byte{0xFE, 0xFF}
	for _, r := range "version: 1\r\nnamee: ü\r\n" {
		utf16be = append(utf16be, byte(r>>8), byte(r))
	}
	tests := []struct {
		name string
		data []byte
		pos  Pos
		want string
	}{
		{"UTF-8 BOM on line 1", []byte("\xEF\xBB\xBFnamee: x\r\n"), Pos{File: "f", Line: 1, Col: 1}, "namee: x\n^\n"},
		{"UTF-8 BOM, caret after", []byte("\xEF\xBB\xBFname: [x, ü]\r\n"), Pos{File: "f", Line: 1, Col: 11}, "name: [x, ü]\n          ^\n"},
		{"UTF-16LE", utf16le, Pos{File: "f", Line: 2, Col: 8}, "namee: ü\n       ^\n"},
		{"UTF-16BE", utf16be, Pos{File: "f", Line: 2, Col: 1}, "namee: ü\n^\n"},
		{"lone CR", []byte("version: 1\rnamee: x\r"), Pos{File: "f", Line: 2, Col: 1}, "namee: x\n^\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			d := Diagnostics{{Severity: SeverityError, Pos: tt.pos, Message: "m"}}
			if err := RenderText(&b, d, func(string) ([]byte, error) { return tt.data, nil }); err != nil {
				t.Fatal(err)
			}
			_, got, _ := strings.Cut(b.String(), "\n")
			if got != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// TestRenderTextLongLine checks that a long source line is shown as the
// part around the column, with the caret still under it.
func TestRenderTextLongLine(t *testing.T) {
	long := "k: [" + strings.Repeat("ab, ", 500) + "X]"
	x := strings.Index(long, "X") + 1
	tests := []struct {
		name      string
		line      string
		col       int
		wantStart string
		wantEnd   string
	}{
		{"short line whole", "k: [X]", 5, "k: [X]", "k: [X]"},
		{"cut at both ends", strings.Repeat("é", 300) + "X" + strings.Repeat("é", 300), 301, "…é", "é…"},
		{"cut at the start", long, x, "…", "X]"},
		{"cut at the end", long, 1, "k: [", "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			d := Diagnostics{{Severity: SeverityError, Pos: Pos{File: "f", Line: 1, Col: tt.col}, Message: "m"}}
			if err := RenderText(&b, d, func(string) ([]byte, error) { return []byte(tt.line), nil }); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(b.String(), "\n")
			shown, caret := []rune(lines[1]), lines[2]
			if !strings.HasPrefix(lines[1], tt.wantStart) || !strings.HasSuffix(lines[1], tt.wantEnd) || len(shown) > maxShown+2 {
				t.Errorf("shown %q", lines[1])
			}
			if i := len(caret) - 1; caret[i] != '^' || i >= len(shown) || shown[i] != []rune(tt.line)[tt.col-1] {
				t.Errorf("caret at %d does not point at the column's character in %q", i, lines[1])
			}
		})
	}
}

func TestRenderTextEmptyFile(t *testing.T) {
	var b bytes.Buffer
	d := Diagnostics{{Severity: SeverityError, Pos: Pos{File: "e.yaml", Line: 1, Col: 1}, Message: "file is empty"}}
	if err := RenderText(&b, d, func(string) ([]byte, error) { return []byte("\r\n"), nil }); err != nil {
		t.Fatal(err)
	}
	if want := "e.yaml:1:1: error: file is empty\n"; b.String() != want {
		t.Errorf("got %q, want %q: no blank source line and lone caret", b.String(), want)
	}
}

// TestRenderGitHubEscapes checks the escaping of workflow commands: in a
// property (the file, cleaned of ./ and ..) %, ":" and ","; in the
// message %; CR and LF, in either, are shown escaped as every control
// character is (\r, \n), so that a message stays on its line.
func TestRenderGitHubEscapes(t *testing.T) {
	ds := Diagnostics{{Severity: SeverityWarning, Pos: Pos{File: "./plans/../plans/dc1,dc2:100%.yaml", Line: 3, Col: 2},
		Message: "50% of a, b: c\r\nnext ::error::"}}
	var b bytes.Buffer
	if err := RenderGitHub(&b, ds); err != nil {
		t.Fatal(err)
	}
	want := "::warning file=" + filepath.FromSlash("plans/") + "dc1%2Cdc2%3A100%25.yaml,line=3,col=2::50%25 of a, b: c\\r\\nnext ::error::\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

// TestRenderGitHubOverTheLimit checks that past GitHub's 10 annotations
// of a kind per step a notice gives the totals, and that every finding
// is still written.
func TestRenderGitHubOverTheLimit(t *testing.T) {
	tests := []struct {
		name        string
		errs, warns int
		notice      string
	}{
		{"ten of each", 10, 10, ""},
		{"eleven errors", 11, 0, "::notice::failover validate found 11 error(s) and 0 warning(s); GitHub shows 10 annotations of each kind per step, this log lists them all\n"},
		{"eleven warnings", 1, 11, "::notice::failover validate found 1 error(s) and 11 warning(s); GitHub shows 10 annotations of each kind per step, this log lists them all\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ds Diagnostics
			for i := range tt.errs + tt.warns {
				sev := SeverityError
				if i >= tt.errs {
					sev = SeverityWarning
				}
				ds = append(ds, Diagnostic{Severity: sev, Pos: Pos{File: "p.yaml", Line: i + 1, Col: 1}, Message: "m"})
			}
			var b bytes.Buffer
			if err := RenderGitHub(&b, ds); err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(b.String(), "\n")
			if got := strings.Count(b.String(), "::m\n"); got != tt.errs+tt.warns {
				t.Errorf("%d findings written, want %d", got, tt.errs+tt.warns)
			}
			if last := lines[len(lines)-2]; strings.HasPrefix(last, "::notice") != (tt.notice != "") || (tt.notice != "" && last != tt.notice) {
				t.Errorf("last line %q, want notice %q", last, tt.notice)
			}
		})
	}
}

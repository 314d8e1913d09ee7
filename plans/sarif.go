package plans

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
)

// sarifRuleID is the one rule every finding of failover validate falls
// under; the message says what is wrong.
const sarifRuleID = "plan-validation"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// RenderSARIF writes the diagnostics of any number of files as one
// SARIF 2.1.0 log (tool name "failover"), for code-scanning services.
// File paths are written as URIs: relative as given, with forward
// slashes; absolute (/srv/plans, D:\plans, \\server\share) as file URIs.
func RenderSARIF(w io.Writer, sets ...Diagnostics) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "failover",
			InformationURI: "https://github.com/failover-dev/failover",
			Rules:          []sarifRule{{ID: sarifRuleID, ShortDescription: sarifMessage{Text: "Plan file validation"}}},
		}},
		ColumnKind: "unicodeCodePoints", // columns count characters, not UTF-16 units
		Results:    []sarifResult{},
	}
	for _, d := range flatten(sets) {
		if fromFlag(d.Pos) { // no file to point at: say which flag
			run.Results = append(run.Results, sarifResult{RuleID: sarifRuleID, Level: string(d.Severity),
				Message: sarifMessage{Text: d.Pos.File + ": " + d.Message}, Locations: []sarifLocation{}})
			continue
		}
		loc := sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(d.Pos.File)}}
		if d.Pos.Line > 0 {
			loc.Region = &sarifRegion{StartLine: d.Pos.Line, StartColumn: d.Pos.Col}
		}
		run.Results = append(run.Results, sarifResult{RuleID: sarifRuleID, Level: string(d.Severity),
			Message: sarifMessage{Text: d.Message}, Locations: []sarifLocation{{PhysicalLocation: loc}}})
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifURI turns a file path, written on any OS, into a URI reference:
// separators become "/", characters a URI cannot hold (a space, "%",
// "#") are percent-encoded, and an absolute path becomes a file URI
// (D:\plans\a.yaml is file:///D:/plans/a.yaml, \\srv\share\a.yaml is
// file://srv/share/a.yaml).
func sarifURI(p string) string {
	s := toSlash(p)
	switch {
	case strings.HasPrefix(s, "//"):
		host, rest, _ := strings.Cut(s[2:], "/")
		return (&url.URL{Scheme: "file", Host: host, Path: "/" + rest}).String()
	case isAbsAnyOS(s):
		if !strings.HasPrefix(s, "/") {
			s = "/" + s
		}
		return (&url.URL{Scheme: "file", Path: s}).String()
	}
	return (&url.URL{Path: s}).String()
}

// toSlash turns Windows separators into URI ones on every OS.
func toSlash(p string) string {
	b := []byte(p)
	for i, c := range b {
		if c == '\\' {
			b[i] = '/'
		}
	}
	return string(b)
}

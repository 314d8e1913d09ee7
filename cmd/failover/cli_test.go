package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/internal/reference"
	"github.com/failover-dev/failover/plans"
)

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodPlan = "version: 1\nname: good\nsteps:\n  - { id: a, action: wait, with: { duration: 1s } }\n"
const badPlan = "version: 1\nname: bad\nsteps:\n  - { id: a, action: wait, with: { duration: never } }\n"

// TestExitCodes pins the exit-code table of DESIGN.md for the offline
// commands: 0 valid, 1 invalid (validate), 2 bad usage or a plan that
// cannot be shown.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", goodPlan)
	bad := writeFile(t, dir, "bad.yaml", badPlan)
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"valid plan", []string{"validate", good}, exitOK},
		{"invalid plan", []string{"validate", good, bad}, exitFailed},
		{"missing file", []string{"validate", filepath.Join(dir, "nope.yaml")}, exitFailed},
		{"glob matching nothing", []string{"validate", filepath.Join(dir, "x", "**", "*.yaml")}, exitUsage},
		{"no argument", []string{"validate"}, exitUsage},
		{"unknown format", []string{"validate", "--format", "xml", good}, exitUsage},
		{"unknown command", []string{"frobnicate"}, exitUsage},
		{"unknown flag", []string{"validate", "--nope", good}, exitUsage},
		{"plan of a valid plan", []string{"plan", good}, exitOK},
		{"plan of an invalid plan", []string{"plan", bad}, exitUsage},
		{"graph of an invalid plan", []string{"graph", bad}, exitUsage},
		{"bad --var", []string{"plan", "--var", "novalue", good}, exitUsage},
		{"validate with a bad --var", []string{"validate", "--var", "novalue", good}, exitUsage},
		{"validate with a bad --var name", []string{"validate", "--var", "a.b=1", good, bad}, exitUsage},
		{"validate with a missing --vars-file", []string{"validate", "--vars-file", filepath.Join(dir, "nope.yaml"), good}, exitUsage},
		{"validate with a folder as --vars-file", []string{"validate", "--vars-file", dir, good}, exitUsage},
		{"graph with a missing --vars-file", []string{"graph", "--vars-file", filepath.Join(dir, "nope.yaml"), good}, exitUsage},
		{"validate with a good --var", []string{"validate", "--var", "x=a=b", good}, exitOK},
		{"bad log format", []string{"--log-format", "xml", "validate", good}, exitUsage},
		{"unknown type", []string{"actions", "nosuch"}, exitUsage},
		{"validate a directory", []string{"validate", dir}, exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestActionsDocUpToDate fails when docs/actions.md differs from what
// `failover actions --format markdown` writes: regenerate it with
// `make docs`.
func TestActionsDocUpToDate(t *testing.T) {
	want := reference.Markdown(builtin.New())
	got, err := os.ReadFile("../../docs/actions.md")
	if err != nil {
		t.Fatalf("read docs/actions.md: %v (run `make docs`)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/actions.md is out of date: run `make docs`")
	}
	code, stdout, _ := cli(t, "actions", "--format", "markdown")
	if code != 0 || stdout != string(want) {
		t.Errorf("`failover actions --format markdown` exit %d, output differs from reference.Markdown", code)
	}
}

// TestExamplesValidate validates every plan under examples/, at any
// depth, as `failover validate 'examples/**/*.yaml'` does (a base plan
// through the plans that extend it), so examples cannot rot: no error
// and no warning.
func TestExamplesValidate(t *testing.T) {
	var files []string
	err := filepath.WalkDir("../../examples", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) < 2 {
		t.Fatalf("want the example plans, found %d: %v", len(files), err)
	}
	res := validateFiles(files, plans.Options{Registry: builtin.New()})
	if len(res.diags) > 0 || res.invalid > 0 {
		var b bytes.Buffer
		plans.RenderText(&b, res.diags, os.ReadFile)
		t.Errorf("examples have %d invalid file(s) and diagnostics:\n%s", res.invalid, b.String())
	}
	if res.bases == 0 {
		t.Errorf("want examples/demo/common.yaml checked as a base plan, got no base among %q", files)
	}
}

// TestFlowReadsBack checks that plan's one-line rendering of lists and
// mappings is YAML that reads back as the same values, for the strings
// plans hold: Windows paths, UNC shares, queries, quotes, YAML's words.
func TestFlowReadsBack(t *testing.T) {
	tests := []struct {
		name string
		s    string
	}{
		{"UNC share", `\\dc1-sql01\logship\mgc`},
		{"drive path", `D:\LogShip`},
		{"glob", "*.trn"},
		{"query", "SELECT 1 WHERE a < b && c > d"},
		{"empty", ""},
		{"boolean word", "yes"},
		{"number", "0x1F"},
		{"null word", "~"},
		{"quote", "it's"},
		{"colon space", "x: y"},
		{"trailing colon", "key:"},
		{"comment sign", "a #b"},
		{"flow signs", "a,[b]{c}"},
		{"leading dash", "-d"},
		{"lone dash", "-"},
		{"leading space", " x"},
		{"line break", "one\ntwo"},
		{"tab", "a\tb"},
		{"umlaut and en dash", "Größe – München"},
		{"percent", "100%"},
		{"anchor sign", "&x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := flow(map[string]any{tt.s + "k": []any{tt.s}})
			var got map[string][]any
			if err := yaml.Unmarshal([]byte(text), &got); err != nil {
				t.Fatalf("%s does not parse: %v", text, err)
			}
			if v := got[tt.s+"k"]; len(v) != 1 || v[0] != any(tt.s) {
				t.Errorf("%s reads back as %q, want [%q]", text, got, tt.s)
			}
		})
	}
}

// TestGlobError checks that a directory a pattern cannot list is named
// in full, not relative to the pattern's fixed part as doublestar has it.
func TestGlobError(t *testing.T) {
	denied := &fs.PathError{Op: "open", Path: "dc1/locked", Err: fs.ErrPermission}
	tests := []struct {
		name, pattern string
		err           error
		want          string
	}{
		{"relative", "plans/**/*.yaml", denied, "open " + filepath.Join("plans", "dc1", "locked") + ": permission denied"},
		{"from the current directory", "**/*.yaml", denied, "open " + filepath.Join("dc1", "locked") + ": permission denied"},
		{"not a path error", "plans/*.yaml", fs.ErrClosed, fs.ErrClosed.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := globError(tt.pattern, tt.err).Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestExpandUnlistableDirectory checks that a glob over a directory that
// cannot be listed fails instead of skipping the plans it may hold.
func TestExpandUnlistableDirectory(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("needs a user whom file modes bind")
	}
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a.yaml", "version: 1\n")
	writeFile(t, locked, "b.yaml", "version: 1\n")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(locked, 0o755) })
	if files, err := expandPlanArgs([]string{filepath.Join(dir, "**", "*.yaml")}); err == nil {
		t.Errorf("want an error naming %s, got files %v", locked, files)
	}
}

// TestCompactOneLine checks that compact keeps every value on one line,
// as the check and target lines of plan need: a script of several lines
// is quoted with \n.
func TestCompactOneLine(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"one-line string as it is", `D:\LogShip`, `D:\LogShip`},
		{"several lines quoted", "test -d /tmp\ntest -d /var\n", `"test -d /tmp\ntest -d /var\n"`},
		{"CRLF quoted", "a\r\nb", `"a\r\nb"`},
		{"list", []any{"-c", "x\ny"}, `[-c, "x\ny"]`},
		{"number", 3, "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compact(tt.v); got != tt.want {
				t.Errorf("compact(%q) = %s, want %s", tt.v, got, tt.want)
			}
		})
	}
}

// TestUnreadableVarsFile checks that a --vars-file that exists but cannot
// be read is bad usage too (exit 2), not a finding in every plan.
func TestUnreadableVarsFile(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("needs a user whom file modes bind")
	}
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", goodPlan)
	vars := writeFile(t, dir, "vars.yaml", "x: 1\n")
	if err := os.Chmod(vars, 0); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "validate", "--vars-file", vars, good); code != exitUsage || !strings.Contains(stderr, "permission denied") {
		t.Errorf("exit %d, want %d naming the permission; stderr:\n%s", code, exitUsage, stderr)
	}
}

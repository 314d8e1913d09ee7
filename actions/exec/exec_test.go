package exec

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/rs/zerolog"
)

// helperParams runs the test binary in the given helper mode.
func helperParams(t *testing.T, mode string, args ...string) *Params {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return &Params{Program: self, Args: args, Env: map[string]string{helperEnv: mode}, MaxOutput: DefaultMaxOutput}
}

// testEnv returns an Env whose log goes to buf and which masks "hunter2".
func testEnv(buf *bytes.Buffer) *actions.Env {
	return &actions.Env{
		Log:    zerolog.New(buf),
		StepID: "s1",
		Redact: func(s string) string { return strings.ReplaceAll(s, "hunter2", "***") },
	}
}

func TestRunOutputs(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{name: "one line", args: []string{"hello"}, stdout: "hello"},
		{name: "several lines", args: []string{"a", "b c", "d"}, stdout: "a\nb c\nd"},
		{name: "no output", args: nil, stdout: ""},
		{name: "secret masked", args: []string{"password is hunter2"}, stdout: "password is ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			out, err := run(context.Background(), testEnv(&log), helperParams(t, "echo", tt.args...))
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			want := map[string]any{"stdout": tt.stdout, "stderr": "warning", "exit_code": int64(0)}
			for k, v := range want {
				if out[k] != v {
					t.Errorf("output %s = %#v, want %#v", k, out[k], v)
				}
			}
			if strings.Contains(log.String(), "hunter2") {
				t.Errorf("log holds the secret: %s", log.String())
			}
		})
	}
}

func TestRunLogsEveryLine(t *testing.T) {
	var log bytes.Buffer
	if _, err := run(context.Background(), testEnv(&log), helperParams(t, "echo", "first", "second")); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"level":"info","stream":"stdout","message":"first"}`,
		`{"level":"info","stream":"stdout","message":"second"}`,
		`{"level":"info","stream":"stderr","message":"warning"}`,
	}
	for _, w := range want {
		if !strings.Contains(log.String(), w) {
			t.Errorf("log lacks %s:\n%s", w, log.String())
		}
	}
}

func TestRunKeepsTheEndOfLongOutput(t *testing.T) {
	p := helperParams(t, "lines", "20000") // 240,000 bytes
	p.MaxOutput = 1000
	out, err := run(context.Background(), testEnv(&bytes.Buffer{}), p)
	if err != nil {
		t.Fatal(err)
	}
	stdout := out["stdout"].(string)
	if len(stdout) > 1000 {
		t.Errorf("stdout has %d bytes, want at most 1000", len(stdout))
	}
	if !strings.HasSuffix(stdout, "line 020000") || strings.Contains(stdout, "line 000001") {
		t.Errorf("stdout is not the end of the output: %q…", stdout[:40])
	}
}

func TestRunEnvAndDir(t *testing.T) {
	dir := t.TempDir()
	p := helperParams(t, "env", "FAILOVER_TEST_VALUE")
	p.Env["FAILOVER_TEST_VALUE"] = "from the plan"
	p.Dir = dir
	out, err := run(context.Background(), testEnv(&bytes.Buffer{}), p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out["stdout"].(string), "\n")
	if lines[0] != "from the plan" {
		t.Errorf("env value = %q, want %q", lines[0], "from the plan")
	}
	if got, _ := filepath.EvalSymlinks(lines[1]); got != mustEval(t, dir) {
		t.Errorf("working dir = %q, want %q", lines[1], dir)
	}
}

func mustEval(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name   string
		params func(t *testing.T) *Params
		class  actions.Class
		msg    []string
	}{
		{
			name:   "non-zero exit names program, code and last stderr line",
			params: func(t *testing.T) *Params { return helperParams(t, "exit", "3", "first", "disk full: hunter2", "") },
			class:  actions.Unknown,
			msg:    []string{"exited with code 3: disk full: ***"},
		},
		{
			name:   "program not found",
			params: func(*testing.T) *Params { return &Params{Program: "failover-no-such-program", MaxOutput: 10} },
			class:  actions.Permanent,
			msg:    []string{"failover-no-such-program"},
		},
		{
			name: "missing working directory",
			params: func(t *testing.T) *Params {
				p := helperParams(t, "echo")
				p.Dir = filepath.Join(t.TempDir(), "gone")
				return p
			},
			class: actions.Permanent,
			msg:   []string{"use working directory: ", "gone"},
		},
		{
			name: "working directory is a file",
			params: func(t *testing.T) *Params {
				p := helperParams(t, "echo")
				p.Dir = p.Program
				return p
			},
			class: actions.Permanent,
			msg:   []string{"not a directory"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(context.Background(), testEnv(&bytes.Buffer{}), tt.params(t))
			if err == nil {
				t.Fatalf("run succeeded with %v, want an error", out)
			}
			if got := actions.ClassOf(err); got != tt.class {
				t.Errorf("class = %s, want %s (%v)", got, tt.class, err)
			}
			for _, m := range tt.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q lacks %q", err, m)
				}
			}
		})
	}
}

func TestRunTimeoutIsRetryable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := run(ctx, testEnv(&bytes.Buffer{}), helperParams(t, "sleep"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if actions.ClassOf(err) != actions.Retryable {
		t.Errorf("class = %s, want retryable", actions.ClassOf(err))
	}
}

func TestRunRelativeProgramIsTakenFromDir(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	name := "helper" + filepath.Ext(self)
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
		t.Fatal(err)
	}
	p := helperParams(t, "echo", "from dir")
	p.Program = "." + string(filepath.Separator) + name
	p.Dir = dir
	out, err := run(context.Background(), testEnv(&bytes.Buffer{}), p)
	if err != nil {
		t.Fatalf("run %s in %s: %v", p.Program, dir, err)
	}
	if out["stdout"] != "from dir" {
		t.Errorf("stdout = %q, want %q", out["stdout"], "from dir")
	}
}

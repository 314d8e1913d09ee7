package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// cli runs the command tree in-process as main's run does, without a
// terminal, and returns the exit code and both streams.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	a := newApp(strings.NewReader(""), &out, &errb)
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	a.closeState()
	var se *silentError
	if err != nil && !errors.As(err, &se) {
		fmt.Fprintf(&errb, "failover: %s\n", err)
	}
	return exitCode(err), out.String(), errb.String()
}

// syncBuffer is a bytes.Buffer safe for the engine's workers, which log
// concurrently (os.Stderr is; a bare bytes.Buffer is not).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// writePlan writes a plan whose steps are exec.run of this test binary
// standing in for a program: `--version` succeeds, `no-such-command`
// fails with exit 2. body holds the steps, with PROGRAM for the binary.
func writePlan(t *testing.T, body string) (dir, plan string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("FAILOVER_STATE_DIR", filepath.Join(dir, "state"))
	bin, err := filepath.Abs(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	text := "version: 1\nname: cli-test\nsteps:\n" + strings.ReplaceAll(body, "PROGRAM", filepath.ToSlash(bin))
	plan = filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, plan
}

const okStep = `  - id: %s
    action: exec.run
    with: { program: "PROGRAM", args: ["--version"], env: { FAILOVER_TEST_MAIN: "1" } }
`

const failStep = `  - id: %s
    action: exec.run
    needs: [%s]
    with: { program: "PROGRAM", args: ["no-such-command"], env: { FAILOVER_TEST_MAIN: "1" } }
`

func steps(parts ...string) string { return strings.Join(parts, "") }

func TestApplyExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		args       []string
		wantCode   int
		wantOut    []string
		wantErr    []string
		wantNoRuns bool
	}{
		{"no terminal and no --auto-approve refuses", fmt.Sprintf(okStep, "one"), nil, exitUsage,
			[]string{`Plan cli-test`, `1\. one \(exec\.run\)`}, []string{"no terminal to ask for confirmation", "--auto-approve"}, true},
		{"all steps succeed", steps(fmt.Sprintf(okStep, "one"), fmt.Sprintf(okStep, "two")), []string{"--auto-approve"}, exitOK,
			[]string{`one +succeeded +1`, `two +succeeded +1`, `: succeeded`}, nil, false},
		{"a failing step", steps(fmt.Sprintf(okStep, "one"), fmt.Sprintf(failStep, "two", "one"),
			"  - id: three\n    action: wait\n    needs: [two]\n    with: { duration: 1ms }\n"), []string{"--auto-approve"}, exitFailed,
			[]string{`two +failed`, `three +skipped`, `upstream failed: two`, `Failed: two`}, []string{"step two failed"}, false},
		{"--only runs just that step", steps(fmt.Sprintf(okStep, "one"), fmt.Sprintf(failStep, "two", "one")),
			[]string{"--auto-approve", "--only", "one"}, exitOK, []string{`one +succeeded`, `two +pending`}, nil, false},
		{"--approve without a terminal starts; another approval waits", "  - { id: a, action: approval }\n" +
			"  - { id: b, action: approval, needs: [a] }\n", []string{"--approve", "a"}, exitWaiting,
			[]string{`a +succeeded`, `b +waiting`}, []string{"waiting for approval of b"}, false},
		{"parallelism below one is bad usage", fmt.Sprintf(okStep, "one"), []string{"--auto-approve", "--parallelism", "0"},
			exitUsage, nil, []string{"--parallelism 0: want at least 1"}, true},
		{"missing secret cannot run", "  - id: one\n    action: exec.run\n    with: { program: \"PROGRAM\", env: { P: \"${secrets.pw}\" } }\n" +
			"secrets:\n  pw: { env: CLI_TEST_UNSET_SECRET }\n", []string{"--auto-approve"}, exitUsage,
			nil, []string{"CLI_TEST_UNSET_SECRET is not set"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, plan := writePlan(t, tt.body)
			code, out, stderr := cli(t, append([]string{"apply", plan, "--log-format", "json"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, stderr)
			}
			for _, w := range tt.wantOut {
				if !regexp.MustCompile(w).MatchString(out) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			runs, _ := journal.List(filepath.Join(dir, "state"))
			if tt.wantNoRuns && len(runs) > 0 {
				t.Errorf("a run was journaled although nothing may run")
			}
		})
	}
}

// Without a terminal apply starts only with --auto-approve, which also
// passes approval steps, journaled as such. (The wait for an approval,
// exit 3, is covered in engine's TestApproval.)
func TestAutoApprovePassesApprovals(t *testing.T) {
	dir, plan := writePlan(t, steps(fmt.Sprintf(okStep, "one"), "  - id: gate\n    action: approval\n    needs: [one]\n",
		"  - id: after\n    action: wait\n    needs: [gate]\n    with: { duration: 1ms }\n"))
	code, out, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json")
	if code != exitOK {
		t.Fatalf("apply --auto-approve: exit %d\n%s%s", code, out, stderr)
	}
	runs, _ := journal.List(filepath.Join(dir, "state"))
	code, out, _ = cli(t, "journal", "dump", runs[0].RunID)
	if code != exitOK || !strings.Contains(out, `"Type":"step-approved","Step":"gate"`) || !strings.Contains(out, `"how":"--auto-approve"`) {
		t.Errorf("journal dump lacks the approval: exit %d\n%s", code, out)
	}
	code, out, stderr = cli(t, "resume", plan)
	if code != exitUsage || !strings.Contains(stderr, "has finished") {
		t.Errorf("resume of a finished run: exit %d\n%s%s", code, out, stderr)
	}
}

// With --yes and no terminal, apply starts without asking, and an approval
// step stops the run with exit 3 until `resume --approve STEP`.
func TestYesWaitsForApproval(t *testing.T) {
	_, plan := writePlan(t, steps(fmt.Sprintf(okStep, "one"), "  - id: gate\n    action: approval\n    needs: [one]\n",
		"  - id: after\n    action: wait\n    needs: [gate]\n    with: { duration: 1ms }\n"))
	code, out, stderr := cli(t, "apply", plan, "--yes")
	if code != exitWaiting || !strings.Contains(out+stderr, "waiting for approval of gate") {
		t.Fatalf("apply --yes: exit %d, want %d with \"waiting for approval of gate\"\n%s%s", code, exitWaiting, out, stderr)
	}
	if !regexp.MustCompile(`after +(pending|skipped)`).MatchString(out) {
		t.Errorf("the step after the approval ran or is not shown:\n%s", out)
	}
	code, out, stderr = cli(t, "resume", plan, "--approve", "gate")
	if code != exitOK || !regexp.MustCompile(`after +succeeded`).MatchString(out) {
		t.Errorf("resume --approve gate: exit %d\n%s%s", code, out, stderr)
	}
}

func TestResumeInDoubtCLI(t *testing.T) {
	dir, plan := writePlan(t, steps(fmt.Sprintf(okStep, "one"), fmt.Sprintf(failStep, "two", "one")))
	state := filepath.Join(dir, "state")
	if code, out, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitFailed {
		t.Fatalf("apply: exit %d\n%s%s", code, out, stderr)
	}
	runs, err := journal.ListPlan(state, "cli-test")
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	// Make two in doubt: a start record without an outcome, as after a crash.
	w, _, err := journal.Open(journal.OSFS{}, runs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.AppendSync(journal.Record{Type: engine.RecStepStarted, Step: "two", Attempt: 2}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	code, out, stderr := cli(t, "resume", plan, "--log-format", "json")
	if code != exitWaiting {
		t.Fatalf("resume: exit %d, want 3\n%s%s", code, out, stderr)
	}
	for _, w := range []string{"step two (exec.run) is in doubt: attempt 2 started", "--retry two", "--mark-done two --note"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	code, out, _ = cli(t, "status", plan)
	if code != exitOK || !regexp.MustCompile(`two +in-doubt`).MatchString(out) {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	code, out, stderr = cli(t, "resume", plan, "--mark-done", "two", "--note", "ran it by hand", "--log-format", "json")
	if code != exitOK {
		t.Fatalf("resume --mark-done: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = cli(t, "journal", "dump", runs[0].RunID)
	if code != exitOK || !strings.Contains(out, `"Type":"step-marked-done","Step":"two"`) || !strings.Contains(out, `"Note":"ran it by hand"`) {
		t.Errorf("journal dump: exit %d\n%s", code, out)
	}
	var hdr struct{ Header journal.Header }
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &hdr); err != nil || hdr.Header.PlanName != "cli-test" {
		t.Errorf("first line is not the header: %v %+v", err, hdr)
	}
}

// Ctrl-C while apply waits for its confirmation ends it at once with 130,
// before anything ran.
func TestInterruptAtConfirmation(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	stdin, w := io.Pipe() // an answer that never comes
	defer w.Close()
	var out, errb syncBuffer
	root := newRootCmd(newApp(stdin, &out, &errb))
	root.SetArgs([]string{"apply", plan})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := root.ExecuteContext(ctx)
	if code := exitCode(err); code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %v\n%s", code, exitInterrupted, err, errb.String())
	}
	if _, serr := os.Stat(filepath.Join(dir, "state", "cli-test")); serr == nil {
		t.Errorf("the state dir has the plan's directory: something ran")
	}
}

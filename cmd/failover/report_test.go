package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
)

// varStep is a step whose parameters use ${vars.x}.
const varStep = `  - id: two
    action: exec.run
    with: { program: "PROGRAM", args: ["--version"], env: { FAILOVER_TEST_MAIN: "1", X: "${vars.x}" } }
vars: { x: "0" }
`

// appliedRun applies a plan of two steps and returns its journal.
func appliedRun(t *testing.T, extra ...string) (plan string, run journal.RunInfo) {
	t.Helper()
	dir, plan := writePlan(t, steps(fmt.Sprintf(okStep, "one"), varStep))
	if code, _, stderr := cli(t, append([]string{"apply", plan, "--auto-approve", "--log-format", "json"}, extra...)...); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	runs, err := journal.List(filepath.Join(dir, "state"))
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v, %v", runs, err)
	}
	return plan, runs[0]
}

// A damaged journal is reported as far as it can be read, and says so;
// damage followed by good records makes the report incomplete (exit 1).
func TestReportDamagedJournal(t *testing.T) {
	tests := []struct {
		name     string
		damage   func(t *testing.T, path string)
		wantCode int
		want     []string
	}{
		{"a torn tail", func(t *testing.T, path string) {
			appendBytes(t, path, []byte{0x20, 0, 0, 0, 1, 2})
		}, exitOK, []string{"a torn tail", "This report shows the"}},
		{"damage before good records", func(t *testing.T, path string) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Flip a byte inside the last record: the run's end is lost.
			data[len(data)-5] ^= 0xff
			appendFrame(t, path, data)
		}, exitFailed, []string{"good records follow it", "journal repair"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, run := appliedRun(t)
			tt.damage(t, run.Path)
			code, out, stderr := cli(t, "report", run.RunID)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) || !strings.Contains(out, w) {
					t.Errorf("stderr and the report must both say %q\nstderr:\n%s\nreport:\n%s", w, stderr, out)
				}
			}
			if !strings.Contains(out, "> **Warning:** journal ") || !strings.Contains(out, "`one`") {
				t.Errorf("the report does not show what could be read, with the warning first:\n%s", out)
			}
		})
	}
}

// appendFrame rewrites path as data followed by a copy of its last
// record's frame (a good record after the damage).
func appendFrame(t *testing.T, path string, damaged []byte) {
	t.Helper()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The last frame of the good file: a good frame after the damage.
	cut := lastFrameStart(t, path, good)
	if err := os.WriteFile(path, append(damaged, good[cut:]...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lastFrameStart finds where the journal's last frame starts by cutting
// the file back one byte at a time until it reads one record fewer.
func lastFrameStart(t *testing.T, path string, data []byte) int {
	t.Helper()
	rep, _ := journal.Read(journal.OSFS{}, path)
	n := len(rep.Records)
	tmp := filepath.Join(t.TempDir(), "cut.journal")
	for cut := len(data) - 1; cut > 0; cut-- {
		if err := os.WriteFile(tmp, data[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		if r, err := journal.Read(journal.OSFS{}, tmp); err == nil && r.Damage == nil && len(r.Records) == n-1 {
			return cut
		}
	}
	t.Fatal("no frame boundary found")
	return 0
}

func appendBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}

// A journal of another format version is refused by name, never read in
// part.
func TestReportOldJournalFormat(t *testing.T) {
	_, run := appliedRun(t)
	data, err := os.ReadFile(run.Path)
	if err != nil {
		t.Fatal(err)
	}
	copy(data, "FOJRNL01")
	if err := os.WriteFile(run.Path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := cli(t, "report", run.Path)
	if code != exitFailed || out != "" || !strings.Contains(stderr, "journal format 01 was written by an older failover") {
		t.Errorf("exit %d, want 1 with the format named\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
	}
}

// The plan adds what only it knows (descriptions, rto budgets) only when
// it is the plan the run ran: the same file, with the same vars.
func TestReportPlanOfTheRun(t *testing.T) {
	plan, run := appliedRun(t, "--var", "x=1")
	tests := []struct {
		name string
		args []string
		move bool
		want string
	}{
		{"the journal's plan file, without the run's --var", []string{"report", run.RunID}, false,
			"is not the plan the run ran (its hash"},
		{"the journal's plan file with the run's --var", []string{"report", run.RunID, "--var", "x=1"}, false, ""},
		{"the plan file given, with --run", []string{"report", plan, "--run", run.RunID, "--var", "x=1"}, false, ""},
		{"the plan file moved away", []string{"report", run.RunID, "--var", "x=1"}, true,
			"which the run was started with, is not there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.move {
				if err := os.Rename(plan, plan+".moved"); err != nil {
					t.Fatal(err)
				}
				defer os.Rename(plan+".moved", plan)
			}
			code, out, stderr := cli(t, tt.args...)
			if code != exitOK || tt.want != "" && !strings.Contains(out, tt.want) ||
				tt.want == "" && strings.Contains(out, "the plan is not used") {
				t.Errorf("exit %d; want the report to say %q (\"\": that the plan is used)\n%s%s", code, tt.want, out, stderr)
			}
		})
	}
}

func TestReportUsage(t *testing.T) {
	plan, run := appliedRun(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"--run beside a run id", []string{"report", run.RunID, "--run", run.RunID}, "--run goes with a plan"},
		{"--run not a run id", []string{"report", plan, "--run", "latest"}, `--run "latest" is not a run id`},
		{"--run of another plan", []string{"report", "other-plan", "--run", run.RunID}, "is a run of plan cli-test, not of other-plan"},
		{"neither run nor plan", []string{"report", "Not A Plan"}, `"Not A Plan" is not a run id`},
		{"a missing plan file", []string{"report", "missing.yaml"}, "plan file missing.yaml"},
		{"a missing journal file", []string{"report", "missing.journal"}, "missing.journal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cli(t, tt.args...)
			if code != exitUsage || out != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 2 saying %q\nstdout:\n%s\nstderr:\n%s", code, tt.want, out, stderr)
			}
		})
	}
}

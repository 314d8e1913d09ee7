package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
)

// CLI tests of status, unlock and journal dump/repair; the helpers (cli,
// writePlan, okStep, failStep) are in apply_test.go.

func TestStatusListsRunsAndJSON(t *testing.T) {
	_, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitOK {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	code, out, _ := cli(t, "status")
	if code != exitOK || !strings.Contains(out, "cli-test") || !strings.Contains(out, "succeeded") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "status", plan, "--format", "json")
	var v runView
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || v.State != "succeeded" || len(v.Steps) != 1 || v.Steps[0].State != engine.StateSucceeded {
		t.Errorf("status --format json: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "status", "cli-test")
	if code != exitOK || !regexp.MustCompile(`one +succeeded +1`).MatchString(out) {
		t.Errorf("status by plan name: exit %d\n%s", code, out)
	}
	if code, _, _ := cli(t, "status", "20990101T000000Z-0000"); code != exitUsage {
		t.Errorf("status of an unknown run: exit %d, want 2", code)
	}
}

func TestUnlock(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	state := filepath.Join(dir, "state")
	old := time.Now().Add(-time.Hour)
	holder := lock.Info{RunID: "20261126T010000Z-beef", User: "alice", Host: "dc1-admin01", PID: 4242,
		Started: old, Heartbeat: old, Lease: time.Minute}
	if _, err := lock.Acquire(state, "cli-test", holder); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "apply", plan, "--auto-approve")
	if code != exitUsage || !strings.Contains(stderr, "alice") || !strings.Contains(stderr, "failover unlock") {
		t.Fatalf("apply under a stale lock: exit %d\n%s", code, stderr)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"no --run", []string{"unlock", plan}, exitUsage},
		{"wrong run", []string{"unlock", plan, "--run", "20261126T010000Z-0000", "--yes"}, exitUsage},
		{"no terminal and no --yes", []string{"unlock", plan, "--run", holder.RunID}, exitUsage},
		{"broken", []string{"unlock", "cli-test", "--run", holder.RunID, "--yes"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, out, stderr := cli(t, tt.args...); code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.wantCode, out, stderr)
			}
		})
	}
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve"); code != exitOK {
		t.Errorf("apply after unlock: exit %d\n%s", code, stderr)
	}
}

// The lock of a run alive on this host is never broken: two runs of one
// plan at once is what the lock is for.
func TestUnlockRefusesLiveHolderOnThisHost(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	state := filepath.Join(dir, "state")
	live := lock.Info{RunID: "20261126T010000Z-a11e", User: "bob", Host: lock.Hostname(), PID: os.Getpid()}
	if _, err := lock.Acquire(state, "cli-test", live); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := cli(t, "unlock", plan, "--run", live.RunID, "--yes")
	if code != exitUsage || !strings.Contains(stderr, "is alive on this host") || !strings.Contains(out, "is alive on this host") {
		t.Errorf("unlock of a live holder: exit %d, want 2\n%s%s", code, out, stderr)
	}
	if info, err := lock.Read(state, "cli-test"); err != nil || info.RunID != live.RunID {
		t.Errorf("the live holder's lock is gone: %+v, %v", info, err)
	}
}

func TestJournalRepair(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitOK {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	runs, _ := journal.List(filepath.Join(dir, "state"))
	id := runs[0].RunID
	if code, out, _ := cli(t, "journal", "repair", id); code != exitOK || !strings.Contains(out, "clean") {
		t.Errorf("repair of a clean journal: exit %d %s", code, out)
	}
	f, err := os.OpenFile(runs[0].Path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x20, 0, 0, 0, 1, 2}) // a torn frame
	f.Close()
	code, _, stderr := cli(t, "journal", "dump", id)
	if code != exitOK || !strings.Contains(stderr, "bad record at offset") {
		t.Errorf("dump of a torn journal: exit %d\n%s", code, stderr)
	}
	if code, out, _ := cli(t, "journal", "repair", id); code != exitOK || !strings.Contains(out, "cut back to offset") {
		t.Errorf("repair: exit %d %s", code, out)
	}
	if code, _, _ := cli(t, "journal", "dump", "not-a-run"); code != exitUsage {
		t.Errorf("dump of a bad run id: exit %d, want 2", code)
	}
}

// Damage followed by good records: every command names the offset and the
// repair that fits, and only a forced repair cuts the journal back.
func TestJournalDamagedInTheMiddle(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one")+strings.Replace(fmt.Sprintf(okStep, "two"), "with:", "needs: [one]\n    with:", 1))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitOK {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	runs, _ := journal.List(filepath.Join(dir, "state"))
	id, path := runs[0].RunID, runs[0].Path
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[strings.Index(string(b), `"step-started"`)+3] ^= 0x01
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	force := "`failover journal repair " + id + " --force`"
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"dump shows the good records and the way on", []string{"journal", "dump", id}, exitFailed, force},
		{"status lists the run as corrupt", []string{"status"}, exitOK, "corrupt at offset"},
		{"status of the run warns", []string{"status", id}, exitOK, force},
		{"resume refuses", []string{"resume", plan}, exitUsage, force},
		{"repair refuses without --force", []string{"journal", "repair", id}, exitFailed, force},
		{"repair --force cuts it back", []string{"journal", "repair", id, "--force"}, exitOK, "cut back to offset"},
		{"the steps the dropped records show started are in doubt", []string{"journal", "dump", id}, exitOK,
			`"Type":"step-interrupted","Step":"two"`},
		{"then it is clean", []string{"journal", "repair", id}, exitOK, "is clean"},
		{"status says why the run stopped", []string{"status", id}, exitOK, "stopped (its journal was cut back by `journal repair --force`"},
		// The dropped records showed both steps ran: neither runs again
		// on a guess.
		{"resume asks before running them again", []string{"resume", plan}, exitWaiting,
			"step one (exec.run) is in doubt: its records after offset "},
		{"and names both", []string{"resume", plan}, exitWaiting, "failover resume " + plan + " --retry two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cli(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(out+stderr, tt.want) {
				t.Errorf("exit %d, want %d and %q\n%s%s", code, tt.wantCode, tt.want, out, stderr)
			}
		})
	}
}

// A journal whose run holds the plan's lock is being written: repair
// leaves it alone.
func TestJournalRepairRefusesARunningRun(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitOK {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	state := filepath.Join(dir, "state")
	runs, _ := journal.List(state)
	f, err := os.OpenFile(runs[0].Path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x20, 0, 0, 0, 1, 2}) // a torn frame, as a live writer may leave for an instant
	f.Close()
	before, _ := os.ReadFile(runs[0].Path)
	live := lock.Info{RunID: runs[0].RunID, User: "bob", Host: lock.Hostname(), PID: os.Getpid()}
	if _, err := lock.Acquire(state, "cli-test", live); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{runs[0].RunID, runs[0].Path} {
		code, _, stderr := cli(t, "journal", "repair", arg, "--force")
		if code != exitUsage || !strings.Contains(stderr, "holds the lock of plan cli-test") {
			t.Errorf("repair %s of a running run: exit %d, want 2\n%s", arg, code, stderr)
		}
	}
	if after, _ := os.ReadFile(runs[0].Path); !bytes.Equal(before, after) {
		t.Errorf("the running run's journal was changed")
	}
}

// A run whose lock another host holds with an old heartbeat is shown as
// stale, naming who held it and how to break it.
func TestStatusShowsStaleLock(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one")+fmt.Sprintf(failStep, "two", "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitFailed {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	state := filepath.Join(dir, "state")
	runs, _ := journal.List(state)
	old := time.Now().Add(-time.Hour)
	if _, err := lock.Acquire(state, "cli-test", lock.Info{RunID: runs[0].RunID, User: "alice", Host: "dc9-admin01",
		PID: 4242, Started: old, Heartbeat: old, Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"list", []string{"status"}, []string{runs[0].RunID + "  stale lock "}},
		{"run", []string{"status", runs[0].RunID}, []string{"stale lock: held by alice on dc9-admin01 (pid 4242), no heartbeat for 1h",
			"longer than its lease of 1m0s; if that run is dead, `failover unlock cli-test --run " + runs[0].RunID + "`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cli(t, tt.args...)
			for _, w := range tt.want {
				if code != exitOK || !strings.Contains(out, w) {
					t.Errorf("exit %d, want 0 and %q\n%s%s", code, w, out, stderr)
				}
			}
		})
	}
}

// A pid of this host that exists but never renews the lock (reused after
// a reboot) does not make the lock unbreakable.
func TestUnlockPidReusedAfterReboot(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	state := filepath.Join(dir, "state")
	old := time.Now().Add(-time.Hour)
	holder := lock.Info{RunID: "20261126T010000Z-b007", User: "bob", Host: lock.Hostname(), PID: os.Getpid(),
		Started: old, Heartbeat: old, Lease: time.Minute}
	if _, err := lock.Acquire(state, "cli-test", holder); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, "apply", plan, "--yes")
	if code != exitUsage || !strings.Contains(stderr, "a pid reused after a reboot") ||
		!strings.Contains(stderr, "failover unlock "+plan+" --run "+holder.RunID) {
		t.Fatalf("apply: exit %d, want 2 and the way to unlock\n%s", code, stderr)
	}
	code, out, stderr := cli(t, "unlock", plan, "--run", holder.RunID, "--yes")
	if code != exitOK || !strings.Contains(out, "a pid reused after a reboot, or a hung run") {
		t.Fatalf("unlock: exit %d, want 0\n%s%s", code, out, stderr)
	}
	if code, _, stderr := cli(t, "apply", plan, "--yes"); code != exitOK {
		t.Errorf("apply after unlock: exit %d\n%s", code, stderr)
	}
}

// After breaking a lock, unlock sends the operator to resume only when the
// run left an unfinished journal: with no journal, or a finished one,
// there is nothing to resume.
func TestUnlockSaysWhatComesNext(t *testing.T) {
	tests := []struct {
		name  string
		steps string // "" for no run at all, only a lock
		want  string
	}{
		{"no journal", "", "run 20261126T010000Z-beef left no journal (it stopped before its first step): " +
			"there is nothing to resume; start the plan with `failover apply "},
		{"an unfinished run", steps(fmt.Sprintf(okStep, "zero"), fmt.Sprintf(failStep, "one", "zero")), "continue the run with `failover resume "},
		{"a finished run", fmt.Sprintf(okStep, "one"), "run 20261126T010000Z-beef had finished: there is nothing to resume; `failover apply "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, plan := writePlan(t, tt.steps)
			state := filepath.Join(dir, "state")
			runID := "20261126T010000Z-beef"
			if tt.steps != "" {
				cli(t, "apply", plan, "--auto-approve")
				runs, err := journal.ListPlan(state, "cli-test")
				if err != nil || len(runs) != 1 {
					t.Fatalf("runs: %v %v", runs, err)
				}
				runID = runs[0].RunID
			}
			old := time.Now().Add(-time.Hour)
			holder := lock.Info{RunID: runID, User: "alice", Host: "dc1-admin01", PID: 4242, Started: old, Heartbeat: old, Lease: time.Minute}
			if _, err := lock.Acquire(state, "cli-test", holder); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := cli(t, "unlock", plan, "--run", runID, "--yes")
			if code != exitOK || !strings.Contains(out, "Lock broken; "+strings.ReplaceAll(tt.want, "20261126T010000Z-beef", runID)) {
				t.Errorf("exit %d, want 0 and %q\n%s%s", code, tt.want, out, stderr)
			}
		})
	}
}

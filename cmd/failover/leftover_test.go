//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// TestLeftoverOfAKilledRun: failover is SIGKILLed while a step's program
// runs; the program lives on in its own process group. resume names it
// (step, pid, command) and never starts the step beside it;
// --kill-leftovers ends it, journaled; then the operator's --retry runs
// the step again.
func TestLeftoverOfAKilledRun(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	marker := filepath.Join(dir, "go-on")
	src := "version: 1\nname: leftover\nsteps:\n  - id: long\n    action: exec.run\n" +
		"    with: { program: sh, args: ['-c', 'test -f " + marker + " || exec sleep 300'] }\n"
	if err := os.WriteFile(plan, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	failover := func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1", "FAILOVER_STATE_DIR="+state)
		return cmd
	}
	apply := failover("apply", "--auto-approve", plan)
	if err := apply.Start(); err != nil {
		t.Fatal(err)
	}
	proc := waitForProcessRecord(t, state)
	if err := apply.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = apply.Wait()
	defer syscall.Kill(-proc.Group, syscall.SIGKILL)
	if err := syscall.Kill(-proc.Group, 0); err != nil {
		t.Fatalf("the step's program did not outlive failover: %v", err)
	}

	out, err := failover("resume", plan).CombinedOutput()
	if code := exitOf(err); code != 3 || !strings.Contains(string(out), "a program its last attempt started is still running") ||
		!strings.Contains(string(out), "pid "+strconv.Itoa(proc.PID)) || !strings.Contains(string(out), "sleep 300") {
		t.Fatalf("resume: exit %d\n%s\nwant exit 3 naming pid %d and its command", code, out, proc.PID)
	}
	out, err = failover("resume", plan, "--retry", "long").CombinedOutput()
	if code := exitOf(err); code != 3 || !strings.Contains(string(out), "still running") {
		t.Fatalf("resume --retry beside the leftover: exit %d\n%s", code, out)
	}
	if err := syscall.Kill(-proc.Group, 0); err != nil {
		t.Fatalf("resume ended the program without being asked: %v", err)
	}

	out, err = failover("resume", plan, "--kill-leftovers").CombinedOutput()
	if code := exitOf(err); code != 3 || !strings.Contains(string(out), "step long (exec.run) is in doubt") {
		t.Fatalf("resume --kill-leftovers: exit %d\n%s\nwant the step in doubt, its leftover ended", code, out)
	}
	if err := syscall.Kill(-proc.Group, 0); err == nil {
		t.Fatal("--kill-leftovers left the program running")
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := failover("resume", plan, "--retry", "long", "--note", "sleep was killed").CombinedOutput(); err != nil {
		t.Fatalf("resume --retry: %v\n%s", err, out)
	}
	rs := foldOnly(t, state)
	if !rs.Complete() || len(rs.Steps["long"].Processes) != 2 || !rs.Steps["long"].Processes[0].Killed {
		t.Errorf("run %q, processes %+v: want complete, the first process journaled as killed", rs.Ended, rs.Steps["long"].Processes)
	}
}

// waitForProcessRecord waits until the run's journal records the step's
// process, and returns it.
func waitForProcessRecord(t *testing.T, state string) journal.Process {
	t.Helper()
	for i := 0; i < 3000; i++ {
		runs, _ := journal.ListPlan(state, "leftover")
		if len(runs) == 1 {
			if rep, _ := journal.Read(journal.OSFS{}, runs[0].Path); rep != nil {
				for _, r := range rep.Records {
					if r.Type == engine.RecStepProcess && r.Process != nil {
						return *r.Process
					}
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the step's process was never journaled")
	return journal.Process{}
}

func foldOnly(t *testing.T, state string) *engine.RunState {
	t.Helper()
	runs, err := journal.ListPlan(state, "leftover")
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %v: %v", runs, err)
	}
	rep, err := journal.Read(journal.OSFS{}, runs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	return engine.Fold(rep)
}

func exitOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

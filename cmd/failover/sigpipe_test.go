//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// TestClosedStdoutDoesNotKillARun: `failover apply plan.yaml | head -4`
// — the reader of standard output and of the log reads a few lines and
// goes away; the run goes on to its end, and its journal holds every
// step's outcome.
func TestClosedStdoutDoesNotKillARun(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	var b strings.Builder
	b.WriteString("version: 1\nname: piped\nsteps:\n")
	for i := 0; i < 30; i++ {
		b.WriteString("  - id: s" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n    action: wait\n    with: { duration: 1ms }\n")
	}
	if err := os.WriteFile(plan, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "apply", "--auto-approve", plan)
	state := filepath.Join(dir, "state")
	cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1", "FAILOVER_STATE_DIR="+state)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout // both go to the reader that leaves
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for i := 0; i < 4 && sc.Scan(); i++ {
	}
	out.Close() // head -4 exits
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok && !ee.Exited() {
		t.Fatalf("failover was killed by a signal: %v", err)
	}
	runs, lerr := journal.ListPlan(state, "piped")
	if lerr != nil || len(runs) != 1 {
		t.Fatalf("runs %v: %v", runs, lerr)
	}
	rep, rerr := journal.Read(journal.OSFS{}, runs[0].Path)
	if rerr != nil {
		t.Fatal(rerr)
	}
	if rs := engine.Fold(rep); !rs.Complete() {
		t.Errorf("the run ended %q (exit %v): want it complete, with no step in doubt", rs.Ended, err)
	}
}

// TestClosedStdoutOfAReadingCommand: `failover schema | head -1` — a
// command that only prints stops when its reader goes away, and says
// nothing of the broken pipe: the reader chose to stop reading.
func TestClosedStdoutOfAReadingCommand(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader left before the first line
	cmd := exec.Command(os.Args[0], "schema")
	cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1")
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	w.Close()
	if ee, ok := err.(*exec.ExitError); ok && !ee.Exited() {
		t.Fatalf("failover was killed by a signal: %v", err)
	}
	if strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("stderr: %s, want nothing of the broken pipe", stderr.String())
	}
}

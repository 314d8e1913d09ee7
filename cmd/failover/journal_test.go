package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
)

// failedRun applies a plan of two steps, the second failing, and returns
// the plan, the run's id and journal.
func failedRun(t *testing.T) (dir, plan, id, path string) {
	t.Helper()
	dir, plan = writePlan(t, fmt.Sprintf(okStep, "one")+fmt.Sprintf(failStep, "two", "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitFailed {
		t.Fatalf("apply: %d %s", code, stderr)
	}
	runs, _ := journal.List(filepath.Join(dir, "state"))
	return dir, plan, runs[0].RunID, runs[0].Path
}

// flipByte flips one byte of a file.
func flipByte(t *testing.T, path string, off int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

type cliStep struct {
	name     string
	args     []string
	wantCode int
	want     []string
}

func runSteps(t *testing.T, steps []cliStep) {
	t.Helper()
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, stderr := cli(t, st.args...)
			if code != st.wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, st.wantCode, out, stderr)
			}
			for _, w := range st.want {
				if !strings.Contains(out+stderr, w) {
					t.Errorf("output lacks %q\n%s%s", w, out, stderr)
				}
			}
		})
	}
}

// A header with one flipped byte: every command says so and names the way
// on; dump shows every record past it; a forced repair rebuilds it, says
// what it rebuilt from what and keeps the file, and resume goes on.
func TestJournalHeaderDamageCLI(t *testing.T) {
	_, plan, id, path := failedRun(t)
	flipByte(t, path, 12) // the header frame's checksum
	force := "`failover journal repair " + id + " --force`"
	runSteps(t, []cliStep{
		{"apply says resume cannot continue", []string{"apply", plan, "--yes"}, exitUsage,
			[]string{"resume cannot continue", force, "`failover apply " + plan + " --new-run`"}},
		{"resume names the ways on", []string{"resume", plan}, exitUsage, []string{force, "--new-run"}},
		{"status lists it", []string{"status"}, exitOK, []string{"header damaged (see journal dump)"}},
		{"status of the run names the ways on", []string{"status", id}, exitFailed, []string{force}},
		{"dump shows the header's damage and every record", []string{"journal", "dump", id}, exitFailed,
			[]string{`{"header_damage":{`, `"reason":"checksum mismatch"`, `"Type":"run-started"`, `"Type":"step-failed","Step":"two"`, force}},
		{"repair says what --force would do", []string{"journal", "repair", id}, exitFailed,
			[]string{"found whole after it: ", "run id from the file name", force}},
		{"repair --force rebuilds it", []string{"journal", "repair", id, "--force"}, exitOK,
			[]string{"its damaged header (offset 8: checksum mismatch) was rebuilt", "The original is kept as " + path + ".torn-"}},
		{"the rebuild is journaled", []string{"journal", "dump", id}, exitOK, []string{`"Type":"journal-repaired"`, `"Header":"plan hash`}},
		{"resume goes on", []string{"resume", plan}, exitFailed, []string{"step two failed after 2 attempt(s)"}},
	})
	_, out, _ := cli(t, "journal", "dump", id)
	if n := strings.Count(out, `"Type":"step-started","Step":"one"`); n != 1 {
		t.Errorf("one started %d times, want once (never again after the repair)", n)
	}
}

// apply --new-run asks before setting an unfinished run aside (no answer:
// nothing done), and --yes answers; the new run's journal says what it set
// aside, and the old journal can still be dumped where it is kept.
func TestApplyNewRunCLI(t *testing.T) {
	_, plan, id, path := failedRun(t)
	damaged := flipByte(t, path, 30)
	runSteps(t, []cliStep{
		{"no answer, nothing done", []string{"apply", plan, "--new-run", "--auto-approve"}, exitUsage,
			[]string{"Run " + id + " of plan cli-test is unfinished: its journal's header is damaged", "pass --yes"}},
	})
	if got, _ := os.ReadFile(path); !bytes.Equal(got, damaged) {
		t.Fatalf("the unconfirmed --new-run changed the journal")
	}
	runSteps(t, []cliStep{
		{"--yes sets it aside", []string{"apply", plan, "--new-run", "--yes", "--log-format", "json"}, exitFailed,
			[]string{"set the unfinished run aside"}},
		{"the old journal is kept", []string{"journal", "dump", path + ".set-aside"}, exitFailed, []string{`"header_damage"`}},
		{"nothing more to set aside than the new run", []string{"status"}, exitOK, []string{"failed"}},
	})
	runs, _ := journal.ListPlan(filepath.Join(filepath.Dir(filepath.Dir(path))), "cli-test")
	if len(runs) != 1 || runs[0].RunID == id {
		t.Fatalf("runs %+v, want the new run alone", runs)
	}
	runSteps(t, []cliStep{{"the new run says what it set aside", []string{"journal", "dump", runs[0].RunID}, exitOK,
		[]string{`"Type":"run-set-aside"`, `"RunID":"` + id + `"`, `"How":"--yes"`, `"KeptAs":"` + path + `.set-aside"`}}})
}

// A journal cut short at a record boundary: status and dump say so, with
// both numbers.
func TestCutShortCLI(t *testing.T) {
	_, plan, id, path := failedRun(t)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rp, _ := journal.Read(journal.OSFS{}, path)
	n := len(rp.Records)
	// Cut back to the header and two records, at a frame boundary.
	short := b[:len(b)-frameBytes(t, path, 2)]
	if err := os.WriteFile(path, short, 0o600); err != nil {
		t.Fatal(err)
	}
	both := fmt.Sprintf("holds 2 records, but the run synced %d", n)
	runSteps(t, []cliStep{
		{"status lists it", []string{"status"}, exitOK, []string{"cut short (see journal dump)"}},
		{"status of the run warns", []string{"status", id}, exitOK, []string{"journal cut short", both}},
		{"dump warns", []string{"journal", "dump", id}, exitFailed, []string{both}},
		{"resume refuses", []string{"resume", plan}, exitUsage, []string{both, "--new-run"}},
		{"repair without --force refuses", []string{"journal", "repair", id}, exitFailed, []string{both}},
		{"repair --force journals the loss", []string{"journal", "repair", id, "--force"}, exitOK,
			[]string{fmt.Sprintf("Lost: %d record(s) from record 3 on", n-2), "now in doubt"}},
	})
}

// frameBytes returns how many bytes the records after the first keep of
// the journal at path take.
func frameBytes(t *testing.T, path string, keep int) int {
	t.Helper()
	rp, err := journal.Read(journal.OSFS{}, path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Rebuild the kept part through the journal itself: header and the
	// first keep records, as the run wrote them.
	dir := t.TempDir()
	cp := filepath.Join(dir, "p", "r.journal")
	jw, err := journal.Create(journal.OSFS{}, cp, rp.Header)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rp.Records[:keep] {
		if _, err := jw.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	kept, _ := os.ReadFile(cp)
	if !bytes.Equal(kept, w[:len(kept)]) {
		t.Fatalf("the journal's first %d records do not re-encode as written", keep)
	}
	return len(w) - len(kept)
}

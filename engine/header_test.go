package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// flipHeader flips one byte of the journal's header frame: at off from
// the frame's start (0-3 its length, 4-7 its checksum, 8 on its JSON).
func flipHeader(t *testing.T, path string, off int) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[journalMagicSize+off] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// A header with one flipped byte: apply and resume refuse with the ways
// on, repair says what a forced rebuild keeps and guesses and changes
// nothing; forced, it rebuilds the header, keeps every record and says so
// in the journal, and resume continues without running again what
// succeeded. When the damaged header no longer decodes, its plan hash is
// unknown: resume says so, and --force (journaled) continues.
func TestDamagedHeaderWayOut(t *testing.T) {
	tests := []struct {
		name      string
		off       int
		needForce string
	}{
		{name: "checksum byte", off: 5},
		{name: "json structure", off: 8, needForce: "without the plan's hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, rc, sum, _ := stoppedRun(t)
			damaged := flipHeader(t, sum.JournalPath, tt.off)
			id := sum.RunID
			ways := []string{"`failover journal dump " + id + "`", "`failover journal repair " + id + " --force`",
				"`failover apply test.yaml --new-run`"}
			_, rerr := Resume(context.Background(), cfg, ResumeOptions{})
			_, aerr := Run(context.Background(), cfg)
			for _, err := range []error{rerr, aerr} {
				if ExitCode(err) != ExitCannotRun || !errors.Is(err, journal.ErrCorrupt) {
					t.Fatalf("err = %v, want the damaged header refused", err)
				}
				for _, w := range ways {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("refusal lacks %s:\n%v", w, err)
					}
				}
			}
			_, err := RepairJournal(store.NewLocal(cfg.StateDir, nil), sum.JournalPath, false, "tester")
			if err == nil || !strings.Contains(err.Error(), "found whole after it: 8 record(s)") {
				t.Errorf("repair without --force: %v", err)
			}
			if got, _ := os.ReadFile(sum.JournalPath); !bytes.Equal(got, damaged) {
				t.Fatalf("a refused repair changed the journal")
			}
			rr, err := RepairJournal(store.NewLocal(cfg.StateDir, nil), sum.JournalPath, true, "tester")
			if err != nil {
				t.Fatalf("repair --force: %v", err)
			}
			if kept, _ := os.ReadFile(rr.Copy); rr.Kept != 8 || rr.HeaderErr == nil || !bytes.Equal(kept, damaged) ||
				!strings.Contains(strings.Join(rr.Header, "; "), "run id from the file name") {
				t.Errorf("report %+v: want 8 records kept, the rebuilt header explained, the damaged file kept", rr)
			}
			rep := mustRead(t, sum.JournalPath)
			if last := rep.Records[len(rep.Records)-1]; last.Type != RecJournalRepaired || last.Repair == nil || last.Repair.Header == "" {
				t.Errorf("last record %+v: want the header's rebuild journaled", last)
			}
			_, err = Resume(context.Background(), cfg, ResumeOptions{})
			if tt.needForce != "" {
				if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), tt.needForce) {
					t.Fatalf("resume: err = %v, want %q", err, tt.needForce)
				}
				_, err = Resume(context.Background(), cfg, ResumeOptions{Force: true})
			}
			if err != nil { // c's second call passes
				t.Fatalf("resume: %v", err)
			}
			if got := calls(rc); got != "a=1 b=1 c=2" {
				t.Errorf("calls %s, want a and b never again", got)
			}
		})
	}
}

// apply --new-run: the confirmed run is set aside only when a new run
// really starts; the new run's journal says which, why and how
// confirmed, the old journal (and its sync mark) is kept beside it, and a
// dead process's lock of it is taken over, journaled.
func TestRunAfresh(t *testing.T) {
	cfg, rc, sum, _ := stoppedRun(t)
	cfg.Host = lock.Hostname()
	flipHeader(t, sum.JournalPath, 9)
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: sum.RunID, User: "tester",
		Host: lock.Hostname(), PID: deadPID(t)}); err != nil {
		t.Fatal(err)
	}
	other := journal.NewRunID(cfg.Clock.Now().Add(-time.Hour))
	if _, err := RunAfresh(context.Background(), cfg, SetAside{RunID: other, How: "--yes"}); ExitCode(err) != ExitCannotRun {
		t.Fatalf("another run set aside: err = %v, want exit 2", err)
	}
	if _, err := os.Stat(sum.JournalPath); err != nil || rc.count("a") != 1 {
		t.Fatalf("a refused --new-run moved the journal (%v) or ran a step (a=%d)", err, rc.count("a"))
	}
	fresh, err := RunAfresh(context.Background(), cfg, SetAside{RunID: sum.RunID, How: "terminal"})
	if err != nil { // c's second call passes
		t.Fatalf("--new-run: %v", err)
	}
	if got := calls(rc); got != "a=2 b=2 c=2" {
		t.Errorf("calls %s: want every step run by the new run", got)
	}
	rs := Fold(mustRead(t, fresh.JournalPath))
	keptAs := sum.JournalPath + ".set-aside"
	if len(rs.SetAside) != 1 || rs.SetAside[0].RunID != sum.RunID || rs.SetAside[0].How != "terminal" ||
		rs.SetAside[0].KeptAs != keptAs || !strings.Contains(rs.SetAside[0].Reason, "header is damaged") ||
		rs.SetAside[0].Records != 8 {
		t.Errorf("set-aside record %+v", rs.SetAside)
	}
	if len(rs.TakeOvers) != 1 || rs.TakeOvers[0].RunID != sum.RunID {
		t.Errorf("takeovers %+v: want the old run's dead lock taken over", rs.TakeOvers)
	}
	if _, err := os.Stat(keptAs); err != nil {
		t.Errorf("old journal not kept: %v", err)
	}
	if _, err := os.Stat(journal.MarkPath(keptAs)); err != nil {
		t.Errorf("old sync mark not kept beside it: %v", err)
	}
	if runs, _ := journal.ListPlan(cfg.StateDir, cfg.Plan.Name); len(runs) != 1 || runs[0].RunID != fresh.RunID {
		t.Errorf("runs %+v, want the new one alone", runs)
	}
}

// --new-run of a plan whose latest run finished: nothing to set aside.
func TestRunAfreshWithoutUnfinishedRun(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil)), rc)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = RunAfresh(context.Background(), cfg, SetAside{RunID: sum.RunID, How: "--yes"})
	if ExitCode(err) != ExitCannotRun || !strings.Contains(err.Error(), "nothing to set aside") || rc.count("a") != 1 {
		t.Errorf("err = %v, a ran %d times; want refused, a once", err, rc.count("a"))
	}
}

// The sync mark is evidence, not data: when it cannot be written the run
// goes on, with a warning.
func TestSyncMarkFailureOnlyWarns(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	cfg.FS = noMarkFS{}
	var logs bytes.Buffer
	cfg.Log = zerolog.New(&logs)
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(logs.String(), "cannot keep the journal's sync mark") || rc.count("b") != 1 {
		t.Errorf("b ran %d times; logs:\n%s", rc.count("b"), logs.String())
	}
}

// noMarkFS is the real file system on which no sync mark can be opened.
type noMarkFS struct{ journal.OSFS }

func (noMarkFS) OpenFile(name string, flag int, perm os.FileMode) (journal.File, error) {
	if strings.HasSuffix(name, journal.MarkExtension) {
		return nil, &os.PathError{Op: "open", Path: name, Err: errors.New("no space left on device")}
	}
	return journal.OSFS{}.OpenFile(name, flag, perm)
}

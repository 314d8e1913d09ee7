package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// frameEnds returns the offsets just after the header's frame and after
// each record's frame of a clean journal (see engine/journal's doc.go).
func frameEnds(t *testing.T, buf []byte) []int {
	t.Helper()
	var ends []int
	for off := journalMagicSize; off < len(buf); {
		if off+frameHeaderSize > len(buf) {
			t.Fatalf("torn frame at %d", off)
		}
		off += frameHeaderSize + int(binary.LittleEndian.Uint32(buf[off:]))
		ends = append(ends, off)
	}
	return ends
}

// stoppedRun applies a plan whose last step fails, so that the run stays
// unfinished, and returns its config, recorder, summary and journal.
func stoppedRun(t *testing.T) (Config, *recorder, *Summary, []byte) {
	t.Helper()
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil),
		step("c", []string{"b"}, map[string]any{"fail": 1})), rc)
	sum, err := Run(context.Background(), cfg)
	if ExitCode(err) != ExitFailed {
		t.Fatalf("first run: %v", err)
	}
	full, err := os.ReadFile(sum.JournalPath)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, rc, sum, full
}

// calls returns how often each step's action ran.
func calls(rc *recorder) string {
	return fmt.Sprintf("a=%d b=%d c=%d", rc.count("a"), rc.count("b"), rc.count("c"))
}

// A journal cut cleanly at any record boundary, down to its header alone,
// looks like a run that stopped there; its sync mark says otherwise.
// resume refuses it naming both numbers and the ways on, runs nothing and
// writes nothing; apply's refusal says the same, never "died while
// creating its journal".
func TestCutShortJournalIsRefused(t *testing.T) {
	cfg, rc, sum, full := stoppedRun(t)
	ends := frameEnds(t, full)
	total := len(ends) - 1
	before := calls(rc)
	for k := 0; k < total; k++ {
		t.Run(fmt.Sprintf("cut to %d of %d records", k, total), func(t *testing.T) {
			cut := full[:ends[k]]
			if err := os.WriteFile(sum.JournalPath, cut, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Resume(context.Background(), cfg, ResumeOptions{})
			var te *TruncatedError
			if !errors.As(err, &te) || ExitCode(err) != ExitCannotRun {
				t.Fatalf("resume: err = %v (exit %d), want a cut-short journal refused", err, ExitCode(err))
			}
			for _, want := range []string{fmt.Sprintf("holds %d records, but the run synced %d", k, total),
				"`failover journal repair " + sum.RunID + " --force`", "`failover apply test.yaml --new-run`"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("resume's refusal lacks %q:\n%v", want, err)
				}
			}
			_, err = Run(context.Background(), cfg)
			if ExitCode(err) != ExitCannotRun || !strings.Contains(fmt.Sprint(err), "resume cannot continue") ||
				strings.Contains(fmt.Sprint(err), "creating its journal") {
				t.Errorf("apply: err = %v, want the cut named", err)
			}
			if got := calls(rc); got != before {
				t.Errorf("calls %s after the refusals, want %s", got, before)
			}
			if got, _ := os.ReadFile(sum.JournalPath); !bytes.Equal(got, cut) {
				t.Errorf("the refused journal was changed")
			}
		})
	}
}

// A journal cut back into its own header after its run did work is not a
// run that died creating its journal: apply refuses it instead of setting
// it aside; with no evidence of work (no mark, no lock) it still is.
func TestTornHeaderOfARunThatDidWork(t *testing.T) {
	for _, mark := range []bool{true, false} {
		t.Run(fmt.Sprintf("sync mark %v", mark), func(t *testing.T) {
			cfg, rc, sum, full := stoppedRun(t)
			if err := os.WriteFile(sum.JournalPath, full[:20], 0o600); err != nil {
				t.Fatal(err)
			}
			if !mark {
				if err := os.Remove(journal.MarkPath(sum.JournalPath)); err != nil {
					t.Fatal(err)
				}
			}
			_, rerr := Resume(context.Background(), cfg, ResumeOptions{})
			_, err := Run(context.Background(), cfg)
			_, serr := os.Stat(sum.JournalPath)
			switch {
			case mark && (ExitCode(err) != ExitCannotRun || serr != nil):
				t.Errorf("apply: %v; journal still there: %v; want it refused and kept", err, serr)
			case mark && (strings.Contains(fmt.Sprint(err, rerr), "creating its journal") ||
				!strings.Contains(fmt.Sprint(rerr), "journal repair "+sum.RunID+" --force")):
				t.Errorf("described as a run that died creating its journal, or without the way on:\n%v\n%v", rerr, err)
			case !mark && (err != nil || serr == nil):
				t.Errorf("apply: %v; journal still there: %v; want it set aside and a new run", err, serr)
			}
			if mark && rc.count("a") != 1 {
				t.Errorf("a ran %d times, want once", rc.count("a"))
			}
		})
	}
}

// The lock's heartbeat carries the last sequence number synced to the
// journal: renewed while step b runs, it says every record written before
// b's action started.
func TestHeartbeatCarriesSyncedSeq(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	clock := cfg.Clock.(*fakeClock)
	var inLock uint64
	var inJournal int
	rc.onStart = func(id string) {
		if id != "b" {
			return
		}
		clock.tick()
		info, err := lock.Read(cfg.StateDir, cfg.Plan.Name)
		if err != nil {
			t.Errorf("read lock: %v", err)
			return
		}
		inLock = info.Synced
		runs, _ := journal.ListPlan(cfg.StateDir, cfg.Plan.Name)
		inJournal = runs[0].Records
	}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if inLock < 4 || inLock != uint64(inJournal) {
		t.Errorf("lock said %d synced while b ran, the journal held %d records", inLock, inJournal)
	}
}

// With the sync mark gone too, a dead holder's lock still tells: resume
// takes the lock over and refuses, and the lock's number is kept in the
// mark, so that the next resume, with no lock left, refuses as well.
func TestDeadLockSeesTheCut(t *testing.T) {
	rc := newRecorder()
	cfg := testConfig(t, newPlan(step("a", nil, nil), step("b", []string{"a"}, nil)), rc)
	cfg.Host = lock.Hostname()
	id := crashedRun(t, cfg, started("a"), succeeded("a", nil))
	path := journal.Path(cfg.StateDir, cfg.Plan.Name, id)
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: id, User: "tester",
		Host: lock.Hostname(), PID: deadPID(t), Synced: 5}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		_, err := Resume(context.Background(), cfg, ResumeOptions{})
		var te *TruncatedError
		if !errors.As(err, &te) || te.Records != 3 || te.Synced.Seq() != 5 {
			t.Fatalf("resume %d: err = %v, want 3 records refused against 5 synced", i+1, err)
		}
		if i == 0 && te.Synced.Lock != 5 {
			t.Errorf("resume 1: the number came from %+v, want the lock", te.Synced)
		}
	}
	if seq, err := journal.ReadMark(journal.OSFS{}, path); err != nil || seq != 5 {
		t.Errorf("sync mark %d, %v; want the lock's 5 kept", seq, err)
	}
	if rc.count("a")+rc.count("b") != 0 {
		t.Errorf("steps ran: %s", calls(rc))
	}
}

// The way on from a cut-short journal: a forced repair journals the loss
// and puts every step not known done in doubt, lowering what the lock
// says; resume then runs the idempotent ones again, asks about the others,
// and never runs again one the kept records show succeeded.
func TestRepairCutShortJournal(t *testing.T) {
	rc := newRecorder()
	idem := step("b", []string{"a"}, nil)
	idem.Action = "test.idem"
	cfg := testConfig(t, newPlan(step("a", nil, nil), idem, step("c", []string{"b"}, nil)), rc)
	cfg.Host = lock.Hostname()
	id := crashedRun(t, cfg, started("a"), succeeded("a", nil), started("b"))
	path := journal.Path(cfg.StateDir, cfg.Plan.Name, id)
	if _, err := lock.Acquire(cfg.StateDir, cfg.Plan.Name, lock.Info{RunID: id, User: "tester",
		Host: lock.Hostname(), PID: deadPID(t), Synced: 9}); err != nil {
		t.Fatal(err)
	}
	if _, err := RepairJournal(store.NewLocal(cfg.StateDir, nil), path, false, "tester"); !errors.As(err, new(*TruncatedError)) {
		t.Fatalf("repair without --force: err = %v, want the cut named", err)
	}
	rr, err := RepairJournal(store.NewLocal(cfg.StateDir, nil), path, true, "tester")
	if err != nil {
		t.Fatalf("repair --force: %v", err)
	}
	if rr.Missing != 5 || rr.MissingFrom != 5 || strings.Join(rr.InDoubt, ",") != "b,c" || rr.Copy == "" {
		t.Errorf("report %+v: want records 5 to 9 missing, b and c in doubt, a copy kept", rr)
	}
	if info, err := lock.Read(cfg.StateDir, cfg.Plan.Name); err != nil || info.Synced != 7 {
		t.Errorf("lock %+v, %v: want the repaired journal's 7 records", info, err)
	}
	_, err = Resume(context.Background(), cfg, ResumeOptions{})
	if ExitCode(err) != ExitWaiting || !strings.Contains(err.Error(), "records 5 to 9 of the run are missing") ||
		strings.Contains(err.Error(), "step b") {
		t.Fatalf("resume: err = %v, want c (not b, idempotent) asked about", err)
	}
	if _, err := Resume(context.Background(), cfg, ResumeOptions{Retry: []string{"c"}, Note: "checked"}); err != nil {
		t.Fatalf("resume --retry c: %v", err)
	}
	if got := calls(rc); got != "a=0 b=1 c=1" {
		t.Errorf("calls %s, want a never again, b and c once", got)
	}
}

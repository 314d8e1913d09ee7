package lock

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestTakeOver(t *testing.T) {
	tests := []struct {
		name    string
		expect  func(held Info) Info
		wantErr error
	}{
		{name: "holder as expected", expect: func(h Info) Info { return h }},
		{name: "holder renewed its heartbeat", expect: func(h Info) Info {
			h.Heartbeat = h.Heartbeat.Add(-time.Second)
			return h
		}, wantErr: ErrChanged},
		{name: "another run holds it", expect: func(h Info) Info {
			h.RunID = "someone-else"
			return h
		}, wantErr: ErrChanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			old := mustAcquire(t, state, Info{RunID: "crashed", PID: deadPID(t)}).Info()
			l, err := TakeOver(state, "plan", Info{RunID: "resumer"}, tt.expect(old))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("TakeOver: err = %v, want %v", err, tt.wantErr)
			}
			got, rerr := Read(state, "plan")
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.wantErr != nil {
				if !got.SameHolder(old) {
					t.Errorf("refused TakeOver changed the lock to %+v", got)
				}
				return
			}
			if got.RunID != "resumer" || !got.SameHolder(l.Info()) {
				t.Errorf("lock after TakeOver = %+v, want the resumer's", got)
			}
		})
	}
}

func TestTakeOverWithoutLock(t *testing.T) {
	_, err := TakeOver(t.TempDir(), "plan", Info{RunID: "r"}, Info{RunID: "x"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("TakeOver of no lock: err = %v, want fs.ErrNotExist", err)
	}
}

// TestTakeOverRace: two resumers take over the same dead holder at once;
// exactly one wins and the lock names it. Repeated to shake out orderings.
func TestTakeOverRace(t *testing.T) {
	dead := deadPID(t)
	for i := range 30 {
		state := t.TempDir()
		old := mustAcquire(t, state, Info{RunID: "crashed", PID: dead}).Info()
		var wg sync.WaitGroup
		results := make([]error, 2)
		for g := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[g] = TakeOver(state, "plan", Info{RunID: "resumer-" + strconv.Itoa(g)}, old)
			}()
		}
		wg.Wait()
		winner := -1
		for g, err := range results {
			switch {
			case err == nil && winner < 0:
				winner = g
			case err == nil:
				t.Fatalf("iteration %d: both take-overs succeeded", i)
			case !errors.Is(err, ErrChanged):
				t.Fatalf("iteration %d: loser's err = %v, want ErrChanged", i, err)
			}
		}
		got, err := Read(state, "plan")
		if winner < 0 || err != nil || got.RunID != "resumer-"+strconv.Itoa(winner) {
			t.Fatalf("iteration %d: winner %d, lock %+v, %v", i, winner, got, err)
		}
	}
}

func TestBreak(t *testing.T) {
	state := t.TempDir()
	mustAcquire(t, state, Info{RunID: "stuck", Host: "elsewhere"})
	if err := Break(state, "plan", "wrong-run"); !errors.Is(err, ErrChanged) {
		t.Fatalf("Break with the wrong run id: err = %v, want ErrChanged", err)
	}
	if got, err := Read(state, "plan"); err != nil || got.RunID != "stuck" {
		t.Fatalf("refused Break changed the lock: %+v, %v", got, err)
	}
	if err := Break(state, "plan", "stuck"); err != nil {
		t.Fatalf("Break: %v", err)
	}
	if err := Break(state, "plan", "stuck"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Break of no lock: err = %v, want fs.ErrNotExist", err)
	}
	mustAcquire(t, state, Info{RunID: "next"})
}

// TestLostLockIsNotTouched: once another run owns the lock, the old
// holder's heartbeat stops with ErrLost and its Release leaves the new
// owner's lock alone.
func TestLostLockIsNotTouched(t *testing.T) {
	state := t.TempDir()
	l := mustAcquire(t, state, Info{RunID: "old"})
	if err := Break(state, "plan", "old"); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, state, Info{RunID: "new"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Heartbeat(ctx, time.Millisecond)
	waitFor(t, "the heartbeat to notice the lost lock", func() bool { return l.Err() != nil })
	if !errors.Is(l.Err(), ErrLost) {
		t.Errorf("Err = %v, want ErrLost", l.Err())
	}
	if err := l.Release(); !errors.Is(err, ErrLost) {
		t.Errorf("Release of a lost lock: err = %v, want ErrLost", err)
	}
	if got, err := Read(state, "plan"); err != nil || got.RunID != "new" {
		t.Errorf("lock after the old holder's Release = %+v, %v; want the new run's", got, err)
	}
}

// TestHeartbeatSurvivesTransientFailure: a renewal that fails for a moment
// (here the lock file is unreadable) is reported by Err, and the heartbeat
// goes on and recovers instead of letting the lock go stale.
func TestHeartbeatSurvivesTransientFailure(t *testing.T) {
	state := t.TempDir()
	l := mustAcquire(t, state, Info{RunID: "r"})
	good, err := os.ReadFile(Path(state, "plan"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(state, "plan"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Heartbeat(ctx, time.Millisecond)
	waitFor(t, "the failed renewal to be reported", func() bool { return l.Err() != nil })
	if errors.Is(l.Err(), ErrLost) {
		t.Fatalf("Err = %v: an unreadable lock is not a lost one", l.Err())
	}
	if err := os.WriteFile(Path(state, "plan"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	before := l.Info().Heartbeat
	waitFor(t, "the heartbeat to recover", func() bool {
		return l.Err() == nil && l.Info().Heartbeat.After(before)
	})
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

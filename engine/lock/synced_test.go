package lock

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHeartbeatCarriesSynced: every renewal writes what Track's function
// says is synced into the lock file, as "synced_seq", where a reader
// (another tool, or failover status) finds it.
func TestHeartbeatCarriesSynced(t *testing.T) {
	state := t.TempDir()
	l := mustAcquire(t, state, Info{RunID: "r"})
	var synced atomic.Uint64
	l.Track(synced.Load)
	tickCh := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !l.HeartbeatOn(ctx, tickCh, time.Now) {
		t.Fatal("HeartbeatOn did not start")
	}
	for _, n := range []uint64{3, 9} {
		synced.Store(n)
		tickCh <- time.Now()
		tickCh <- time.Now() // returns once the first renewal is over
		got, err := Read(state, "plan")
		if err != nil || got.Synced != n || l.Info().Synced != n {
			t.Fatalf("after a renewal with %d synced: lock %+v, %v", n, got, err)
		}
		b, _ := os.ReadFile(Path(state, "plan"))
		if want := `"synced_seq": ` + strconv.FormatUint(n, 10); !strings.Contains(string(b), want) {
			t.Errorf("lock file lacks %s:\n%s", want, b)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestLockWithoutSyncedReads: a lock written before the field existed
// (or by a holder that does not say) reads as 0 synced.
func TestLockWithoutSyncedReads(t *testing.T) {
	state := t.TempDir()
	if err := os.MkdirAll(state+"/plan", 0o755); err != nil {
		t.Fatal(err)
	}
	old := `{"run_id":"r","user":"u","host":"h","pid":1,"started":"2026-11-26T03:00:00Z","heartbeat":"2026-11-26T03:00:00Z","lease":"30s"}`
	if err := os.WriteFile(Path(state, "plan"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Read(state, "plan")
	if err != nil || got.RunID != "r" || got.Synced != 0 || got.Lease != 30*time.Second {
		t.Errorf("Read = %+v, %v", got, err)
	}
}

// TestLower: a repair lowers the lock's number for its run only, and
// never raises it.
func TestLower(t *testing.T) {
	tests := []struct {
		name  string
		run   string
		to    uint64
		wantN uint64
	}{
		{name: "the run's lock is lowered", run: "r", to: 4, wantN: 4},
		{name: "never raised", run: "r", to: 12, wantN: 9},
		{name: "another run's lock is left alone", run: "other", to: 4, wantN: 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			mustAcquire(t, state, Info{RunID: "r", Synced: 9})
			if err := Lower(state, "plan", tt.run, tt.to); err != nil {
				t.Fatal(err)
			}
			if got, err := Read(state, "plan"); err != nil || got.Synced != tt.wantN || got.RunID != "r" {
				t.Errorf("lock %+v, %v; want run r with %d synced", got, err, tt.wantN)
			}
		})
	}
	if err := Lower(t.TempDir(), "plan", "r", 1); err != nil {
		t.Errorf("Lower with no lock: %v", err)
	}
}

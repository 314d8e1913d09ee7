package lock

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// deadPID starts a child process and reaps it, returning a pid that no
// longer exists.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatalf("run child: %v", err)
	}
	return cmd.Process.Pid
}

func mustAcquire(t *testing.T, state string, info Info) *Lock {
	t.Helper()
	l, err := Acquire(state, "plan", info)
	if err != nil {
		t.Fatalf("Acquire %s: %v", info.RunID, err)
	}
	return l
}

func TestSecondAcquireNamesHolder(t *testing.T) {
	state := t.TempDir()
	first := mustAcquire(t, state, Info{RunID: "run-1", User: "alice"})
	_, err := Acquire(state, "plan", Info{RunID: "run-2"})
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire: err = %v, want *HeldError", err)
	}
	msg := err.Error()
	for _, want := range []string{"run-1", "alice", Hostname(), strconv.Itoa(os.Getpid()), stamp(first.Info().Started), "last heartbeat"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
	if held.Stale || held.DeadSameHost || held.Holder.RunID != "run-1" || held.Path != Path(state, "plan") {
		t.Errorf("HeldError = %+v, want a live holder run-1", held)
	}
}

func TestHolderJudgement(t *testing.T) {
	old := time.Now().Add(-10 * time.Minute)
	tests := []struct {
		name      string
		holder    func(t *testing.T) Info
		wantDead  bool
		wantStale bool
		wantMsg   string
	}{
		{name: "live on this host", holder: func(*testing.T) Info { return Info{RunID: "r"} }},
		{name: "dead pid on this host", holder: func(t *testing.T) Info { return Info{RunID: "r", PID: deadPID(t)} },
			wantDead: true, wantMsg: "no longer exists on this host"},
		{name: "old heartbeat on this host, pid alive", holder: func(*testing.T) Info { return Info{RunID: "r", Heartbeat: old} }},
		{name: "other host, old heartbeat", holder: func(*testing.T) Info {
			return Info{RunID: "r", Host: "elsewhere", Heartbeat: old, Lease: time.Minute}
		}, wantStale: true, wantMsg: "longer than its lease of 1m0s"},
		{name: "other host, fresh heartbeat", holder: func(*testing.T) Info {
			return Info{RunID: "r", Host: "elsewhere", Lease: time.Minute}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			mustAcquire(t, state, tt.holder(t))
			_, err := Acquire(state, "plan", Info{RunID: "new"})
			var held *HeldError
			if !errors.As(err, &held) {
				t.Fatalf("err = %v, want *HeldError", err)
			}
			if held.DeadSameHost != tt.wantDead || held.Stale != tt.wantStale {
				t.Errorf("DeadSameHost %v Stale %v, want %v %v", held.DeadSameHost, held.Stale, tt.wantDead, tt.wantStale)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

func TestProcessAlive(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		want bool
	}{
		{name: "this process", pid: os.Getpid(), want: true},
		{name: "reaped child", pid: deadPID(t), want: false},
		{name: "zero", pid: 0, want: false},
		{name: "negative", pid: -1, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProcessAlive(tt.pid); got != tt.want {
				t.Errorf("ProcessAlive(%d) = %v, want %v", tt.pid, got, tt.want)
			}
		})
	}
}

func TestReadRoundTrip(t *testing.T) {
	state := t.TempDir()
	in := Info{RunID: "r", User: "u", Host: "h", PID: 42, Lease: 45 * time.Second,
		Started: time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC), Heartbeat: time.Date(2026, 11, 26, 3, 16, 0, 0, time.UTC)}
	mustAcquire(t, state, in)
	got, err := Read(state, "plan")
	if err != nil {
		t.Fatal(err)
	}
	if !got.SameHolder(in) || got.User != "u" || got.Lease != in.Lease {
		t.Errorf("Read = %+v, want %+v", got, in)
	}
	if _, err := Read(state, "other"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of no lock: err = %v, want fs.ErrNotExist", err)
	}
}

func TestAcquireUnreadableLock(t *testing.T) {
	state := t.TempDir()
	if err := os.MkdirAll(state+"/plan", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(Path(state, "plan"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Acquire(state, "plan", Info{RunID: "r"})
	var held *HeldError
	if err == nil || errors.As(err, &held) || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("Acquire over a garbled lock: err = %v, want 'held, cannot be read'", err)
	}
}

// TestConcurrentAcquireOneWins: of many simultaneous Acquires exactly one
// gets the lock.
func TestConcurrentAcquireOneWins(t *testing.T) {
	state := t.TempDir()
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []string
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "run-" + strconv.Itoa(i)
			_, err := Acquire(state, "plan", Info{RunID: id})
			var held *HeldError
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, id)
				mu.Unlock()
			case !errors.As(err, &held):
				t.Errorf("Acquire %s: %v", id, err)
			}
		}()
	}
	wg.Wait()
	got, err := Read(state, "plan")
	if len(winners) != 1 || err != nil || got.RunID != winners[0] {
		t.Fatalf("winners %v, lock says %+v (%v); want exactly one, named in the lock", winners, got, err)
	}
}

func TestReleaseRemovesLock(t *testing.T) {
	state := t.TempDir()
	l := mustAcquire(t, state, Info{RunID: "r"})
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	mustAcquire(t, state, Info{RunID: "next"})
}

func TestHeartbeatRenews(t *testing.T) {
	state := t.TempDir()
	l := mustAcquire(t, state, Info{RunID: "r", Heartbeat: time.Now().Add(-time.Hour)})
	first := l.Info().Heartbeat
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l.Heartbeat(ctx, 5*time.Millisecond)
	waitFor(t, "a renewed heartbeat in the lock file", func() bool {
		got, err := Read(state, "plan")
		return err == nil && got.Heartbeat.After(first) && got.Heartbeat.Equal(l.Info().Heartbeat)
	})
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(state, "plan"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Release: Read err = %v, want fs.ErrNotExist", err)
	}
}

// waitFor polls cond until it holds, failing after a generous deadline. It
// waits for behaviour; it does not measure speed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestZombieIsDead: a holder that was killed but not yet reaped by its
// parent will never renew its lock, so it counts as dead.
func TestZombieIsDead(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc: zombies are not told from live processes here")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperSleep$")
	cmd.Env = append(os.Environ(), "LOCK_TEST_SLEEP=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !ProcessAlive(pid) {
		t.Fatalf("a running child %d reported dead", pid)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the killed, unreaped child to count as dead", func() bool { return !ProcessAlive(pid) })
	_ = cmd.Wait()
}

// TestHelperSleep is the child of TestZombieIsDead: it sleeps until killed.
func TestHelperSleep(t *testing.T) {
	if os.Getenv("LOCK_TEST_SLEEP") != "1" {
		t.Skip("helper process only")
	}
	time.Sleep(time.Minute)
}

// TestAcquireReleaseChurn: goroutines acquire and release in a loop. Never
// two holders at once, and a lock released under a contender's feet is
// never reported as unreadable.
func TestAcquireReleaseChurn(t *testing.T) {
	state := t.TempDir()
	var holders, wins atomic.Int32
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				l, err := Acquire(state, "plan", Info{RunID: "run-" + strconv.Itoa(g) + "-" + strconv.Itoa(i)})
				var held *HeldError
				if errors.As(err, &held) {
					continue
				}
				if err != nil {
					t.Errorf("Acquire: %v", err)
					return
				}
				if holders.Add(1) != 1 {
					t.Errorf("two holders at once")
				}
				wins.Add(1)
				holders.Add(-1)
				if err := l.Release(); err != nil {
					t.Errorf("Release: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if wins.Load() == 0 {
		t.Error("no Acquire ever succeeded")
	}
}

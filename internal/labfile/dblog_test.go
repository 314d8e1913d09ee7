package labfile

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

func TestAddBlocks(t *testing.T) {
	tests := []struct {
		name string
		from lsn.LSN
		n    uint32
		want lsn.LSN
	}{
		{name: "within a VLF", from: lsn.Make(1_000_123, 2000, 7), n: 40, want: lsn.Make(1_000_123, 2040, 1)},
		{name: "into the next VLF", from: lsn.Make(1_000_123, vlfBlocks-10, 1), n: 30, want: lsn.Make(1_000_124, 36, 1)},
		{name: "zero stays in its block", from: lsn.Make(9, 5, 3), n: 0, want: lsn.Make(9, 5, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AddBlocks(tt.from, tt.n); got != tt.want {
				t.Errorf("AddBlocks(%d) of %s = %s, want %s", tt.n, tt.from, got, tt.want)
			}
		})
	}
}

// TestFullThenLogBackups follows a fresh database through its first
// full backup and two log backups: the first log backup begins the log
// chain at the full backup's first LSN, each next one where the last
// ended, and all carry the full backup's checkpoint as DatabaseBackupLSN.
func TestFullThenLogBackups(t *testing.T) {
	g := NewDBLog(lsn.Make(2_000_000, 100, 1), forkA)
	if _, _, err := g.Log(); !errors.Is(err, ErrNoFullBackup) {
		t.Fatalf("log backup before any full backup: %v, want ErrNoFullBackup (4214)", err)
	}
	full, g := g.Full(false)
	if full.BackupType != TypeFull || full.FirstLSN.Cmp(full.CheckpointLSN) >= 0 || full.CheckpointLSN.Cmp(full.LastLSN) >= 0 {
		t.Fatalf("full backup LSNs %s ≤ %s ≤ %s out of order", full.FirstLSN, full.CheckpointLSN, full.LastLSN)
	}
	if !full.DatabaseBackupLSN.IsZero() || full.FirstRecoveryForkID != forkA || full.RecoveryForkID != forkA {
		t.Errorf("first full backup: DatabaseBackupLSN %s, forks %s/%s", full.DatabaseBackupLSN, full.FirstRecoveryForkID, full.RecoveryForkID)
	}
	log1, g, err := g.Grow(300).Log()
	if err != nil {
		t.Fatal(err)
	}
	if log1.FirstLSN != full.FirstLSN || !log1.BeginsLogChain || log1.DatabaseBackupLSN != full.CheckpointLSN || !log1.ForkPointLSN.IsZero() {
		t.Errorf("first log backup = %s–%s begins chain %v base %s; want it to begin at the full backup's %s, start the chain, base %s",
			log1.FirstLSN, log1.LastLSN, log1.BeginsLogChain, log1.DatabaseBackupLSN, full.FirstLSN, full.CheckpointLSN)
	}
	log2, _, err := g.Log()
	if err != nil || log2.FirstLSN != log1.LastLSN || log2.BeginsLogChain || log2.LastLSN.Cmp(log2.FirstLSN) <= 0 {
		t.Errorf("second log backup %s–%s (%v), want it to continue at %s", log2.FirstLSN, log2.LastLSN, err, log1.LastLSN)
	}
	// The chain rule accepts them in order on a copy restored from full.
	p := RestoredFull(full)
	for _, s := range []BackupSet{log1, log2} {
		if v := CheckRestore(p, s, false); v != Applies {
			t.Fatalf("restore of %s–%s at %s: %s", s.FirstLSN, s.LastLSN, p.RedoStartLSN, v)
		}
		p = p.Advance(s)
	}
}

func TestCopyOnlyFullLeavesTheChain(t *testing.T) {
	_, g := NewDBLog(lsn.Make(2_000_000, 100, 1), forkA).Full(false)
	copyOnly, after := g.Grow(50).Full(true)
	if after.BaseLSN != g.BaseLSN || !copyOnly.IsCopyOnly {
		t.Errorf("a copy-only full backup moved the base from %s to %s", g.BaseLSN, after.BaseLSN)
	}
	log, _, err := after.Log()
	if err != nil || log.DatabaseBackupLSN != g.BaseLSN {
		t.Errorf("log backup after a copy-only full: base %s (%v), want %s", log.DatabaseBackupLSN, err, g.BaseLSN)
	}
}

// TestLogAcrossRecovery: after RESTORE … WITH RECOVERY at R, the first
// log backup spans the fork point. It applies to a copy restored up to R
// on the old fork and to a copy restored from a full backup taken after
// the recovery, and not to a copy that went past R on the old fork.
func TestLogAcrossRecovery(t *testing.T) {
	r := lsn.Make(3_000_000, 500, 1)
	g := Recovered(RestorePoint{RedoStartLSN: r, RedoStartForkID: forkA}, forkB, lsn.Make(3_000_000, 20, 1))
	full, g := g.Grow(40).Full(false)
	log, _, err := g.Grow(40).Log()
	if err != nil {
		t.Fatal(err)
	}
	if log.FirstLSN != r || log.FirstRecoveryForkID != forkA || log.RecoveryForkID != forkB || log.ForkPointLSN != r {
		t.Fatalf("log across the recovery: %s–%s forks %s→%s point %s", log.FirstLSN, log.LastLSN, log.FirstRecoveryForkID, log.RecoveryForkID, log.ForkPointLSN)
	}
	past := RestorePoint{RedoStartLSN: AddBlocks(r, 10), RedoStartForkID: forkA}
	tests := []struct {
		name string
		p    RestorePoint
		want Verdict
	}{
		{name: "restored up to the fork point", p: RestorePoint{RedoStartLSN: r, RedoStartForkID: forkA}, want: Applies},
		{name: "restored from a full taken after recovery", p: RestoredFull(full), want: Applies},
		{name: "past the fork point on the old fork", p: past, want: ForkMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckRestore(tt.p, log, false); got != tt.want {
				t.Errorf("CheckRestore = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestTailRestorePoint(t *testing.T) {
	_, g := NewDBLog(lsn.Make(2_000_000, 100, 1), forkA).Full(false)
	tail, _, err := g.Log()
	if err != nil {
		t.Fatal(err)
	}
	p := TailRestorePoint(tail)
	if p.RedoStartLSN != tail.LastLSN || p.RedoStartForkID != forkA || p.Interrupted != (uuid.UUID{}) {
		t.Errorf("after a tail-log backup: %+v", p)
	}
}

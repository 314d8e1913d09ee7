package labfile

import (
	"testing"

	"github.com/google/uuid"

	"github.com/failover-dev/failover/internal/lsn"
)

var (
	forkA = uuid.MustParse("6f1c2a40-2d1e-4c36-9b1e-0a4c1f7e3b10")
	forkB = uuid.MustParse("0b8e55d2-93a7-4f0e-8f0b-5d9a7f2c6e21")
	setX  = uuid.MustParse("11111111-2222-3333-4444-555555555555")
	setY  = uuid.MustParse("66666666-7777-8888-9999-aaaaaaaaaaaa")
)

// logSet is a log backup header for the chain tests; LSNs beyond uint64.
func logSet(first, last string, fork, guid uuid.UUID) BackupSet {
	return BackupSet{
		BackupType: TypeLog, DatabaseName: "mgc",
		FirstLSN: lsn.MustParse(first), LastLSN: lsn.MustParse(last),
		FirstRecoveryForkID: fork, RecoveryForkID: fork, BackupSetGUID: guid,
	}
}

// The restore point of all chain tests: redo_start_lsn 38419000001005800001.
const cur = "38419000001005800001"

func TestChainRules(t *testing.T) {
	at := RestorePoint{RedoStartLSN: lsn.MustParse(cur), RedoStartForkID: forkA}
	interrupted := at
	interrupted.Interrupted = setY
	tests := []struct {
		name     string
		p        RestorePoint
		h        BackupSet
		restart  bool
		classify Verdict // ClassifyLog: what a restore tool decides
		restore  Verdict // CheckRestore: what RESTORE LOG does
		errNum   int     // the error RESTORE LOG raises
	}{
		{name: "applied: ends before redo start", p: at,
			h: logSet("38419000000955800001", "38419000000980800001", forkA, setX), classify: AlreadyApplied, restore: AlreadyApplied, errNum: 4326},
		{name: "applied: ends exactly at redo start (trimble #40)", p: at,
			h: logSet("38419000000955800001", cur, forkA, setX), classify: AlreadyApplied, restore: AlreadyApplied, errNum: 4326},
		{name: "next: starts at redo start", p: at,
			h: logSet(cur, "38419000001047200001", forkA, setX), classify: Applies, restore: Applies},
		{name: "next: starts before and ends after redo start", p: at,
			h: logSet("38419000000955800001", "38419000001047200001", forkA, setX), classify: Applies, restore: Applies},
		{name: "gap: starts after redo start", p: at,
			h: logSet("38419000001047200001", "38419000001096400001", forkA, setX), classify: Gap, restore: Gap, errNum: 4305},
		{name: "empty at redo start", p: at,
			h: logSet(cur, cur, forkA, setX), classify: Empty, restore: AlreadyApplied, errNum: 4326},
		{name: "empty beyond redo start", p: at,
			h: logSet("38419000001047200001", "38419000001047200001", forkA, setX), classify: Empty, restore: Gap, errNum: 4305},
		{name: "fork mismatch with LSNs that would apply", p: at,
			h: logSet(cur, "38426000000010000001", forkB, setX), classify: ForkMismatch, restore: ForkMismatch, errNum: 4330},
		{name: "fork unknown: no fork check", p: RestorePoint{RedoStartLSN: lsn.MustParse(cur)},
			h: logSet(cur, "38419000001047200001", forkB, setX), classify: Applies, restore: Applies},
		{name: "interrupted: another set", p: interrupted,
			h: logSet(cur, "38419000001047200001", forkA, setX), classify: Applies, restore: Interrupted, errNum: 4319},
		{name: "interrupted: the same set again", p: interrupted,
			h: logSet(cur, "38419000001047200001", forkA, setY), classify: Applies, restore: Applies},
		{name: "interrupted: another set WITH RESTART", p: interrupted, restart: true,
			h: logSet(cur, "38419000001047200001", forkA, setX), classify: Applies, restore: Applies},
		{name: "interrupted beats fork mismatch", p: interrupted,
			h: logSet(cur, "38426000000010000001", forkB, setX), classify: ForkMismatch, restore: Interrupted, errNum: 4319},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyLog(tt.p, tt.h); got != tt.classify {
				t.Errorf("ClassifyLog = %s, want %s", got, tt.classify)
			}
			got := CheckRestore(tt.p, tt.h, tt.restart)
			if got != tt.restore {
				t.Errorf("CheckRestore = %s, want %s", got, tt.restore)
			}
			if n := got.ErrorNumber(); n != tt.errNum {
				t.Errorf("CheckRestore(...).ErrorNumber() = %d, want %d", n, tt.errNum)
			}
		})
	}
}

func TestAdvance(t *testing.T) {
	p := RestorePoint{RedoStartLSN: lsn.MustParse(cur), RedoStartForkID: forkA, Interrupted: setY}
	h := logSet(cur, "38419000001047200001", forkA, setY)
	h.RecoveryForkID = forkB // the set crosses into a new fork
	next := p.Advance(h)
	if next.RedoStartLSN != h.LastLSN || next.RedoStartForkID != forkB || next.Interrupted != (uuid.UUID{}) {
		t.Errorf("Advance = %+v, want redo start %s on fork %s, nothing interrupted", next, h.LastLSN, forkB)
	}
	if v := CheckRestore(next, h, false); v != AlreadyApplied {
		t.Errorf("restoring the same set again after Advance: %s, want already applied", v)
	}
}

func TestVerdictString(t *testing.T) {
	tests := []struct {
		name string
		v    Verdict
		want string
	}{
		{name: "applies", v: Applies, want: "applies"},
		{name: "fork", v: ForkMismatch, want: "fork mismatch"},
		{name: "out of range", v: Verdict(99), want: "unknown"},
		{name: "negative", v: Verdict(-1), want: "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStaleForkBehindRedoStart(t *testing.T) {
	p := RestorePoint{RedoStartLSN: lsn.MustParse(cur), RedoStartForkID: forkA}
	h := logSet("38419000000955800001", "38419000000980800001", forkB, setX)
	if v := ClassifyLog(p, h); v != AlreadyApplied {
		t.Errorf("ClassifyLog of an old set of another fork = %s, want already applied (skip it)", v)
	}
}

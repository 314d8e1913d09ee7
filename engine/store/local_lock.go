package store

import (
	"github.com/failover-dev/failover/engine/lock"
)

// Acquire takes <Dir>/<plan>/lock (lock.Acquire).
func (l *Local) Acquire(plan string, info lock.Info) (Held, error) {
	lk, err := lock.Acquire(l.Dir, plan, info)
	if err != nil {
		return nil, err
	}
	return lk, nil
}

// TakeOver takes over <Dir>/<plan>/lock (lock.TakeOver).
func (l *Local) TakeOver(plan string, info, expect lock.Info) (Held, error) {
	lk, err := lock.TakeOver(l.Dir, plan, info, expect)
	if err != nil {
		return nil, err
	}
	return lk, nil
}

// ReadLock reads <Dir>/<plan>/lock (lock.Read).
func (l *Local) ReadLock(plan string) (*lock.Info, error) { return lock.Read(l.Dir, plan) }

// BreakLock removes <Dir>/<plan>/lock if runID holds it (lock.Break).
func (l *Local) BreakLock(plan, runID string) error { return lock.Break(l.Dir, plan, runID) }

// LowerLock lowers the lock's synced seq (lock.Lower).
func (l *Local) LowerLock(plan, runID string, synced uint64) error {
	return lock.Lower(l.Dir, plan, runID, synced)
}

var _ Held = (*lock.Lock)(nil)

package lock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrLost is wrapped when the lock no longer belongs to this Lock: it was
// broken or taken over by someone else while the run went on.
var ErrLost = errors.New("lock lost")

// Lock is a held lock. Its methods are safe for concurrent use.
type Lock struct {
	path string

	mu       sync.Mutex // guards the fields below
	info     Info       // what the lock file says now, heartbeat included
	err      error      // ErrLost once lost, else the last renewal's failure
	stopCh   chan struct{}
	doneCh   chan struct{} // closed when the heartbeat goroutine ends; nil if none
	released bool
	synced   func() uint64 // what renewals put in Info.Synced; nil: keep it
}

func newLock(path string, info Info) *Lock {
	return &Lock{path: path, info: info, stopCh: make(chan struct{})}
}

// Info returns the lock's current content.
func (l *Lock) Info() Info {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.info
}

// Path returns the lock file's name.
func (l *Lock) Path() string { return l.path }

// Err returns why the lock is in trouble, or nil. An error wrapping ErrLost
// means another run owns the lock now: the run should stop. Any other error
// is the last renewal's failure; the heartbeat keeps trying, and Err is nil
// again after a renewal succeeds.
func (l *Lock) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Heartbeat starts a goroutine that renews the lock's heartbeat every
// interval (a third of the lease if every is not positive) until ctx ends
// or Release is called. A failed renewal is reported by Err and retried at
// the next tick, because a transient failure (a reader holding the file
// open on Windows, a full disk being cleared) must not let a healthy run's
// lock go stale; it stops for good once the lock is lost. Only the first
// call starts a goroutine.
func (l *Lock) Heartbeat(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = l.Info().Lease / 3
	}
	if every <= 0 {
		every = time.Second // a lease of a few nanoseconds: still tick
	}
	t := time.NewTicker(every)
	if !l.HeartbeatOn(ctx, t.C, time.Now) {
		t.Stop()
		return
	}
	go func() {
		<-l.doneCh
		t.Stop()
	}()
}

// HeartbeatOn is Heartbeat driven by the caller's clock: the heartbeat is
// renewed, stamped with now(), at every tick received from tickCh (a test
// sends them). It reports whether it started the goroutine: only the
// first call does.
func (l *Lock) HeartbeatOn(ctx context.Context, tickCh <-chan time.Time, now func() time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.doneCh != nil || l.released {
		return false
	}
	l.doneCh = make(chan struct{})
	go l.beat(ctx, tickCh, now, l.doneCh)
	return true
}

func (l *Lock) beat(ctx context.Context, tickCh <-chan time.Time, now func() time.Time, doneCh chan struct{}) {
	defer close(doneCh)
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.stopCh:
			return
		case <-tickCh:
			if errors.Is(l.Err(), ErrLost) {
				// Lost for good: nothing more to renew. The ticks are
				// still taken, so that a clock driving them never blocks.
				continue
			}
			err := l.renew(now().UTC())
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
		}
	}
}

// Track makes every later renewal of the heartbeat carry synced(), the
// sequence number of the last record of the run's journal known durable
// (see Info.Synced). synced must be cheap and must not block: the
// heartbeat calls it.
func (l *Lock) Track(synced func() uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.synced = synced
}

// renew rewrites the lock with a new heartbeat, if it is still ours.
func (l *Lock) renew(now time.Time) error {
	l.mu.Lock()
	next, synced := l.info, l.synced
	l.mu.Unlock()
	next.Heartbeat = now
	if synced != nil {
		next.Synced = max(next.Synced, synced())
	}
	data, err := Encode(next)
	if err != nil {
		return err
	}
	err = withGuard(l.path, func() error {
		if err := l.checkOwned(); err != nil {
			return err
		}
		return replace(l.path, data)
	})
	if err != nil {
		return fmt.Errorf("renew lock heartbeat: %w", err)
	}
	l.mu.Lock()
	l.info = next
	l.mu.Unlock()
	return nil
}

// checkOwned verifies that the lock file still names this Lock's holder.
// The guard must be held.
func (l *Lock) checkOwned() error {
	mine := l.Info()
	cur, err := readFile(l.path)
	if isNotExist(err) {
		return fmt.Errorf("%w: %s was removed", ErrLost, l.path)
	}
	if err != nil {
		return err
	}
	if cur.RunID != mine.RunID || cur.PID != mine.PID || cur.Host != mine.Host {
		return fmt.Errorf("%w: %s is now held by run %s (pid %d on %s)", ErrLost, l.path, cur.RunID, cur.PID, cur.Host)
	}
	return nil
}

// Release stops the heartbeat and removes the lock if it is still ours; a
// lock that someone else owns now is left alone and an error wrapping
// ErrLost is returned. Releasing twice does nothing.
func (l *Lock) Release() error {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return nil
	}
	l.released = true
	close(l.stopCh)
	doneCh := l.doneCh
	l.mu.Unlock()
	if doneCh != nil {
		<-doneCh // no renewal may rewrite the lock after it is removed
	}
	return withGuard(l.path, func() error {
		if err := l.checkOwned(); err != nil {
			return fmt.Errorf("release lock: %w", err)
		}
		return removeLock(l.path)
	})
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// runLock is the plan's lock held for a run, with its heartbeat.
type runLock struct {
	l      store.Held
	cancel context.CancelFunc
	// takenOver is the holder whose dead process's lock was taken over.
	takenOver *lock.Info
	// now is the run's clock: the heartbeat is stamped and judged by it.
	now func() time.Time
}

// acquireLock takes the plan's lock. With takeOver (resume), a lock whose
// holder is known gone (its process is gone on this same host, or its
// lease on a shared store expired) is taken over: a crash must not cost
// the operator an extra command.
func acquireLock(cfg Config, runID string, takeOver bool) (*runLock, error) {
	now := cfg.Clock.Now()
	info := lock.Info{RunID: runID, User: cfg.User, Host: cfg.Host, PID: os.Getpid(),
		Started: now, Heartbeat: now, Lease: cfg.LockLease}
	l, err := cfg.State.Acquire(cfg.Plan.Name, info)
	var held *lock.HeldError
	rl := &runLock{}
	switch {
	case err == nil:
	case errors.As(err, &held) && held.Gone() && takeOver:
		if held.Holder.RunID == runID {
			// What the dead holder saw synced stays in the lock: the
			// journal is checked against it once this run has the lock.
			info.Synced = held.Holder.Synced
		}
		l, err = cfg.State.TakeOver(cfg.Plan.Name, info, held.Holder)
		if err != nil {
			return nil, cannotRun(fmt.Errorf("take over the lock of %s: %w", goneText(held.Holder), err))
		}
		h := held.Holder
		rl.takenOver = &h
	case errors.As(err, &held):
		return nil, cannotRun(heldHint(cfg, held))
	default:
		// Nothing ran: the state dir cannot hold a lock (permissions, a
		// full disk).
		return nil, cannotRun(fmt.Errorf("lock plan %s: %w", cfg.Plan.Name, err))
	}
	rl.l = l
	ctx, cancel := context.WithCancel(context.Background())
	every := cfg.LockLease / 3
	if every <= 0 {
		every = time.Second
	}
	tickCh, stop := cfg.Clock.Ticker(every)
	rl.cancel = func() { cancel(); stop() }
	rl.now = cfg.Clock.Now
	l.HeartbeatOn(ctx, tickCh, cfg.Clock.Now)
	return rl, nil
}

// goneText names a holder known gone: the process that died on this
// host, or the run whose lease expired.
func goneText(h lock.Info) string {
	if h.Expired {
		return fmt.Sprintf("run %s on %s, whose lease expired", h.RunID, h.Host)
	}
	return fmt.Sprintf("dead process %d", h.PID)
}

// heldHint adds the way on to a held lock's error.
func heldHint(cfg Config, held *lock.HeldError) error {
	switch {
	case held.Expired:
		return fmt.Errorf("%w: continue the run with `failover resume %s`", held, planArg(cfg.Plan))
	case held.DeadSameHost:
		return fmt.Errorf("%w; its process is gone: continue the run with `failover resume %s`", held, planArg(cfg.Plan))
	case held.Holder.LeaseID != 0:
		// Its lease is alive: the holder renews it, so it runs and
		// reaches the store; no clock comparison says otherwise.
		return fmt.Errorf("%w; it keeps its lease of %s alive: if %s is in fact gone, the lease expires within %s and "+
			"`failover resume %s` then takes the lock over; `failover unlock %s --run %s` revokes it at once (that run, "+
			"if it is alive, can then write nothing more to its journal)", held, held.Holder.Lease, held.Holder.Host,
			held.Holder.Lease, planArg(cfg.Plan), planArg(cfg.Plan), held.Holder.RunID)
	case held.Stale:
		return fmt.Errorf("%w; if that run is really dead, break the lock with `failover unlock %s --run %s`",
			held, planArg(cfg.Plan), held.Holder.RunID)
	case held.Holder.HeartbeatStale(cfg.Clock.Now()):
		// A process of that pid exists, but a run renews its heartbeat:
		// after a reboot another program may have the pid.
		return fmt.Errorf("%w; process %d exists but has not renewed the lock for %s (lease %s): if it is not "+
			"that run (a pid reused after a reboot), break the lock with `failover unlock %s --run %s`", held,
			held.Holder.PID, cfg.Clock.Now().Sub(held.Holder.Heartbeat).Round(time.Second), held.Holder.Lease,
			planArg(cfg.Plan), held.Holder.RunID)
	}
	return held
}

// track makes the lock's heartbeat carry the last sequence number jw
// synced, and has jw keep the run's sync mark (its failure only warns:
// the mark is evidence that the journal was not cut short, not data).
func (rl *runLock) track(jw store.Journal, log zerolog.Logger) {
	rl.l.Track(jw.Synced)
	if err := jw.KeepMark(); err != nil {
		log.Warn().Err(err).Msg("cannot keep the journal's sync mark: a journal cut short may not be told from a stopped run")
	}
}

func (rl *runLock) release(log zerolog.Logger) {
	rl.cancel()
	if err := rl.l.Release(); err != nil {
		log.Error().Err(err).Msg("release lock")
	}
}

// warnTakeOver warns, when the lock was taken over from a dead process,
// as soon as that happened: a run that then stops before its journal
// exists (a failed preflight) still said so.
func (r *run) warnTakeOver(lk *runLock) {
	h := lk.takenOver
	switch {
	case h == nil:
	case h.Expired:
		r.log.Warn().Str("holder", h.User+"@"+h.Host).Int("pid", h.PID).Str("holder_run", h.RunID).
			Msg("took over the lock of a run whose lease expired: it can write nothing more")
	default:
		r.log.Warn().Str("holder", h.User+"@"+h.Host).Int("pid", h.PID).Str("holder_run", h.RunID).
			Msg("took over the lock of a process that no longer exists")
	}
}

// takeOverRecords returns the journal record of a lock taken over from a
// dead process (none if it was not).
func (r *run) takeOverRecords(lk *runLock) []journal.Record {
	h := lk.takenOver
	if h == nil {
		return nil
	}
	return []journal.Record{{Type: RecLockTakenOver, User: r.cfg.User,
		Holder: &journal.Holder{RunID: h.RunID, User: h.User, Host: h.Host, PID: h.PID}}}
}

// lost returns why no further step may start, or nil: the lock is no
// longer ours (someone broke or took it: another run of the plan may be
// going on), or its heartbeat could not be renewed for longer than its
// lease, so that another host may rightly take it as stale. A renewal that
// failed only for a moment (a reader holding the file on Windows, a full
// disk being cleared) does not stop the run: the heartbeat keeps trying.
func (rl *runLock) lost() error {
	if rl == nil || rl.l == nil {
		return nil
	}
	err := rl.l.Err()
	switch {
	case err == nil:
		return nil
	case errors.Is(err, lock.ErrLost):
		return fmt.Errorf("lost the plan's lock, no further step starts: %w", err)
	case rl.l.Info().HeartbeatStale(rl.now()):
		// Judged by the clock the heartbeat is stamped with.
		info := rl.l.Info()
		return fmt.Errorf("could not renew the plan's lock since %s, longer than its lease of %s, no further step starts: %w",
			info.Heartbeat.UTC().Format("15:04:05Z07:00"), info.Lease, err)
	}
	return nil
}

// renewFailing returns the last renewal's failure while the lock is still
// ours, or nil.
func (rl *runLock) renewFailing() error {
	if rl == nil || rl.l == nil {
		return nil
	}
	return rl.l.Err()
}

package lock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrChanged is wrapped when a lock is not what the caller expected: a
// take-over whose holder changed or renewed its heartbeat, or a Break for a
// run that does not hold the lock.
var ErrChanged = errors.New("lock changed")

// Acquire takes a plan's lock for the run info describes. Empty fields of
// info are filled from this process (see NewInfo). If the lock is held, the
// error is a *HeldError describing the holder.
func Acquire(stateDir, plan string, info Info) (*Lock, error) {
	info = info.Fill()
	path := Path(stateDir, plan)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create lock directory %s: %w", dir, err)
	}
	data, err := Encode(info)
	if err != nil {
		return nil, err
	}
	// A holder may release between our failed create and our read of its
	// lock: then the lock is free, so try again (bounded, against endless
	// churn).
	for range 100 {
		err = createExclusive(path, data)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
		holder, rerr := readFile(path)
		if isNotExist(rerr) {
			continue
		}
		if rerr != nil {
			return nil, fmt.Errorf("lock %s is held, and its holder cannot be read: %w", path, rerr)
		}
		return nil, NewHeldError(path, *holder)
	}
	if err != nil {
		return nil, fmt.Errorf("acquire lock %s: %w", path, err)
	}
	return newLock(path, info), nil
}

// createExclusive creates path with data, failing with fs.ErrExist if it
// exists. The data goes to a synced temporary file that is then hard-linked
// into place: link is atomic and fails if the name exists, so no one ever
// sees a lock without its content, and a crash cannot leave an empty lock
// that names no holder. Where hard links are not supported, it falls back to
// O_EXCL and writes in place.
func createExclusive(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		err = createInPlace(path, data)
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func createInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeTemp writes data to a new synced temporary file beside path.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// replace atomically replaces path with data: temporary file, rename, and
// a sync of the directory so the new name survives a crash.
func replace(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	if err := retrySharing(func() error { return os.Rename(tmp, path) }); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	return syncDir(filepath.Dir(path))
}

// TakeOver replaces the lock of a holder known to be gone with one for
// info. It is a compare-and-swap: if the lock no longer says exactly expect
// (another run took it, or the holder renewed its heartbeat and so is
// alive), it refuses with an error wrapping ErrChanged.
func TakeOver(stateDir, plan string, info Info, expect Info) (*Lock, error) {
	info = info.Fill()
	path := Path(stateDir, plan)
	data, err := Encode(info)
	if err != nil {
		return nil, err
	}
	err = withGuard(path, func() error {
		cur, err := readFile(path)
		if err != nil {
			return fmt.Errorf("take over lock: %w", err)
		}
		if !cur.SameHolder(expect) {
			return fmt.Errorf("take over lock %s: %w: now held by run %s (pid %d on %s, heartbeat %s)",
				path, ErrChanged, cur.RunID, cur.PID, cur.Host, stamp(cur.Heartbeat))
		}
		return replace(path, data)
	})
	if err != nil {
		return nil, err
	}
	return newLock(path, info), nil
}

// Break removes a plan's lock, for an operator who knows its holder is
// gone. It refuses, with an error wrapping ErrChanged, unless the lock is
// held by runID, so that an operator never breaks a lock they did not
// look at.
func Break(stateDir, plan, runID string) error {
	path := Path(stateDir, plan)
	return withGuard(path, func() error {
		cur, err := readFile(path)
		if err != nil {
			return fmt.Errorf("break lock: %w", err)
		}
		if cur.RunID != runID {
			return fmt.Errorf("break lock %s: %w: held by run %s, not %s", path, ErrChanged, cur.RunID, runID)
		}
		return removeLock(path)
	})
}

func removeLock(path string) error {
	if err := retrySharing(func() error { return os.Remove(path) }); err != nil {
		return fmt.Errorf("remove lock: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// Lower sets the Synced number of a plan's lock to synced when the lock
// names runID and says more: a repair that cut the run's journal on
// request (and journaled it) makes the journal shorter than its lock saw,
// and the lock must not then call the journal cut short. No lock, or
// another run's, is left alone.
func Lower(stateDir, plan, runID string, synced uint64) error {
	path := Path(stateDir, plan)
	if _, err := os.Stat(path); isNotExist(err) {
		return nil
	}
	return withGuard(path, func() error {
		cur, err := readFile(path)
		switch {
		case isNotExist(err):
			return nil
		case err != nil:
			return fmt.Errorf("lower lock: %w", err)
		case cur.RunID != runID || cur.Synced <= synced:
			return nil
		}
		cur.Synced = synced
		data, err := Encode(*cur)
		if err != nil {
			return err
		}
		if err := replace(path, data); err != nil {
			return fmt.Errorf("lower lock %s: %w", path, err)
		}
		return nil
	})
}

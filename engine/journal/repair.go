package journal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Open opens an existing journal to append to it, for resume. A bad tail is
// repaired first: the file as it was is kept beside it (see Damage.Copy)
// and then cut back to the last good record, and Replay.Damage says so, for
// the caller to warn. Damage followed by good records is refused with a
// *CorruptError and nothing is changed; the Replay of the records before
// the damage is still returned, for the caller to show.
func Open(fsys FS, path string) (*Writer, *Replay, error) {
	buf, err := fsys.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	rp, end, err := parse(path, buf)
	if err != nil {
		return nil, rp, err
	}
	f, err := fsys.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, rp, fmt.Errorf("open journal %s: %w", path, err)
	}
	if rp.Damage != nil {
		if err := cutBack(fsys, f, path, buf, rp.Damage); err != nil {
			_ = f.Close()
			return nil, rp, err
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, rp, fmt.Errorf("open journal %s: %w", path, err)
	}
	// Synced once: the records read may be a killed writer's appends that
	// never reached its fsync. A resume builds on them, and the sync mark
	// will say they are durable: they must be.
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, rp, fmt.Errorf("open journal %s: sync: %w", path, err)
	}
	return newWriter(fsys, path, f, uint64(len(rp.Records)), end), rp, nil
}

// Repair cuts a journal's bad tail back to the last good record, keeping a
// copy of the file as it was. Damage followed by good records is refused
// with a *CorruptError unless force is set; forced, those records are
// dropped too (they stay in the copy). A clean journal returns nil, nil.
// The sync mark is set to the records kept: a caller that knows the run
// synced more (engine.RepairJournal) checks that before.
func Repair(fsys FS, path string, force bool) (*Damage, error) {
	return RepairMarking(fsys, path, force, nil)
}

// cutInPlace keeps a copy of the journal, then truncates it at the damage.
// The sync mark is set first to the records the cut keeps: the cut is
// asked for, and the mark must not then call the journal cut short.
func cutInPlace(fsys FS, path string, buf []byte, d *Damage, kept int) (*Damage, error) {
	if err := WriteMark(fsys, path, uint64(kept)); err != nil {
		return d, fmt.Errorf("repair journal %s: %w", path, err)
	}
	f, err := fsys.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return d, fmt.Errorf("repair journal %s: %w", path, err)
	}
	if err := cutBack(fsys, f, path, buf, d); err != nil {
		_ = f.Close()
		return d, err
	}
	if err := f.Close(); err != nil {
		return d, fmt.Errorf("repair journal %s: %w", path, err)
	}
	return d, nil
}

// cutBack keeps a copy of buf, the file's content, then truncates f to the
// damage's offset and syncs it, and records both in d.
func cutBack(fsys FS, f File, path string, buf []byte, d *Damage) error {
	// The copy is made durable before the original is cut: a crash in
	// between must leave at least one whole version of the data on disk.
	cp, err := keepCopy(fsys, path, buf)
	if err != nil {
		return err
	}
	if err := f.Truncate(d.Offset); err != nil {
		// The file is as it was: no copy of it is said to be kept.
		return fmt.Errorf("cut journal %s back to offset %d: %w", path, d.Offset, discard(fsys, cp, err))
	}
	d.Copy = cp
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync repaired journal %s: %w", path, err)
	}
	d.Repaired = true
	return nil
}

// keepCopy writes buf to a new file <path>.torn-<UTC time>, never
// overwriting an earlier copy, and makes it durable.
func keepCopy(fsys FS, path string, buf []byte) (string, error) {
	base := path + ".torn-" + time.Now().UTC().Format(runIDLayout)
	for i := 0; ; i++ {
		name := base
		if i > 0 {
			name += "-" + strconv.Itoa(i)
		}
		f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) && i < 1000 {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("keep a copy of journal %s: %w", path, err)
		}
		err = writeAndSync(f, buf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = fsys.SyncDir(filepath.Dir(name))
		}
		if err != nil {
			// A full disk leaves an empty or partial copy: removed, so
			// that nothing passes for a kept copy that is not one.
			return "", fmt.Errorf("keep a copy of journal %s: %w", path, discard(fsys, name, err))
		}
		return name, nil
	}
}

// discard removes name, a file a failed write left incomplete (or whose
// purpose failed), and returns err, saying so if name could not be
// removed.
func discard(fsys FS, name string, err error) error {
	if rerr := fsys.Remove(name); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return fmt.Errorf("%w (%s is left incomplete: it could not be removed: %v)", err, name, rerr)
	}
	return err
}

package labfile

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// ReadFile reads the backup sets of a lab backup file. Errors wrap
// ErrTruncated, ErrNotBackup or ErrDamaged for a file a restore could not
// use, and the os error (fs.ErrNotExist, fs.ErrPermission) when the file
// cannot be read at all.
func ReadFile(path string) ([]BackupSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read backup file: %w", err)
	}
	sets, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sets, nil
}

// WriteFile writes sets to path atomically: to a temporary file in the
// same directory, synced, then renamed over path. Positions are numbered
// from 1 in order.
func WriteFile(path string, sets []BackupSet) error {
	b, err := Encode(sets)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return WriteBytes(path, b)
}

// WriteBytes writes raw content to path atomically (temp, sync, rename).
// The lab uses it for the truncated files of its scenarios.
func WriteBytes(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	// Synced before the rename so a crash never leaves a renamed but empty
	// or partial file under the final name.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp.Name(), path, err)
	}
	return syncDir(dir)
}

// syncDir makes the rename durable. Windows cannot open a directory for
// syncing; its rename (MoveFileEx) is what durability it gets.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

package fs

import (
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// copyFS is the file system fs.copy works on. The real one is osFS; tests
// wrap it to fail a write with "disk full", deny a permission, make a
// source file grow while it is read, or hang a share.
type copyFS interface {
	Stat(name string) (iofs.FileInfo, error)
	Lstat(name string) (iofs.FileInfo, error)
	ReadDir(name string) ([]iofs.DirEntry, error)
	EvalSymlinks(name string) (string, error)
	// Open opens a source file for reading.
	Open(name string) (srcFile, error)
	// CreateTemp creates a new file in dir whose name is pattern with its
	// last "*" replaced by a random string (os.CreateTemp).
	CreateTemp(dir, pattern string) (dstFile, error)
	MkdirAll(name string, perm iofs.FileMode) error
	Rename(oldname, newname string) error
	Remove(name string) error
	Chtimes(name string, atime, mtime time.Time) error
	// SyncDir makes the renames in dir durable.
	SyncDir(name string) error
	// SyncFS makes every file written on the file system holding dir
	// durable at once, where CanSyncFS says the system can; elsewhere
	// each copy is synced by itself.
	SyncFS(dir string) error
	CanSyncFS() bool
}

// srcFile is an open source file. The real one is *os.File, so a copy
// into a *os.File uses the kernel's copy (copy_file_range) where it can.
type srcFile interface {
	io.Reader
	Stat() (iofs.FileInfo, error)
	Close() error
}

// dstFile is an open temporary file in the destination.
type dstFile interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
}

// osFS is copyFS on the operating system's file system.
type osFS struct{}

func (osFS) Stat(name string) (iofs.FileInfo, error)      { return os.Stat(name) }
func (osFS) Lstat(name string) (iofs.FileInfo, error)     { return os.Lstat(name) }
func (osFS) ReadDir(name string) ([]iofs.DirEntry, error) { return os.ReadDir(name) }
func (osFS) EvalSymlinks(name string) (string, error)     { return filepath.EvalSymlinks(name) }
func (osFS) MkdirAll(name string, perm iofs.FileMode) error {
	return os.MkdirAll(name, perm)
}
func (osFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error             { return os.Remove(name) }
func (osFS) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(name, atime, mtime)
}

// Open returns the *os.File itself (not a wrapper), which keeps the
// kernel copy path open.
func (osFS) Open(name string) (srcFile, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// CreateTemp returns the *os.File itself, for the same reason.
func (osFS) CreateTemp(dir, pattern string) (dstFile, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// SyncDir syncs a directory so that the renames into it survive a crash.
// Windows cannot open a directory for syncing; its rename (MoveFileEx)
// is what durability it gets.
func (osFS) SyncDir(name string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

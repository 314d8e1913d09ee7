//go:build !windows

package lab

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// hangFolder replaces each file of the folder by a FIFO of the same name,
// the originals kept in orig: a program that opens one blocks, as a read
// from a hung file share does. Listing the folder and stat do not block
// (a FIFO shows as a named pipe of size 0): a FUSE file system would be
// needed for that. On an error, what was done is undone.
func hangFolder(local, orig string) ([]string, string, error) {
	entries, err := os.ReadDir(local)
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(orig, 0o755); err != nil {
		return nil, "", err
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(local, e.Name())
		if err := os.Rename(p, filepath.Join(orig, e.Name())); err != nil {
			return nil, "", errors.Join(err, unhangFolder(local, orig, names))
		}
		if err := unix.Mkfifo(p, 0o644); err != nil {
			os.Rename(filepath.Join(orig, e.Name()), p)
			return nil, "", errors.Join(err, unhangFolder(local, orig, names))
		}
		names = append(names, e.Name())
	}
	return names, "", nil
}

// unhangFolder puts the files back. Each FIFO is first opened for reading
// and writing, which lets a program blocked in opening it go on; it reads
// nothing (end of file) once the lab closes its end, after the real file
// is back under the name.
func unhangFolder(local, orig string, names []string) error {
	var errs []error
	for _, n := range names {
		p := filepath.Join(local, n)
		fd, ferr := unix.Open(p, unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		if err := os.Rename(filepath.Join(orig, n), p); err != nil {
			errs = append(errs, err)
		}
		if ferr == nil {
			unix.Close(fd)
		}
	}
	return errors.Join(errs...)
}

// lockFileAway stands in for a file another process holds open: the file
// is kept in orig and its name becomes a link to itself, so it is still
// listed but opening it fails (ELOOP). Unix has no sharing modes, so this
// is the nearest a folder can come to Windows' sharing violation.
func lockFileAway(local, orig string) (string, error) {
	if err := os.Rename(local, orig); err != nil {
		return "", err
	}
	if err := os.Symlink(filepath.Base(local), local); err != nil {
		return "", errors.Join(err, os.Rename(orig, local))
	}
	return "", nil
}

// unlockFileBack puts the file back under its name.
func unlockFileBack(local, orig string, _ bool) error {
	if err := os.Remove(local); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(orig, local)
}

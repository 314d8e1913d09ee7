//go:build windows

package lock

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// withGuard runs fn holding an exclusive LockFileEx lock on <path>.guard.
// Such locks belong to a handle, so two goroutines of one process exclude
// each other as two processes do, and Windows releases the lock when the
// holder dies. The guard file is never removed.
func withGuard(path string, fn func() error) error {
	f, err := os.OpenFile(path+".guard", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	h := windows.Handle(f.Fd())
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		return &os.PathError{Op: "LockFileEx", Path: f.Name(), Err: err}
	}
	defer windows.UnlockFileEx(h, 0, 1, 0, ol)
	return fn()
}

// syncDir does nothing on Windows: a directory handle cannot be flushed,
// and NTFS journals its metadata itself.
func syncDir(dir string) error { return nil }

// ProcessAlive reports whether a process with this pid exists on this
// host and has not exited. A handle with SYNCHRONIZE tells for sure: the
// process object is signalled once it exits, even while another handle
// keeps the object around (the Windows kin of a zombie). GetExitCodeProcess
// is not used for that: a process may exit with code 259 (STILL_ACTIVE).
// Access denied means the process exists but belongs to someone else.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	h, err := windows.OpenProcess(windows.SYNCHRONIZE|windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return errors.Is(err, windows.ERROR_ACCESS_DENIED)
	}
	defer windows.CloseHandle(h)
	ev, err := windows.WaitForSingleObject(h, 0)
	if err != nil {
		return true // it exists; we just cannot tell more
	}
	return ev == uint32(windows.WAIT_TIMEOUT)
}

// retrySharing runs fn, retrying briefly while another process has the file
// open: Go opens files without FILE_SHARE_DELETE, so a reader of the lock
// (failover status) makes a rename or remove over it fail for a moment.
func retrySharing(fn func() error) error {
	var err error
	for i := 0; i < 20; i++ {
		err = fn()
		if !errors.Is(err, windows.ERROR_SHARING_VIOLATION) && !errors.Is(err, windows.ERROR_ACCESS_DENIED) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

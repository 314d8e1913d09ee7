//go:build !windows

package lock

import (
	"bytes"
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// withGuard runs fn holding an exclusive flock on <path>.guard. flock
// locks belong to an open file description, so two goroutines of one
// process exclude each other as two processes do, and the kernel releases
// the lock when the holder dies. The guard file is never removed: removing
// it would let two callers lock two different files of the same name.
func withGuard(path string, fn func() error) error {
	f, err := os.OpenFile(path+".guard", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "flock", Path: f.Name(), Err: err}
	}
	// Closing the file drops the flock.
	return fn()
}

// syncDir fsyncs a directory so that names created, renamed or removed in
// it survive a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}

// ProcessAlive reports whether a process with this pid exists on this
// host. kill(pid, 0) checks without sending anything; EPERM means it exists
// but belongs to another user. On Linux a zombie (exited, not yet reaped by
// its parent) counts as dead: it will never renew its lock.
func ProcessAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := unix.Kill(pid, 0)
	if err != nil && !errors.Is(err, unix.EPERM) {
		return false
	}
	return !zombie(pid)
}

// zombie reports whether /proc says pid has exited and awaits its parent.
// Where there is no /proc, it says no.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// "pid (comm) S ...": comm may hold spaces and parentheses, so the
	// state is the first field after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	fields := bytes.Fields(b[i+1:])
	return len(fields) > 0 && string(fields[0]) == "Z"
}

// retrySharing runs fn once: on Unix an open file never blocks a rename or
// a remove.
func retrySharing(fn func() error) error { return fn() }

//go:build windows

package fs

import (
	"errors"
	"syscall"
)

// Windows error codes (winerror.h).
const (
	errorSharingViolation syscall.Errno = 32
	errorLockViolation    syscall.Errno = 33
	errorHandleDiskFull   syscall.Errno = 39
	errorDiskFull         syscall.Errno = 112
	errorDiskQuota        syscall.Errno = 1295
)

// isDiskFull reports whether err says the destination has no space left
// (or the user's quota is exhausted).
func isDiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull) ||
		errors.Is(err, errorDiskQuota) || errors.Is(err, syscall.ENOSPC)
}

// isLocked reports whether err says another process holds the file open
// without sharing it (a backup still being written: OS error 32) or
// holds a lock on the range read (33).
func isLocked(err error) bool {
	return errors.Is(err, errorSharingViolation) || errors.Is(err, errorLockViolation)
}

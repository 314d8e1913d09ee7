//go:build !windows

package fs

import (
	"errors"
	"syscall"
)

// isDiskFull reports whether err says the destination has no space left
// (or the user's quota is exhausted).
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// isLocked reports whether err says the file cannot be opened for now.
// Unix has no mandatory locks on the files a copy reads; a name that is a
// link loop (ELOOP) cannot be opened either, and is retried like a file
// in use (the failover lab stands in for Windows' sharing violation with
// one).
func isLocked(err error) bool { return errors.Is(err, syscall.ELOOP) }

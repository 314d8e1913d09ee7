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

// isLocked reports whether err says another process holds the file
// locked. Unix has no mandatory locks on the files a copy reads.
func isLocked(error) bool { return false }

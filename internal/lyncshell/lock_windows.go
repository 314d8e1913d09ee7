//go:build windows

package lyncshell

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockFileHandle takes an exclusive LockFileEx lock, waiting for it.
func lockFileHandle(f *os.File) error {
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ol)
}

func unlockFileHandle(f *os.File) {
	var ol windows.Overlapped
	_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}

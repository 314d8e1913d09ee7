//go:build unix

package lyncshell

import (
	"os"
	"syscall"
)

// lockFileHandle takes an exclusive flock, waiting for it.
func lockFileHandle(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFileHandle(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

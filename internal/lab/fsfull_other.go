//go:build !linux

package lab

import (
	"errors"
	"runtime"
)

// vanishOnOpen: only Linux (inotify) lets the lab see a program open a file.
const vanishOnOpen = false

// fillDisk needs Linux's user namespaces for its size-limited folder.
func fillDisk(_ string, _ *fileFaultState, _ int64) error {
	return errors.New("disk-full needs a size-limited folder, which the lab makes with Linux user namespaces; not available on " + runtime.GOOS)
}

func emptyDisk(_ string, _ fileFaultState) error { return nil }

// killHolder: no holder processes here.
func killHolder(int, string) {}

func holderView(int, string) string { return "" }

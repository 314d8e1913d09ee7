package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"
)

// lockUp serialises up (and down --reset within it) per lab dir: two ups
// at once would both initialise a new dir and start two labs. The lock is
// DIR/lab.up.lock, created exclusively, holding the owner's pid; a lock
// whose owner is gone is taken over. It waits up to timeout for a live
// owner and returns the function that releases the lock.
func lockUp(d labDir, timeout time.Duration) (func(), error) {
	path := d.file("lab.up.lock")
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
			if err := errors.Join(werr, f.Close()); err != nil {
				os.Remove(path)
				return nil, fmt.Errorf("write %s: %w", path, err)
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
		owner := lockOwner(path)
		if owner == 0 || !processAlive(owner) {
			// The owner died without releasing it (or is between create
			// and write: the short sleep below lets it finish).
			if owner != 0 || staleEmpty(path) {
				os.Remove(path)
				continue
			}
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another failover-lab up (pid %d) holds %s", owner, path)
		}
		time.Sleep(stopPollDown)
	}
}

// lockOwner reads the pid in a lock file, 0 if there is none yet.
func lockOwner(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// staleEmpty reports whether a lock file without a pid is old enough that
// its creator cannot still be about to write it.
func staleEmpty(path string) bool {
	st, err := os.Stat(path)
	return err == nil && time.Since(st.ModTime()) > 5*time.Second
}

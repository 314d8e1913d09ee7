//go:build !linux && !windows

package ps

import (
	"syscall"
	"testing"
	"time"
)

// waitGone fails unless process pid is gone within a minute of the kill.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	t.Errorf("process %d still runs", pid)
}

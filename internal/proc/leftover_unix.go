//go:build unix

package proc

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/failover-dev/failover/actions"
)

// StartTime identifies a running process beyond its pid: on Linux, its
// start time in clock ticks since boot (/proc/PID/stat, field 22); "" where
// it cannot be read.
func StartTime(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(s[i+1:])
	if len(fields) < 20 {
		return ""
	}
	return fields[19] // field 22 of the whole line
}

// Alive reports whether a process tree an earlier run journaled still has
// a process: its group exists and, where start times can be read, its
// leader is the same process (not a pid reused since). leaderGone says
// the group lives on without its leader, which then cannot be verified.
func Alive(p actions.ProcessInfo) (alive, leaderGone bool) {
	if p.Group <= 0 {
		return false, false
	}
	if err := syscall.Kill(-p.Group, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false, false
	}
	now := StartTime(p.Group)
	switch {
	case now == "" && p.Start != "":
		// The leader is gone (or unreadable); its group is not.
		return true, true
	case p.Start != "" && now != p.Start:
		// Another process has that pid now and leads a group of that
		// id: not ours.
		return false, false
	}
	return true, false
}

// KillTree ends a journaled process tree: SIGKILL to its whole group.
func KillTree(p actions.ProcessInfo) error {
	if p.Group <= 0 {
		return nil
	}
	err := syscall.Kill(-p.Group, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

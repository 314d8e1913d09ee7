//go:build windows

package proc

import "github.com/failover-dev/failover/actions"

// StartTime is not read on Windows: a tree there is a job object that
// ends with failover, so no leftover is ever looked for.
func StartTime(int) string { return "" }

// Alive is false on Windows: the job object kills the tree when failover
// ends, even when failover is killed.
func Alive(actions.ProcessInfo) (alive, leaderGone bool) { return false, false }

// KillTree has nothing to end on Windows (see Alive).
func KillTree(actions.ProcessInfo) error { return nil }

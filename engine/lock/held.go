package lock

import (
	"fmt"
	"strings"
	"time"
)

// HeldError is returned by Acquire when another run holds the lock.
type HeldError struct {
	Path   string
	Holder Info
	// Stale: the holder is on another host and its heartbeat is older
	// than its lease. Only an operator may break it (Break).
	Stale bool
	// DeadSameHost: the holder is on this host and its process is gone,
	// so resume may take the lock over (TakeOver).
	DeadSameHost bool
	// Expired: the holder's lease on a shared store ran out: it can
	// write nothing more, and resume on any host may take the lock over.
	Expired bool
}

// Gone reports whether the holder is known gone, so that resume may take
// the lock over: its process is dead on this host, or its lease expired.
func (e *HeldError) Gone() bool { return e.DeadSameHost || e.Expired }

// Error names who holds the lock, since when, its last heartbeat, and what
// the state of the holder means for the operator.
func (e *HeldError) Error() string {
	h := e.Holder
	var b strings.Builder
	fmt.Fprintf(&b, "lock %s is held by run %s (user %s on %s, pid %d) since %s, last heartbeat %s",
		e.Path, h.RunID, h.User, h.Host, h.PID, stamp(h.Started), stamp(h.Heartbeat))
	switch {
	case e.Expired:
		b.WriteString("; its lease expired: that run can write nothing more")
	case e.DeadSameHost:
		fmt.Fprintf(&b, "; process %d no longer exists on this host", h.PID)
	case e.Stale:
		fmt.Fprintf(&b, "; stale: no heartbeat for %s, longer than its lease of %s",
			time.Since(h.Heartbeat).Round(time.Second), h.Lease)
	}
	return b.String()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// NewHeldError judges the holder of a lock found at path (a file, or a
// key on a shared store) for Acquire's refusal.
func NewHeldError(path string, h Info) *HeldError {
	v := h.Judge(time.Now())
	return &HeldError{Path: path, Holder: h, Stale: v == Stale, DeadSameHost: v == Dead, Expired: v == Expired}
}

package lock

import "time"

// Verdict is what can be told of a lock's holder from this host: the one
// staleness rule every command applies.
type Verdict int

// The verdicts.
const (
	// Live: the holder renews its heartbeat within its lease (on another
	// host), or its process is alive and renewing (on this host).
	Live Verdict = iota
	// Stale: the holder is on another host and its heartbeat is older
	// than its lease. Only an operator may break the lock.
	Stale
	// Dead: the holder is on this host and its process is gone; resume
	// may take the lock over.
	Dead
	// Silent: the holder is on this host, a process of its pid exists,
	// but the heartbeat is older than the lease: a pid reused after a
	// reboot, or a hung run.
	Silent
	// Expired: the holder's lease on a shared store (etcd) ran out or
	// was revoked: it can write nothing more, wherever it runs; resume
	// on any host may take the lock over.
	Expired
)

// HeartbeatStale reports whether the holder has not renewed the lock
// within its lease at now.
func (in Info) HeartbeatStale(now time.Time) bool {
	return in.Lease > 0 && now.Sub(in.Heartbeat) > in.Lease
}

// Judge tells what the holder is, seen from this host at now.
func (in Info) Judge(now time.Time) Verdict {
	if in.Expired {
		return Expired
	}
	// A lease (etcd) is alive only while its holder renews it: that says
	// more than the heartbeat's age, which compares two hosts' clocks.
	stale := in.LeaseID == 0 && in.HeartbeatStale(now)
	switch {
	case in.Host != Hostname() && stale:
		return Stale
	case in.Host != Hostname():
		return Live
	case !ProcessAlive(in.PID):
		return Dead
	case stale:
		return Silent
	}
	return Live
}

// CurrentUser names the operator: the account the process runs as
// (DOMAIN\user on Windows), else the USER or USERNAME variable, else
// "unknown". Every journal record and lock names the operator this way.
func CurrentUser() string {
	return currentUser()
}

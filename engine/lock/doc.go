// Package lock keeps one run per plan name per state dir.
//
// The lock is a small JSON file, <stateDir>/<plan>/lock, naming the run that
// holds it: run id, user, host, pid, start time, a heartbeat the holder
// renews while it runs, and the lease after which a silent holder on another
// host is presumed stale. The heartbeat also carries the sequence number of
// the last record the run made durable in its journal (Info.Synced,
// "synced_seq"; see Lock.Track): a journal holding fewer was cut short.
//
// Creating the lock is atomic without any other help: the content is
// written to a temporary file and hard-linked into place, which fails if a
// lock exists, so a reader never sees a half-written lock. Every change to
// an existing lock (heartbeat, take-over, break, release) is a
// read-compare-replace done while holding an OS file lock on
// <stateDir>/<plan>/lock.guard (flock on Unix, LockFileEx on Windows), which
// makes it a true compare-and-swap; the OS drops that file lock when its
// process dies, so a crash never leaves the guard held. Replacements are
// written to a temporary file and renamed over the lock.
//
// A lock kept on a shared store (engine/store/etcdstore) has the same
// JSON and a lease (Info.LeaseID) that its holder keeps alive: Judge then
// takes the lease's life for the holder's, and a lease that ran out
// (Info.Expired, the Expired verdict) lets resume on any host take over.
package lock

// Package etcdstore keeps runs' journals and plans' locks on an etcd
// cluster (store.Backend), so that when the admin host running a plan
// dies, another one finds the run's journal and resumes it.
//
// # Keys
//
// Every key lives under a prefix P (default /failover):
//
//	P/runs/<plan>/<run>/head             "FOJRNL02" + the header's frame
//	P/runs/<plan>/<run>/rec/0000000001   record 1's frame
//	P/runs/<plan>/<run>/rec/0000000002   record 2's frame …
//	P/runs/<plan>/<run>/seq              the sync mark: last seq committed
//	P/runs/<plan>/<run>/aside            set aside (apply --new-run)
//	P/locks/<plan>/lock                  the lock, attached to its lease
//	P/locks/<plan>/holder                the same, without a lease
//	P/kept/<plan>/<copy>/0000            a journal as it was before a repair
//
// The values of head and rec/… are exactly the bytes of a journal file
// (engine/journal): their concatenation in key order is the file, so
// framing, checksums, damage detection, rescue and repair are the same
// code, and engine.Fold the same reader. Record numbers are zero-padded
// so that keys sort as numbers.
//
// # Appends: group commit, durability, fencing
//
// A Journal keeps appended frames in memory; Sync writes all of them and
// the sync mark in one transaction, which succeeds only if the previous
// record exists, the next does not, and the plan's lock key still carries
// the run's lease. A record is durable once the transaction commits: a
// quorum of members has it in its log, the rule a file's fsync follows,
// and the engine syncs a step's start record before its action runs. A
// process whose lease expired or was revoked can therefore never append
// again, even if it does not know yet.
//
// # The lock
//
// Acquire grants a lease of the run's lock lease (30s by default) and
// writes both lock keys in one transaction requiring neither to exist.
// The holder renews the lease at every heartbeat tick (a third of the
// lease), rewriting the keys with its heartbeat and synced seq, and
// watches the lock key: a delete or a foreign lease there means the lock
// is lost at once. Renewals failing for three quarters of the lease also
// mean lost: the run stops starting steps before etcd can expire the
// lease and another host take the lock. When the holder dies its lease
// expires, etcd deletes the lock key, and the holder key still says
// whose lock it was: resume on any host takes it over (journaled), as
// resume on one host takes over the lock of a dead process.
package etcdstore

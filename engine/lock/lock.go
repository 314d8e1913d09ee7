package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"time"
)

// FileName is the lock's file name inside a plan's state directory.
const FileName = "lock"

// DefaultLease is how long a holder may go without a heartbeat before a
// lock held from another host is reported stale.
const DefaultLease = 30 * time.Second

// Info is what a lock file says about its holder.
type Info struct {
	RunID     string
	User      string
	Host      string
	PID       int
	Started   time.Time
	Heartbeat time.Time
	Lease     time.Duration
	// Synced is the sequence number of the last record of the run's
	// journal known durable when the heartbeat was last renewed (0: none
	// yet, or a holder that does not say). A journal holding fewer
	// records than its lock saw was cut short.
	Synced uint64
	// LeaseID is the lease of a lock kept on a shared store (etcd): the
	// holder keeps it alive, and the lock is the holder's only while it
	// lives. 0 for a lock file.
	LeaseID int64
	// Expired says the holder's lease ran out (or was revoked) while the
	// lock still named it: the holder can write nothing more (a store
	// with leases sets it when it reads the lock; never on the wire).
	Expired bool
}

// wireInfo is the lock file's JSON shape, stable for other tools to read.
type wireInfo struct {
	RunID     string    `json:"run_id"`
	User      string    `json:"user"`
	Host      string    `json:"host"`
	PID       int       `json:"pid"`
	Started   time.Time `json:"started"`
	Heartbeat time.Time `json:"heartbeat"`
	Lease     string    `json:"lease"`
	// Synced is added by format-aware holders; readers that do not know
	// it ignore it, and a lock without it reads as 0.
	Synced uint64 `json:"synced_seq,omitempty"`
	// LeaseID is set by stores with leases (etcd).
	LeaseID int64 `json:"lease_id,omitempty"`
}

// NewInfo returns the Info of a run started now by this process: the
// current user, host and pid, and the given lease (DefaultLease if zero).
func NewInfo(runID string, lease time.Duration) Info {
	if lease <= 0 {
		lease = DefaultLease
	}
	now := time.Now().UTC()
	return Info{RunID: runID, User: currentUser(), Host: Hostname(), PID: os.Getpid(),
		Started: now, Heartbeat: now, Lease: lease}
}

// Fill returns in with the fields a caller left empty set to this
// process's values, and the lease to DefaultLease if it is not positive.
func (in Info) Fill() Info {
	def := NewInfo(in.RunID, in.Lease)
	if in.User == "" {
		in.User = def.User
	}
	if in.Host == "" {
		in.Host = def.Host
	}
	if in.PID == 0 {
		in.PID = def.PID
	}
	if in.Started.IsZero() {
		in.Started = def.Started
	}
	if in.Heartbeat.IsZero() {
		in.Heartbeat = def.Heartbeat
	}
	in.Lease = def.Lease
	return in
}

// SameHolder reports whether two Infos describe the same holder at the
// same heartbeat: the comparison of a take-over's compare-and-swap.
func (in Info) SameHolder(o Info) bool {
	return in.RunID == o.RunID && in.Host == o.Host && in.PID == o.PID &&
		in.Started.Equal(o.Started) && in.Heartbeat.Equal(o.Heartbeat)
}

// HostEnv names the variable that overrides the host name failover
// records in locks and journals and judges holders by (a container whose
// host name changes at every start; tests that play several hosts).
const HostEnv = "FAILOVER_HOST"

// Hostname returns the host name failover goes by: FAILOVER_HOST when
// set, else this machine's host name, or "unknown".
func Hostname() string {
	if h := os.Getenv(HostEnv); h != "" {
		return h
	}
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "unknown"
}

// Path returns the lock file of a plan: <stateDir>/<plan>/lock.
func Path(stateDir, plan string) string {
	return filepath.Join(stateDir, plan, FileName)
}

// Encode returns the lock's JSON, as a lock file holds it.
func Encode(in Info) ([]byte, error) {
	w := wireInfo{RunID: in.RunID, User: in.User, Host: in.Host, PID: in.PID,
		Started: in.Started.UTC(), Heartbeat: in.Heartbeat.UTC(), Lease: in.Lease.String(), Synced: in.Synced,
		LeaseID: in.LeaseID}
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode lock: %w", err)
	}
	return append(b, '\n'), nil
}

// Decode reads a lock's JSON.
func Decode(b []byte) (Info, error) {
	var w wireInfo
	if err := json.Unmarshal(b, &w); err != nil {
		return Info{}, err
	}
	in := Info{RunID: w.RunID, User: w.User, Host: w.Host, PID: w.PID,
		Started: w.Started, Heartbeat: w.Heartbeat, Synced: w.Synced, LeaseID: w.LeaseID}
	if w.Lease != "" {
		d, err := time.ParseDuration(w.Lease)
		if err != nil {
			return Info{}, fmt.Errorf("lease: %w", err)
		}
		in.Lease = d
	}
	return in, nil
}

// Read returns the holder of a plan's lock. With no lock the error wraps
// fs.ErrNotExist.
func Read(stateDir, plan string) (*Info, error) {
	return readFile(Path(stateDir, plan))
}

func readFile(path string) (*Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read lock: %w", err)
	}
	in, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode lock %s: %w", path, err)
	}
	return &in, nil
}

// isNotExist reports whether err says there is no lock.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

package engine

import (
	"context"
	"math/rand/v2"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/plans"
)

// DefaultParallelism is the number of steps that run at once unless
// Config.Parallelism says otherwise.
const DefaultParallelism = 4

// DefaultLockLease is how long a lock's heartbeat stays fresh; the
// heartbeat is renewed every third of it.
const DefaultLockLease = 30 * time.Second

// Config is everything a run needs. Plan and Registry are required; every
// other field has a working default.
type Config struct {
	Plan     *plans.Plan
	Registry *actions.Registry
	// State keeps journals and locks (default: the local directory
	// StateDir, with journal file access through FS).
	State store.Backend
	// StateDir holds journals and locks when State is nil (default
	// ".failover").
	StateDir string
	// Parallelism bounds the steps running at once (default 4).
	Parallelism int
	// Log receives one line per state change; the engine adds run, step,
	// attempt and action fields.
	Log zerolog.Logger
	// Approver asks a human on a terminal; nil when there is none.
	Approver actions.Approver
	// Approve lists steps approved on the command line (--approve).
	Approve []string
	// AutoApprove approves every approval step (--auto-approve).
	AutoApprove bool
	// Clock and Rand are injected by tests (default: real time, math/rand).
	Clock Clock
	Rand  func() float64
	// Only and From restrict the run to some steps (--only, --from).
	Only []string
	From string
	// Deadline bounds the whole run; 0 takes the plan's deadline.
	Deadline time.Duration
	// Progress, if set, receives the progress of long steps (throttled,
	// one call at a time; it must not block); without it progress is
	// logged.
	Progress func(ProgressEvent)
	// LookupEnv reads the environment (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// ReadFile reads secret files (default: regular files of at most
	// 1 MiB, never blocking on a FIFO or a device).
	ReadFile func(string) ([]byte, error)
	// FS is the journal's file access when State is nil (default
	// journal.OSFS).
	FS journal.FS
	// User and Host name who runs (defaults from the OS).
	User, Host string
	// LockLease is the lock's heartbeat lease (default 30s).
	LockLease time.Duration
	// Observer, if set, is called on every step state change, one call at
	// a time; it must not block.
	Observer func(StepResult)
	// KillLeftovers ends, on resume, the programs a step of the dead run
	// left running (--kill-leftovers); without it such a step waits for
	// the operator.
	KillLeftovers bool
	// Version is failover's version, journaled with each session and
	// given to actions and target openers (application names).
	Version string
}

// Clock is the time source of retries, require polling and the lock's
// heartbeat.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx ends, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
	// Ticker ticks every d until stop is called.
	Ticker(d time.Duration) (tickCh <-chan time.Time, stop func())
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Ticker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// withDefaults returns cfg with every unset field filled in.
func (cfg Config) withDefaults() Config {
	if cfg.StateDir == "" {
		cfg.StateDir = ".failover"
	}
	if cfg.Parallelism <= 0 {
		cfg.Parallelism = DefaultParallelism
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.LookupEnv == nil {
		cfg.LookupEnv = os.LookupEnv
	}
	if cfg.ReadFile == nil {
		cfg.ReadFile = readSecretFile
	}
	if cfg.FS == nil {
		cfg.FS = journal.OSFS{}
	}
	if cfg.State == nil {
		cfg.State = store.NewLocal(cfg.StateDir, cfg.FS)
	}
	if cfg.User == "" {
		cfg.User = lock.CurrentUser()
	}
	if cfg.Host == "" {
		// The lock's own idea of the host: a dead process's lock is
		// taken over only when the hosts match exactly.
		cfg.Host = lock.Hostname()
	}
	if cfg.LockLease <= 0 {
		cfg.LockLease = DefaultLockLease
	}
	if cfg.Deadline == 0 && cfg.Plan != nil {
		cfg.Deadline = cfg.Plan.Deadline
	}
	return cfg
}

// maxSecretFile bounds a secret file: a password or a key, never more.
const maxSecretFile = 1 << 20

// readSecretFile reads a secret file as the loader reads plans: only a
// regular file, opened without blocking, at most maxSecretFile bytes.
func readSecretFile(path string) ([]byte, error) {
	return plans.ReadFile(path, maxSecretFile)
}

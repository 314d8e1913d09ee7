package main

import (
	"fmt"
	"os"
	"time"

	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/plans"
)

// stateEnv names the variable that holds the default of --state.
const stateEnv = "FAILOVER_STATE"

// state returns the backend journals and locks live in: the local state
// dir, or the shared store --state names. It is opened once per command.
func (a *app) state() (store.Backend, error) {
	if a.backend != nil {
		return a.backend, nil
	}
	if a.stateURL == "" {
		a.backend = store.NewLocal(a.stateDir, nil)
		return a.backend, nil
	}
	b, err := openShared(a.stateURL)
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	a.backend = b
	return b, nil
}

// closeState closes the backend, if one was opened.
func (a *app) closeState() {
	if a.backend == nil {
		return
	}
	if err := a.backend.Close(); err != nil {
		fmt.Fprintf(a.stderr, "warning: close %s: %v\n", a.backend, err)
	}
	a.backend = nil
}

// openShared opens the shared store a --state URL names; TLS files,
// the user and the password come from the environment only.
func openShared(url string) (store.Backend, error) {
	cfg, err := etcdstore.ParseURL(url)
	if err != nil {
		return nil, err
	}
	if err := cfg.FromEnv(os.Getenv, readSecret); err != nil {
		return nil, err
	}
	return etcdstore.Open(cfg)
}

// readSecret reads a certificate, key or password file: a regular file of
// at most 1 MiB, never blocking on a FIFO.
func readSecret(path string) ([]byte, error) { return plans.ReadFile(path, 1<<20) }

// lockLeaseEnv names the variable that holds the default of --lock-lease.
const lockLeaseEnv = "FAILOVER_LOCK_LEASE"

// envDuration reads a duration from the environment: def when unset, 0
// when it is not a duration (the flag's check then refuses it).
func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, _ := time.ParseDuration(v)
	return d
}

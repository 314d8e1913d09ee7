package main

import (
	"fmt"

	"github.com/failover-dev/failover/engine/store"
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

// openShared opens the shared store a --state URL names.
func openShared(url string) (store.Backend, error) {
	return nil, fmt.Errorf("--state %s: not yet", url)
}

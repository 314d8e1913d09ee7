package main

import (
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/internal/etcdtest"
)

// stateFlags are the global flags that put a command's state on a
// backend: a fresh state dir, or a fresh prefix on an etcd cluster.
type stateFlags struct {
	name string
	args []string
	// where is how messages name the state's place.
	where string
}

// localState is a fresh state dir under dir.
func localState(dir string) stateFlags {
	d := filepath.Join(dir, "state")
	return stateFlags{name: "local", args: []string{"--state-dir", d}, where: d}
}

// etcdStateOn is a fresh prefix on cluster c.
func etcdStateOn(t *testing.T, c *etcdtest.Cluster) stateFlags {
	url := c.URL(etcdtest.Prefix(t))
	return stateFlags{name: "etcd", args: []string{"--state", url}, where: url}
}

// with prepends the state flags to a command's arguments.
func (s stateFlags) with(args ...string) []string {
	return append(append([]string(nil), s.args...), args...)
}

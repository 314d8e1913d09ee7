package etcdstore_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/engine/store/etcdstore"
	"github.com/failover-dev/failover/internal/etcdtest"
)

// shared is one three-member cluster for the tests that do not harm it;
// each test keeps its keys under a prefix of its own.
var shared *etcdtest.Cluster

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "etcdstore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared, err = etcdtest.New(dir, etcdtest.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	shared.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// etcdStore is a Store on the shared cluster under a fresh prefix.
func etcdStore(t *testing.T) *etcdstore.Store {
	t.Helper()
	return etcdstore.New(shared.Client(t), etcdtest.Prefix(t), 5*time.Second)
}

// backends are the two backends the contract tests run against.
func backends() []struct {
	name string
	open func(t *testing.T) store.Backend
} {
	return []struct {
		name string
		open func(t *testing.T) store.Backend
	}{
		{"local", func(t *testing.T) store.Backend { return store.NewLocal(t.TempDir(), nil) }},
		{"etcd", func(t *testing.T) store.Backend { return etcdStore(t) }},
	}
}

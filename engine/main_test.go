package engine

import (
	"os"
	"testing"
)

// TestMain runs a helper process when the test binary is re-executed by a
// test that kills it (the standard re-exec pattern).
func TestMain(m *testing.M) {
	if helper := os.Getenv("FAILOVER_ENGINE_HELPER"); helper != "" {
		os.Exit(runHelper(helper))
	}
	code := m.Run()
	stopSharedCluster()
	os.Exit(code)
}

package etcdtest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

var prefixes atomic.Int64

// Prefix returns a key prefix of the test's own on a cluster tests share:
// numbered, so that a test run again (-count=2) never finds the keys of
// its earlier run, and named after the test, so that a key says whose it
// is.
func Prefix(t testing.TB) string {
	return fmt.Sprintf("/t%d-%s", prefixes.Add(1), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()))
}

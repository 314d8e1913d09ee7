package fs

import (
	"sync"

	"github.com/failover-dev/failover/actions"
)

// copyProgress adds up what the workers did and reports it: files and
// bytes of their totals, and the file being copied. Workers call it
// concurrently; reports go out one at a time.
type copyProgress struct {
	env *actions.Env
	mu  sync.Mutex // guards p
	p   actions.Progress
}

func newCopyProgress(env *actions.Env, files int, bytes int64) *copyProgress {
	return &copyProgress{env: env, p: actions.Progress{Total: int64(files), Unit: "files", TotalBytes: bytes}}
}

// addBytes counts n more bytes of file rel.
func (c *copyProgress) addBytes(rel string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p.Bytes += n
	c.p.Item = rel
	c.env.Report(c.p)
}

// fileDone counts one more file finished (copied or skipped).
func (c *copyProgress) fileDone(rel string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.p.Done++
	c.p.Item = rel
	c.env.Report(c.p)
}

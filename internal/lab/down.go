package lab

import (
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// downInstances are the instances a down fault stops (upper case).
func (fs *faultSet) downInstances() map[string]string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := map[string]string{}
	for _, a := range fs.faults {
		if a.Kind == FaultDown {
			out[strings.ToUpper(a.Instance)] = a.ID
		}
	}
	return out
}

// applyDown stops the instances a down fault names (they stop listening
// and their connections drop, as when a datacenter goes dark) and starts
// again, on the same address, those whose down fault was cleared.
func (l *Lab) applyDown() {
	down := l.faults.downInstances()
	l.srvMu.Lock()
	defer l.srvMu.Unlock()
	if l.closed {
		return
	}
	for i, in := range l.instances {
		id, want := down[in.name]
		srv := l.servers[i]
		switch {
		case want && srv != nil:
			// Closing waits for the instance's handlers; they never take
			// srvMu, so holding it here cannot deadlock.
			_ = srv.Close()
			l.servers[i] = nil
			l.log.write(in.name, 0, "down", "instance stopped by fault "+id)
		case !want && srv == nil:
			next := tds.NewServer(l.tdsCfg[i], in)
			if _, err := next.Start(); err != nil {
				l.log.write(in.name, 0, "up", "instance could not start again: "+err.Error())
				continue // tried again at the next poll
			}
			l.servers[i] = next
			l.log.write(in.name, 0, "up", "instance listens again on "+l.tdsCfg[i].Addr)
		}
	}
}

// Package net holds the network checks: tcp.reachable.
package net

import "github.com/failover-dev/failover/actions"

// Register adds the net family to r.
func Register(r *actions.Registry) {
	r.Register(reachableType())
}

// Package flow holds the actions that steer a run rather than change a
// system: approval (a human says go) and wait (a fixed pause).
package flow

import "github.com/failover-dev/failover/actions"

// Register adds approval and wait to r.
func Register(r *actions.Registry) {
	r.Register(approvalType())
	r.Register(waitType())
}

// Package fs holds the file-system checks and actions: fs.exists and
// fs.copy.
package fs

import "github.com/failover-dev/failover/actions"

// Register adds the fs family to r.
func Register(r *actions.Registry) {
	r.Register(existsType())
	r.Register(copyType())
}

// Package logship holds the log shipping actions: logship.remove takes
// a secondary database out of log shipping after journaling what msdb
// knows of it. They use the sqlserver target's Pool (actions/sqlserver).
package logship

import "github.com/failover-dev/failover/actions"

// Register adds the log shipping actions to r. The sqlserver family
// (its target opener) is registered separately.
func Register(r *actions.Registry) {
	r.Register(removeType())
	r.Register(applyType())
}

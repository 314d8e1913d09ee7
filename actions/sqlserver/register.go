package sqlserver

import (
	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
)

// Register attaches the sqlserver target's opener (the Pool) to r, which
// must hold the target types already (targets.Register), and adds the
// SQL Server actions and checks.
func Register(r *actions.Registry) {
	actions.AttachOpener[targets.SQLServer](r, "sqlserver", opener{})
	r.Register(execType())
	r.Register(checkType())
	r.Register(stateType())
	r.Register(killType())
	r.Register(recoverType())
}

// Package targets registers the target types a plan's targets section
// may use: sqlserver, powershell and host. These are field schemas and
// their cross-field rules only; the actions that connect to a target
// (sql.*, ps.*) build their connections from these fields.
package targets

import (
	"fmt"

	"github.com/failover-dev/failover/actions"
)

// Register adds the sqlserver, powershell and host target types to r.
func Register(r *actions.Registry) {
	r.RegisterTarget(sqlServerType())
	r.RegisterTarget(powerShellType())
	r.RegisterTarget(hostType())
}

// Validate checks a target's decoded fields beyond their types (the
// cross-field rules of its type). params is what actions.Decode returns
// for the target type's Params. actions.TargetType has no Validate hook,
// so the plan loader calls this for every target whose fields are static.
func Validate(targetType string, params any) error {
	switch targetType {
	case "sqlserver":
		return validateSQLServer(params.(*SQLServer))
	case "powershell":
		return validatePowerShell(params.(*PowerShell))
	case "host":
		return validateHost(params.(*Host))
	}
	return fmt.Errorf("unknown target type %q", targetType)
}

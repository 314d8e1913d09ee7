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
	for _, t := range []*actions.TargetType{sqlServerType(), powerShellType(), hostType()} {
		name := t.Name
		t.Validate = func(params any) error { return Validate(name, params) }
		r.RegisterTarget(t)
	}
}

// Validate checks a target's decoded fields beyond their types (the
// cross-field rules of its type). params is what actions.Decode returns
// for the target type's Params. Register sets it as each type's
// Validate, which the plan loader calls for every target whose fields are
// static.
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

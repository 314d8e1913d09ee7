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
// for the target type's Params.
func Validate(targetType string, params any) error {
	switch p := params.(type) {
	case *SQLServer:
		return validateSQLServer(p)
	case *PowerShell:
		return validatePowerShell(p)
	case *Host:
		return validateHost(p)
	}
	return fmt.Errorf("unknown target type %q", targetType)
}

// rules binds a validation function as a target type's Validator.
type rules[P any] func(*P) error

// Validate applies the rules.
func (f rules[P]) Validate(p *P) error { return f(p) }

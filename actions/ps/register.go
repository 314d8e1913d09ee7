// Package ps runs Windows PowerShell for a plan: the ps.invoke action and
// the ps.check check, on a powershell target (local, or remote through
// Invoke-Command). A command is a cmdlet with typed parameters, or a
// script; it is sent with -EncodedCommand inside the wrapper of
// internal/pswrap, which makes every error terminating, answers no
// prompt, imports the target's modules and writes the result as one
// line of JSON that this package finds among any other output. Values
// reach the script only as single-quoted literals (domain.md G.3), so
// quotes of any kind, $(…), backticks and semicolons arrive literally.
package ps

import (
	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/targets"
)

// Register adds ps.invoke and ps.check to r, and the opener of the
// powershell target (registered by actions/targets, which r must hold).
func Register(r *actions.Registry) {
	r.Register(invokeType())
	r.Register(checkType())
	actions.AttachOpener[targets.PowerShell](r, "powershell", opener{})
}

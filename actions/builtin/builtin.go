// Package builtin fills a registry with every action, check and target
// type failover ships, explicitly and in one place: to add a family,
// add its Register call here.
package builtin

import (
	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/exec"
	"github.com/failover-dev/failover/actions/flow"
	"github.com/failover-dev/failover/actions/fs"
	"github.com/failover-dev/failover/actions/logship"
	"github.com/failover-dev/failover/actions/net"
	"github.com/failover-dev/failover/actions/ps"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/targets"
)

// New returns a registry holding every built-in type.
func New() *actions.Registry {
	r := actions.NewRegistry()
	targets.Register(r)
	exec.Register(r)
	flow.Register(r)
	fs.Register(r)
	logship.Register(r)
	net.Register(r)
	ps.Register(r)
	sqlserver.Register(r)
	return r
}

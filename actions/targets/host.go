package targets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// Host is the host target: a machine, by name or address.
type Host struct {
	Address string `param:"address,required" doc:"Host name or IP address, without a port."`
}

func hostType() *actions.TargetType {
	return actions.DefineTarget[Host](actions.TargetType{
		Name: "host",
		Doc:  "A machine, by host name or IP address, for actions and checks that need only where to go.",
	}, rules[Host](validateHost))
}

// validateHost applies the rules of a host target.
func validateHost(t *Host) error {
	switch {
	case t.Address == "":
		return errors.New("address must not be empty")
	case strings.ContainsAny(t.Address, " \t/\\"):
		return fmt.Errorf("address %q is not a host name or IP address", t.Address)
	case strings.Count(t.Address, ":") == 1:
		return fmt.Errorf("address %q holds a port: give the host only", t.Address)
	}
	return nil
}

package lab

import (
	"fmt"
	"strings"
)

// validateTopology checks what ties the instances together beyond their
// names: each server name belongs to one instance (mirroring partners
// and the Lync topology find instances by it), and each mirror_of names
// another instance, which has at most one mirror.
func (c Config) validateTopology() []error {
	var errs []error
	servers := map[string]string{}
	mirrored := map[string]string{}
	for _, ic := range c.Instances {
		key := strings.ToUpper(serverOf(ic))
		if other, ok := servers[key]; ok {
			errs = append(errs, fmt.Errorf("instances %s and %s have the same server_name %s", other, ic.Name, serverOf(ic)))
		}
		servers[key] = ic.Name
		if ic.MirrorOf == "" {
			continue
		}
		switch target := strings.ToUpper(ic.MirrorOf); {
		case target == strings.ToUpper(ic.Name):
			errs = append(errs, fmt.Errorf("instance %s: mirror_of names the instance itself", ic.Name))
		case !c.hasInstance(ic.MirrorOf):
			errs = append(errs, fmt.Errorf("instance %s: mirror_of names instance %q, which is not defined", ic.Name, ic.MirrorOf))
		case mirrored[target] != "":
			errs = append(errs, fmt.Errorf("instances %s and %s are both mirror_of %s: a store has one mirror", mirrored[target], ic.Name, ic.MirrorOf))
		default:
			mirrored[target] = ic.Name
		}
	}
	return errs
}

// hasInstance reports whether an instance of that name (any case) is
// defined.
func (c Config) hasInstance(name string) bool {
	for _, ic := range c.Instances {
		if strings.EqualFold(ic.Name, name) {
			return true
		}
	}
	return false
}

package lab

import (
	"fmt"
	"path/filepath"
	"strings"
)

// InstanceView is an instance as readers outside the simulator see it
// (the lab's Lync Management Shell, which must agree with the SQL state):
// its names, its databases as last saved, and whether a down fault
// stops it. It is read-only: nothing here changes the lab.
type InstanceView struct {
	Name       string
	ServerName string
	Databases  []DatabaseView
	Down       bool
	// MirrorOf is the instance whose store this one mirrors in the Lync
	// topology (InstanceConfig.MirrorOf); "" for none.
	MirrorOf string
}

// DatabaseView is a database's state_desc and is_in_standby.
type DatabaseView struct {
	Name    string
	State   string
	Standby bool
}

// ReadInstances reads the instances of the initialised lab in dir, in
// config order, from their state files (written atomically, so a
// running lab's last change is seen whole).
func ReadInstances(dir string) ([]InstanceView, error) {
	cfg, down, states, err := readSaved(dir)
	if err != nil {
		return nil, err
	}
	var out []InstanceView
	for i, ic := range cfg.Instances {
		st := states[i]
		v := InstanceView{Name: st.Name, ServerName: st.ServerName, Down: down[strings.ToUpper(ic.Name)], MirrorOf: ic.MirrorOf}
		for _, d := range st.Databases {
			v.Databases = append(v.Databases, DatabaseView{Name: d.Name, State: d.State, Standby: d.Standby})
		}
		out = append(out, v)
	}
	return out, nil
}

// readSaved reads the initialised lab in dir as its files last saved it:
// the config, the instances a down fault stops (upper case; from the
// config's faults and the run-time ones) and each instance's state, in
// config order. The readers outside the simulator share it.
func readSaved(dir string) (Config, map[string]bool, []*instanceState, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return Config{}, nil, nil, err
	}
	faults, err := ListFaults(dir)
	if err != nil {
		return Config{}, nil, nil, err
	}
	down := map[string]bool{}
	for _, f := range append(cfg.Faults, faults...) {
		if f.Kind == FaultDown {
			down[strings.ToUpper(f.Instance)] = true
		}
	}
	states := make([]*instanceState, 0, len(cfg.Instances))
	for _, ic := range cfg.Instances {
		st, err := loadState(statePath(dir, ic.Name))
		if err != nil {
			return Config{}, nil, nil, fmt.Errorf("read instance %s: %w", ic.Name, err)
		}
		states = append(states, st)
	}
	return cfg, down, states, nil
}

// LogShippingPair names the primary and secondary instances of the
// lab's log shipping (the Persistent Chat primary and backup stores).
func LogShippingPair(dir string) (primary, secondary string, err error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return "", "", err
	}
	return cfg.LogShipping.Primary, cfg.LogShipping.Secondary, nil
}

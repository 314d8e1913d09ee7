package lyncshell

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/labfile"
)

// Dir is the folder of the lab dir that holds the shell's files.
const Dir = "lync"

// The files in DIR/lync.
const (
	stateFile = "state.json"
	lockFile  = "state.lock"
	// LogFile records every call: the command line's mode, the remote
	// settings (never a password) and each cmdlet with its bound
	// parameters, one JSON object per line.
	LogFile = "shell.log"
)

// domain is the DNS domain of the lab's topology (the runbook's).
const domain = "litwareinc.com"

// State is the simulated Persistent Chat pool and its topology, kept in
// DIR/lync/state.json. Every call of the shell reads and writes it under
// DIR/lync/state.lock.
type State struct {
	// Pool is the Persistent Chat pool's FQDN.
	Pool      string `json:"pool"`
	PoolState string `json:"pool_state"` // Normal or FailedOver
	// Servers are the pool's Persistent Chat servers; ActiveServers those
	// that accept new connections.
	Servers       []string `json:"servers"`
	ActiveServers []string `json:"active_servers"`
	// Computers answer Invoke-Command (the Front End servers and the
	// Persistent Chat servers).
	Computers []string `json:"computers"`
	// Primary and Backup are the pool's SQL stores. Their mirroring
	// sessions are the lab's SQL state (lab.ReadMirroring), not the
	// shell's.
	Primary Store `json:"primary_store"`
	Backup  Store `json:"backup_store"`
	// AdminPassword is the password a remote credential must carry (the
	// lab's login password; a lab password, not a secret).
	AdminPassword string  `json:"admin_password"`
	Faults        []Fault `json:"faults"`
}

// Store is a SQL store of the topology and the lab instance playing it.
type Store struct {
	Fqdn     string `json:"fqdn"`
	Instance string `json:"instance,omitempty"` // SQL named instance; "" default
	// LabInstance names the lab's SQL instance (PRIMARY, BACKUP).
	LabInstance string `json:"lab_instance"`
	// MirrorFqdn is the store's mirror as defined in the topology: the
	// lab instance whose server name it is (mirror_of in the lab's
	// config), or a server outside the lab.
	MirrorFqdn string `json:"mirror_fqdn"`
}

// defaultState derives the pool from the lab's config: its log shipping
// primary and secondary play the pool's primary and backup stores, and
// an instance mirror_of one of them that store's mirror (else the
// topology names a server outside the lab: dc1-sql02, dc2-sql02).
func defaultState(labDir string) (*State, error) {
	prim, sec, err := lab.LogShippingPair(labDir)
	if err != nil {
		return nil, err
	}
	insts, err := lab.ReadInstances(labDir)
	if err != nil {
		return nil, err
	}
	st := &State{Pool: "atl-cs-001." + domain, PoolState: "Normal",
		Servers:       fqdns("dc1-pc01", "dc1-pc02", "dc2-pc01", "dc2-pc02"),
		ActiveServers: fqdns("dc1-pc01", "dc1-pc02"),
		Computers:     fqdns("dc1-fe01", "dc2-fe01", "dc1-pc01", "dc1-pc02", "dc2-pc01", "dc2-pc02"),
		AdminPassword: lab.DefaultPassword}
	for _, in := range insts {
		switch {
		case strings.EqualFold(in.Name, prim):
			st.Primary = Store{Fqdn: hostFqdn(in.ServerName), LabInstance: in.Name, MirrorFqdn: mirrorOf(insts, in.Name, "dc1-sql02")}
		case strings.EqualFold(in.Name, sec):
			st.Backup = Store{Fqdn: hostFqdn(in.ServerName), LabInstance: in.Name, MirrorFqdn: mirrorOf(insts, in.Name, "dc2-sql02")}
		}
	}
	if st.Primary.Fqdn == "" || st.Backup.Fqdn == "" {
		return nil, fmt.Errorf("the lab's config has no log shipping primary and secondary to play the pool's SQL stores")
	}
	return st, nil
}

// mirrorOf is the FQDN of the instance that mirrors store in the lab's
// config, or outside (a host name) when none does.
func mirrorOf(insts []lab.InstanceView, store, outside string) string {
	for _, in := range insts {
		if strings.EqualFold(in.MirrorOf, store) {
			return hostFqdn(in.ServerName)
		}
	}
	return outside + "." + domain
}

func fqdns(hosts ...string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h + "." + domain
	}
	return out
}

// hostFqdn is a lab server name as a topology FQDN: DC2-SQL01 is
// dc2-sql01.litwareinc.com.
func hostFqdn(server string) string {
	if strings.Contains(server, ".") {
		return strings.ToLower(server)
	}
	return strings.ToLower(server) + "." + domain
}

// loadState reads the state, creating it from the lab's config on the
// first call.
func loadState(labDir string) (*State, error) {
	path := filepath.Join(labDir, Dir, stateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return defaultState(labDir)
	}
	if err != nil {
		return nil, fmt.Errorf("read the shell's state: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return &st, nil
}

// saveState writes the state atomically.
func saveState(labDir string, st *State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the shell's state: %w", err)
	}
	return labfile.WriteBytes(filepath.Join(labDir, Dir, stateFile), append(b, '\n'))
}

// Update runs f on the state of the lab in labDir under the lock and
// saves what f leaves, unless f fails. The lab's commands (fault add,
// status) use it too.
func Update(labDir string, f func(*State) error) error {
	unlock, err := lockState(labDir)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadState(labDir)
	if err != nil {
		return err
	}
	if err := f(st); err != nil {
		return err
	}
	return saveState(labDir, st)
}

// lockState takes DIR/lync/state.lock, waiting for another call that
// holds it. The OS releases it when a process dies, so a killed call
// never leaves it taken.
func lockState(labDir string) (func(), error) {
	if fi, err := os.Stat(filepath.Join(labDir, lab.ConfigFile)); err != nil || fi.IsDir() {
		return nil, fmt.Errorf("%s is not an initialised lab dir (failover-lab up --dir %s)", labDir, labDir)
	}
	if err := os.MkdirAll(filepath.Join(labDir, Dir), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", Dir, err)
	}
	f, err := os.OpenFile(filepath.Join(labDir, Dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open the shell's lock: %w", err)
	}
	if err := lockFileHandle(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock the shell's state: %w", err)
	}
	return func() {
		unlockFileHandle(f)
		f.Close()
	}, nil
}

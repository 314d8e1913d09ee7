package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// varsFileName is the vars file a running lab writes into its dir.
const varsFileName = "lab.vars.yaml"

// labVars is lab.vars.yaml: the values a plan's vars take in the lab. A
// plan names its folders twice: as SQL Server names them (share,
// copy_dir: the same text in production) and as the host running failover
// reaches them (share_local, copy_dir_local: file steps such as fs.copy).
// In production both pairs are the same paths (a plan can default
// share_local to "${vars.share}"); in the lab this file points the local
// pair at the lab's folders, so one plan text runs in both places and only
// the vars file differs. The instances' connections are vars too
// (backup_sql_server, backup_sql_port, …), for targets written with them.
type labVars struct {
	Database     string `yaml:"database"`
	Share        string `yaml:"share"`
	CopyDir      string `yaml:"copy_dir"`
	ShareLocal   string `yaml:"share_local"`
	CopyDirLocal string `yaml:"copy_dir_local"`
	// Connections of the instances, inline: NAME_sql_server, NAME_sql_port,
	// NAME_sql_user (NAME the instance in lower case), sql_encrypt and
	// sql_ca_file; and the Management Shell: ps_executable, ps_args
	// and the pool's name, pool.
	Connections map[string]any `yaml:",inline"`
}

const varsHeader = `# Vars of the failover lab in %s, written by failover-lab.
# failover apply --vars-file %s PLAN: share and copy_dir as SQL Server
# names them (Windows paths, as in production), share_local and
# copy_dir_local the lab folders they map to (for file steps).
`

// varsYAML renders lab.vars.yaml.
func (li labInfo) varsYAML() ([]byte, error) {
	conn := map[string]any{"sql_encrypt": "true", "sql_ca_file": li.CA}
	for _, in := range li.Instances {
		host, port, err := splitAddr(in.Addr)
		if err != nil {
			return nil, err
		}
		pre := strings.ToLower(in.Name) + "_sql_"
		conn[pre+"server"], conn[pre+"port"], conn[pre+"user"] = host, port, in.User
	}
	if li.Shell != "" {
		// The Management Shell stand-in, for a powershell target written
		// with vars, and the pool it simulates.
		conn["ps_executable"], conn["ps_args"], conn["pool"] = li.Shell, []string{"lync", "shell", "--dir", li.Dir}, li.Pool
	}
	body, err := yaml.Marshal(labVars{Database: li.Database, Share: li.ShareWindows, CopyDir: li.CopyDirWindows,
		ShareLocal: li.Share, CopyDirLocal: li.CopyDir, Connections: conn})
	if err != nil {
		return nil, fmt.Errorf("encode lab vars: %w", err)
	}
	return append(fmt.Appendf(nil, varsHeader, li.Dir, filepath.Join(li.Dir, varsFileName)), body...), nil
}

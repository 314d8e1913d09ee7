package main

import (
	"fmt"
	"path/filepath"

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
// the vars file differs.
type labVars struct {
	Database     string `yaml:"database"`
	Share        string `yaml:"share"`
	CopyDir      string `yaml:"copy_dir"`
	ShareLocal   string `yaml:"share_local"`
	CopyDirLocal string `yaml:"copy_dir_local"`
}

const varsHeader = `# Vars of the failover lab in %s, written by failover-lab.
# failover apply --vars-file %s PLAN: share and copy_dir as SQL Server
# names them (Windows paths, as in production), share_local and
# copy_dir_local the lab folders they map to (for file steps).
`

// varsYAML renders lab.vars.yaml.
func (li labInfo) varsYAML() ([]byte, error) {
	body, err := yaml.Marshal(labVars{Database: li.Database, Share: li.ShareWindows, CopyDir: li.CopyDirWindows,
		ShareLocal: li.Share, CopyDirLocal: li.CopyDir})
	if err != nil {
		return nil, fmt.Errorf("encode lab vars: %w", err)
	}
	return append(fmt.Appendf(nil, varsHeader, li.Dir, filepath.Join(li.Dir, varsFileName)), body...), nil
}

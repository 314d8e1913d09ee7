package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTopologyChecks(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"a server name twice", func(c *Config) { c.Instances[2].ServerName = "dc2-sql01" }, "instances BACKUP and BACKUP_MIRROR have the same server_name dc2-sql01"},
		{"mirror of an unknown instance", func(c *Config) { c.Instances[2].MirrorOf = "DR" }, `mirror_of names instance "DR", which is not defined`},
		{"mirror of itself", func(c *Config) { c.Instances[2].MirrorOf = "backup_mirror" }, "mirror_of names the instance itself"},
		{"two mirrors of one store", func(c *Config) { c.Instances[0].MirrorOf = "BACKUP" }, "both mirror_of BACKUP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.change(&cfg)
			if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("the default config: %v", err)
	}
}

// TestMirrorOfFromYAML: the key of docs/lab.md, read into the lab dir
// and given to readers outside the simulator.
func TestMirrorOfFromYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.yaml")
	body := `instances:
  - { name: A, server_name: SQL-A, logins: [{ user: u, password: p }], databases: [{ name: mgc }] }
  - { name: B, server_name: SQL-B, logins: [{ user: u, password: p }], mirror_of: a }
log_shipping: { primary: "", secondary: "" }
`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Init(dir, cfg); err != nil {
		t.Fatal(err)
	}
	insts, err := ReadInstances(dir)
	if err != nil || len(insts) != 2 || insts[1].MirrorOf != "a" || insts[0].MirrorOf != "" {
		t.Errorf("ReadInstances = %+v, %v; want B the mirror of a", insts, err)
	}
}

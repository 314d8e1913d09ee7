package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// TestLabPathsInEnvAndVars: lab.env and lab.vars.yaml give both the
// Windows paths SQL Server names and the local folders they map to, and a
// Windows path built from them reaches the file through the lab's SQL
// Server.
func TestLabPathsInEnvAndVars(t *testing.T) {
	dir, env := upLab(t)
	for key, want := range map[string]string{
		"FAILOVER_LAB_SHARE":            filepath.Join(dir, "share"),
		"FAILOVER_LAB_COPY_DIR":         filepath.Join(dir, "copy"),
		"FAILOVER_LAB_SHARE_WINDOWS":    `\\DC1-FS01\LSBackup`,
		"FAILOVER_LAB_COPY_DIR_WINDOWS": `D:\LSCopy\mgc`,
		"FAILOVER_LAB_TIME_ZONE":        "Europe/Berlin",
		"FAILOVER_LAB_VARS":             filepath.Join(dir, "lab.vars.yaml"),
	} {
		if env[key] != want {
			t.Errorf("%s = %q, want %q", key, env[key], want)
		}
	}
	entries, err := os.ReadDir(env["FAILOVER_LAB_SHARE"])
	if err != nil || len(entries) == 0 {
		t.Fatalf("the share folder %s: %v, %d files", env["FAILOVER_LAB_SHARE"], err, len(entries))
	}
	var vars labVars
	b, err := os.ReadFile(env["FAILOVER_LAB_VARS"])
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &vars); err != nil {
		t.Fatal(err)
	}
	host, port, _ := splitAddr(env["FAILOVER_LAB_BACKUP_ADDR"])
	want := labVars{Database: "mgc", Share: `\\DC1-FS01\LSBackup`, CopyDir: `D:\LSCopy\mgc`,
		ShareLocal: env["FAILOVER_LAB_SHARE"], CopyDirLocal: env["FAILOVER_LAB_COPY_DIR"]}
	conn := vars.Connections
	vars.Connections = nil
	if !reflect.DeepEqual(vars, want) {
		t.Errorf("lab.vars.yaml = %+v, want %+v", vars, want)
	}
	if conn["backup_sql_server"] != host || conn["backup_sql_port"] != port || conn["sql_ca_file"] != env["FAILOVER_LAB_CA"] {
		t.Errorf("lab.vars.yaml connections = %v, want BACKUP at %s:%d with the lab's CA", conn, host, port)
	}
	if mh, mp, _ := splitAddr(env["FAILOVER_LAB_BACKUP_MIRROR_ADDR"]); conn["backup_mirror_sql_server"] != mh || conn["backup_mirror_sql_port"] != mp || mp == 0 {
		t.Errorf("lab.vars.yaml connections = %v, want BACKUP_MIRROR at %s:%d", conn, mh, mp)
	}
	backup := openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rows, err := backup.QueryContext(ctx, "RESTORE HEADERONLY FROM DISK = @p",
		sql.Named("p", vars.Share+`\`+entries[0].Name()))
	if err != nil {
		t.Fatalf("HEADERONLY through the Windows path: %v", err)
	}
	rows.Close()
}

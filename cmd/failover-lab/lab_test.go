package main

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// openDB connects with a DSN exactly as lab.env gives it.
func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	if dsn == "" {
		t.Fatal("no DSN in lab.env")
	}
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// databaseStates is sys.databases' name → state_desc.
func databaseStates(db *sql.DB) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT name, state_desc FROM sys.databases")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, state string
		if err := rows.Scan(&name, &state); err != nil {
			return nil, err
		}
		out[name] = state
	}
	return out, rows.Err()
}

func mustStates(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	s, err := databaseStates(db)
	if err != nil {
		t.Fatalf("query sys.databases: %v", err)
	}
	return s
}

// TestLabThroughGoMssqldb: up, connect with lab.env's DSNs (TLS checked
// against the lab's CA), read sys.databases, inject an error at run time
// and see it arrive as mssql.Error, then see it gone.
func TestLabThroughGoMssqldb(t *testing.T) {
	dir, env := upLab(t)
	primary, backup := openDB(t, env["FAILOVER_LAB_PRIMARY_DSN"]), openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])
	if s := mustStates(t, primary); s["mgc"] != "ONLINE" || s["mgccomp"] != "ONLINE" || s["master"] != "ONLINE" {
		t.Errorf("PRIMARY databases: %v; want mgc, mgccomp, master ONLINE", s)
	}
	if s := mustStates(t, backup); s["mgc"] != "RESTORING" {
		t.Errorf("BACKUP databases: %v; want mgc RESTORING", s)
	}

	mustLab(t, exitOK, "fault", "add", "--dir", dir, "--match", `sys\.databases`, "--kind", "error", "--error", "1205", "--instance", "BACKUP")
	_, err := databaseStates(backup)
	var me mssql.Error
	if !errors.As(err, &me) || me.Number != 1205 {
		t.Fatalf("query with a 1205 fault: error %v (%T), want mssql.Error 1205", err, err)
	}
	if s := mustStates(t, primary); s["mgc"] != "ONLINE" {
		t.Errorf("the BACKUP fault reached PRIMARY: %v", s)
	}
	if s := mustStates(t, backup); s["mgc"] != "RESTORING" {
		t.Errorf("after the fault fired once: %v", s)
	}
	if env["FAILOVER_LAB_STATEMENTS"] != filepath.Join(dir, "statements.log") {
		t.Errorf("FAILOVER_LAB_STATEMENTS = %q", env["FAILOVER_LAB_STATEMENTS"])
	}
	log, err := os.ReadFile(env["FAILOVER_LAB_STATEMENTS"])
	if err != nil || !strings.Contains(string(log), "SELECT name, state_desc FROM sys.databases") {
		t.Errorf("statements.log (%v) does not record the query:\n%s", err, log)
	}
	if strings.Contains(string(log), env["FAILOVER_LAB_PASSWORD"]) {
		t.Error("statements.log holds the lab password")
	}
}

// TestLabRestartContinuity: a state change survives down and up, and the
// ports (so the DSNs) stay the same.
func TestLabRestartContinuity(t *testing.T) {
	dir, env := upLab(t)
	backup := openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := backup.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY"); err != nil {
		t.Fatalf("recover mgc: %v", err)
	}
	if s := mustStates(t, backup); s["mgc"] != "ONLINE" {
		t.Fatalf("after RESTORE WITH RECOVERY: %v", s)
	}
	backup.Close()
	mustLab(t, exitOK, "down", "--dir", dir)

	mustLab(t, exitOK, "up", "--dir", dir)
	env2, err := envOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"FAILOVER_LAB_PRIMARY_DSN", "FAILOVER_LAB_BACKUP_DSN"} {
		if env2[key] != env[key] {
			t.Errorf("%s changed across a restart:\n%s\n%s", key, env[key], env2[key])
		}
	}
	if s := mustStates(t, openDB(t, env2["FAILOVER_LAB_BACKUP_DSN"])); s["mgc"] != "ONLINE" {
		t.Errorf("after down and up, BACKUP mgc is %q, want ONLINE (recovered before the restart)", s["mgc"])
	}
}

// TestUpReset: --reset stops the lab and starts it from a fresh dir.
func TestUpReset(t *testing.T) {
	dir, env := upLab(t)
	backup := openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])
	if _, err := backup.Exec("RESTORE DATABASE mgc WITH RECOVERY"); err != nil {
		t.Fatalf("recover mgc: %v", err)
	}
	backup.Close()
	mustLab(t, exitOK, "up", "--dir", dir, "--reset")
	env2, err := envOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := mustStates(t, openDB(t, env2["FAILOVER_LAB_BACKUP_DSN"])); s["mgc"] != "RESTORING" {
		t.Errorf("after up --reset, BACKUP mgc is %q, want RESTORING again", s["mgc"])
	}
}

// TestUpResetKeepsTheDrill: --reset without --config starts the same
// scenario over; a bad --config with --reset leaves the running lab be.
func TestUpResetKeepsTheDrill(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(cfg, []byte("scenario: { already_recovered: true }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, _ := upLab(t, "--config", cfg)
	mustLab(t, exitOK, "up", "--dir", dir, "--reset")
	env, err := envOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := mustStates(t, openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])); s["mgc"] != "ONLINE" {
		t.Errorf("after up --reset, BACKUP mgc is %q, want ONLINE (already_recovered kept)", s["mgc"])
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("scenario: { gapp: true }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := mustLab(t, exitFailed, "up", "--dir", dir, "--reset", "--config", bad)
	if !strings.Contains(r.stderr, `bad.yaml:1:13: unknown key "gapp" in scenario`) {
		t.Errorf("stderr %q does not name the bad key", r.stderr)
	}
	mustLab(t, exitOK, "status", "--dir", dir)
}

// TestFaultListShowsConfigFaults: the config's faults are listed (they
// fire too) and cannot be cleared at run time.
func TestFaultListShowsConfigFaults(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(cfg, []byte("faults:\n  - { match: 'sys\\.databases', kind: error, error: 1205 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, _ := upLab(t, "--config", cfg)
	mustLab(t, exitOK, "fault", "add", "--dir", dir, "--match", "KILL", "--kind", "drop")
	r := mustLab(t, exitOK, "fault", "list", "--dir", dir)
	if !strings.Contains(r.stdout, "config-1: error 1205 on /sys\\.databases/ from match 1, once (from the config)") ||
		!strings.Contains(r.stdout, "f1: drop on /KILL/") {
		t.Errorf("fault list:\n%s", r.stdout)
	}
	if r := mustLab(t, exitOK, "status", "--dir", dir); !strings.Contains(r.stdout, "faults: 2") {
		t.Errorf("status:\n%s", r.stdout)
	}
	r = mustLab(t, exitUsage, "fault", "clear", "--dir", dir, "config-1")
	if !strings.Contains(r.stderr, "comes from the config") {
		t.Errorf("clear of a config fault: %q", r.stderr)
	}
}

// TestDropAfterFaultFromTheCLI: a drop_after fault added with `fault
// add` (and one in the config) reaches a running lab: RESTORE DATABASE …
// WITH RECOVERY happens, the client sees its connection drop.
func TestDropAfterFaultFromTheCLI(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "lab.yaml")
	if err := os.WriteFile(cfg, []byte("faults:\n  - { match: 'RESTORE LOG', kind: drop_after, instance: BACKUP }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, env := upLab(t, "--config", cfg)
	r := mustLab(t, exitOK, "fault", "add", "--dir", dir, "--match", "WITH RECOVERY", "--kind", "drop_after", "--instance", "BACKUP")
	if !strings.Contains(r.stdout, "f1: drop_after on /WITH RECOVERY/ at BACKUP") {
		t.Errorf("fault add printed %q", r.stdout)
	}
	r = mustLab(t, exitOK, "fault", "list", "--dir", dir)
	if !strings.Contains(r.stdout, "config-1: drop_after on /RESTORE LOG/ at BACKUP") {
		t.Errorf("fault list:\n%s", r.stdout)
	}
	backup := openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])
	conn, err := backup.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = conn.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY")
	var me mssql.Error
	if err == nil || errors.As(err, &me) {
		t.Fatalf("recovery under drop_after: %v, want a dropped connection", err)
	}
	if s := mustStates(t, backup); s["mgc"] != "ONLINE" {
		t.Errorf("mgc is %s, want ONLINE: the recovery happened", s["mgc"])
	}
}

// TestReaderLoginFromLabEnv: up writes the read-only login beside the
// sysadmin one; with its DSN the lab can be read, and a write is refused
// with SQL Server's permission error.
func TestReaderLoginFromLabEnv(t *testing.T) {
	_, env := upLab(t)
	if env["FAILOVER_LAB_READER_PASSWORD"] == "" || env["FAILOVER_LAB_READER_PASSWORD"] == env["FAILOVER_LAB_PASSWORD"] ||
		env["FAILOVER_LAB_BACKUP_READER_USER"] == env["FAILOVER_LAB_BACKUP_USER"] {
		t.Fatalf("lab.env has no reader login of its own: %v", env)
	}
	reader := openDB(t, env["FAILOVER_LAB_BACKUP_READER_DSN"])
	if s := mustStates(t, reader); s["mgc"] != "RESTORING" {
		t.Errorf("the reader reads mgc as %q, want RESTORING", s["mgc"])
	}
	_, err := reader.Exec("RESTORE DATABASE mgc WITH RECOVERY")
	var me mssql.Error
	if !errors.As(err, &me) || len(me.All) != 2 || me.All[0].Number != 3110 {
		t.Fatalf("recovery as the reader: %v, want 3110 then 3013", err)
	}
	if s := mustStates(t, openDB(t, env["FAILOVER_LAB_BACKUP_DSN"])); s["mgc"] != "RESTORING" {
		t.Errorf("mgc is %q after the refused recovery", s["mgc"])
	}
}

package lab

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/tds"
	"github.com/google/uuid"
	"go.yaml.in/yaml/v3"
)

// ConfigFile is the copy of the config in an initialised lab dir.
const ConfigFile = "lab.yaml"

// TLSDir is the folder of the lab dir with the CA (ca.pem) and the
// server's certificate and key.
const TLSDir = "tls"

// ErrInitialised is returned by Init for a dir that already holds a lab.
var ErrInitialised = errors.New("lab dir is already initialised")

// firstSimSPID is the first session id of simulated sessions, far above
// the ids real connections get (51 upwards, lowest free first).
const firstSimSPID = 300

// Init creates a lab in dir: the config copy, one state file per instance,
// the backup share with a real chain of log backups (labfile), the copy
// dir with the files the copy job already copied, and TLS certificates.
// It refuses a dir that already holds a lab (ErrInitialised); Reset starts
// one afresh.
func Init(dir string, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("init lab: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return fmt.Errorf("init lab in %s: %w", dir, ErrInitialised)
	}
	for _, sub := range []string{stateDir, TLSDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return fmt.Errorf("init lab: %w", err)
		}
	}
	if _, _, _, err := tds.GenerateCertificates(filepath.Join(dir, TLSDir), nil); err != nil {
		return fmt.Errorf("init lab: %w", err)
	}
	states, err := buildStates(dir, cfg, time.Now().UTC())
	if err != nil {
		return fmt.Errorf("init lab: %w", err)
	}
	for _, st := range states {
		if err := saveState(statePath(dir, st.Name), st); err != nil {
			return fmt.Errorf("init lab: %w", err)
		}
	}
	if err := applyConfigFileFaults(dir, cfg, time.Now()); err != nil {
		return fmt.Errorf("init lab: %w", err)
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("init lab: encode config: %w", err)
	}
	// Written last: its presence marks a complete lab dir.
	return writeAtomic(filepath.Join(dir, ConfigFile), data)
}

// Reset removes the lab in dir (config, state, share, copy dir, faults,
// statement log, the Management Shell's pool) and initialises it again with cfg.
func Reset(dir string, cfg Config) error {
	undoAllFileFaults(dir)
	old, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err == nil {
		for _, p := range old.labFolders(dir) {
			os.RemoveAll(p)
		}
	}
	// lyncDir is the Management Shell's state (internal/lyncshell.Dir),
	// derived from the config again on its first use: a reset pool is
	// Normal again, with its own active servers.
	const lyncDir = "lync"
	for _, p := range []string{ConfigFile, stateDir, FaultsFile, StatementLog, faultStateDir, faultLockFile, lyncDir} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reset lab: %w", err)
		}
	}
	return Init(dir, cfg)
}

// resolve makes a configured path absolute against the lab dir.
func resolve(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	abs, err := filepath.Abs(filepath.Join(dir, p))
	if err != nil {
		return filepath.Join(dir, p)
	}
	return abs
}

// buildStates makes every instance's initial state and writes the chain.
func buildStates(dir string, cfg Config, now time.Time) ([]*instanceState, error) {
	var states []*instanceState
	for _, ic := range cfg.Instances {
		states = append(states, newInstanceState(ic, now))
	}
	ls := cfg.LogShipping
	if ls.Primary == "" {
		setupMirroring(cfg, states)
		return states, makeLabFolders(dir, cfg)
	}
	prim, sec := findState(states, ls.Primary), findState(states, ls.Secondary)
	chain, err := writeChain(dir, cfg, prim.ServerName, now)
	if err != nil {
		return nil, err
	}
	// The primary's log-shipped database is online, listed or not.
	ensureDatabase(prim, ls.Database, "ONLINE", now)
	prim.LogBackups = &logBackups{Database: ls.Database, Last: chain.Logs[len(chain.Logs)-1]}
	setupSecondary(dir, cfg, prim, sec, chain, now)
	chainLogs(prim, sec, ls, chain)
	setupMirroring(cfg, states)
	return states, nil
}

// ensureDatabase returns the named database of st, adding it in the given
// state when the config does not list it.
func ensureDatabase(st *instanceState, name, state string, now time.Time) *dbState {
	if d := st.database(name); d != nil {
		return d
	}
	d := &dbState{Name: name, ID: len(st.Databases) + 1, State: state, UserAccess: "MULTI_USER",
		RecoveryModel: "FULL", Created: now}
	st.Databases = append(st.Databases, d)
	return d
}

func findState(states []*instanceState, name string) *instanceState {
	for _, st := range states {
		if strings.EqualFold(st.Name, name) {
			return st
		}
	}
	return nil
}

// newInstanceState has the system databases and the configured ones.
func newInstanceState(ic InstanceConfig, now time.Time) *instanceState {
	st := &instanceState{Name: strings.ToUpper(ic.Name), ServerName: ic.ServerName, Port: ic.Port,
		Logins: ic.Logins, NextSimSPID: firstSimSPID}
	if st.ServerName == "" {
		st.ServerName = st.Name
	}
	for i, n := range systemDatabases {
		st.Databases = append(st.Databases, &dbState{Name: n, ID: i + 1, State: "ONLINE",
			UserAccess: "MULTI_USER", RecoveryModel: "SIMPLE", Created: now})
	}
	for i, dc := range ic.Databases {
		desc, standby, _ := parseDBState(dc.State)
		model := strings.ToUpper(dc.RecoveryModel)
		if model == "" {
			model = "FULL"
		}
		st.Databases = append(st.Databases, &dbState{Name: dc.Name, ID: i + 5, State: desc, Standby: standby,
			UserAccess: "MULTI_USER", RecoveryModel: model, Created: now})
	}
	return st
}

// writeChain generates the log backup chain and writes the share and the
// copy dir.
func writeChain(dir string, cfg Config, server string, now time.Time) (labfile.Chain, error) {
	ls, sc := cfg.LogShipping, cfg.Scenario
	interval := ls.Interval
	if interval <= 0 {
		interval = 15 * time.Minute
	}
	spec := labfile.ChainSpec{
		Database: ls.Database, Server: server, MirrorServer: mirrorName(server),
		ForeignDatabase: complianceDB, Interval: interval, Count: ls.Backups,
		Copied: ls.Copied, Restored: ls.Restored, Seed: uint64(now.UnixNano()),
		Gap: sc.Gap, Truncated: sc.Truncated, ForeignFiles: sc.ForeignFiles,
		MultiSetFile: sc.MultiSetFile, EmptyLogBackup: sc.EmptyLogBackup, ForkMismatch: sc.ForkMismatch,
		OtherFiles: sc.OtherFiles, MirrorFiles: sc.MirrorFiles, OtherDatabaseFiles: sc.OtherDatabaseFiles,
		FullAmongLogs: sc.FullAmongLogs,
	}
	if strings.EqualFold(spec.ForeignDatabase, spec.Database) {
		spec.ForeignDatabase = spec.Database + "comp"
	}
	// Switches that need more log backups than configured get them (more
	// files not yet copied), so any set of switches makes a working lab.
	spec.Count = max(spec.Count, spec.MinCount())
	spec.Start = now.Truncate(interval).Add(-time.Duration(spec.Count) * interval)
	chain, err := labfile.GenerateChain(spec)
	if err != nil {
		return labfile.Chain{}, err
	}
	for _, d := range cfg.labFolders(dir) {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return labfile.Chain{}, fmt.Errorf("create %s: %w", d, err)
		}
	}
	return chain, chain.Write(cfg.ShareFolder(dir), cfg.CopyFolder(dir))
}

// mirrorName is the mirror partner of a server: DC1-SQL01 → DC1-SQL02.
func mirrorName(server string) string {
	if strings.HasSuffix(server, "01") {
		return strings.TrimSuffix(server, "01") + "02"
	}
	return server + "-MIRROR"
}

// setupSecondary puts the secondary database at the chain's restore point
// and fills msdb's log shipping tables and jobs as the wizard would.
func setupSecondary(dir string, cfg Config, prim, sec *instanceState, chain labfile.Chain, now time.Time) {
	ls, sc := cfg.LogShipping, cfg.Scenario
	// A log-shipped secondary that the config does not list is restoring,
	// as the wizard leaves it.
	d := ensureDatabase(sec, ls.Database, "RESTORING", now)
	if d.State == "ONLINE" && !d.Standby {
		d.State = "RESTORING"
	}
	d.Restore = chain.Restore
	if sc.InterruptedRestore && ls.Restored < len(chain.Logs) {
		d.Restore.Interrupted = chain.Logs[ls.Restored].BackupSetGUID
	}
	if sc.AlreadyRecovered {
		d.State, d.Standby, d.Restore = "ONLINE", false, labfile.RestorePoint{}
	}
	lastCopied, lastRestored := "", ""
	// msdb holds the paths as SQL Server names them (Windows paths).
	copyDir := cfg.sqlPath(dir, ls.CopyDir)
	for _, f := range chain.Files {
		if f.Copied && strings.HasPrefix(f.Name, ls.Database+"_") {
			lastCopied = sqlJoin(copyDir, f.Name)
		}
		if f.Restored {
			lastRestored = sqlJoin(copyDir, f.Name)
		}
	}
	id, copyJob, restoreJob := newGUID(), newGUID(), newGUID()
	sec.Secondaries = append(sec.Secondaries, &lsSecondary{SecondaryID: id, PrimaryServer: prim.ServerName,
		PrimaryDatabase: ls.Database, SourceDirectory: cfg.sqlPath(dir, ls.ShareDir), DestDirectory: copyDir,
		FileRetention: 4320, CopyJobID: copyJob, RestoreJobID: restoreJob, MonitorServer: sec.ServerName,
		MonitorSecurityWin: true, LastCopiedFile: lastCopied, LastCopiedDate: now.Add(-5 * time.Minute)})
	sec.SecondaryDBs = append(sec.SecondaryDBs, &lsSecondaryDB{SecondaryDatabase: ls.Database, SecondaryID: id,
		RestoreAll: true, RestoreMode: d.Standby, LastRestoredFile: lastRestored, LastRestoredDate: now.Add(-4 * time.Minute)})
	sec.Monitor = append(sec.Monitor, &lsMonitor{SecondaryServer: sec.ServerName, SecondaryDatabase: ls.Database,
		SecondaryID: id, PrimaryServer: prim.ServerName, PrimaryDatabase: ls.Database, RestoreThreshold: 45,
		LastCopiedFile: lastCopied, LastCopiedDate: now.Add(-5 * time.Minute), LastRestoredFile: lastRestored,
		LastRestoredDate: now.Add(-4 * time.Minute), LastRestoredLat: 16, HistoryRetention: 5760})
	suffix := prim.ServerName + "_" + ls.Database
	sec.Jobs = append(sec.Jobs,
		&agentJob{JobID: copyJob, Name: "LSCopy_" + suffix, Enabled: true, Description: "Log shipping copy job"},
		&agentJob{JobID: restoreJob, Name: "LSRestore_" + suffix, Enabled: true, Description: "Log shipping restore job"})
	historyOfChain(sec, chain, copyDir, ls.Database, now)
	addUserSessions(sec, cfg, now)
}

// systemDatabases are the databases every instance has, with ids 1–4.
var systemDatabases = []string{"master", "tempdb", "model", "msdb"}

// addUserSessions adds the simulated sessions of scenario user_sessions:
// lock holders, connected from their own database, then the sessions
// inside the database, connected only if it is ONLINE (otherwise they
// wait for it, and get their session ids when they connect).
func addUserSessions(st *instanceState, cfg Config, now time.Time) {
	us := cfg.Scenario.UserSessions
	db := us.Database
	if db == "" {
		db = cfg.LogShipping.Database
	}
	from := us.From
	if from == "" {
		from = "master"
	}
	online := false
	if d := st.database(db); d != nil {
		online = d.State == "ONLINE"
	}
	for i := 0; i < us.LockHolders+us.Count; i++ {
		host := fmt.Sprintf("DC2-PC%02d", i%2+1)
		ss := &simSession{Database: db, Login: `LITWARE\` + host + "$", Host: host,
			Program: "Microsoft Lync Server Persistent Chat", Reconnect: us.Reconnect,
			ReconnectAfter: us.ReconnectAfter, LoginTime: now}
		if i < us.LockHolders {
			ss.From = from
		}
		if ss.From == "" && !online {
			at := now
			ss.ReturnsAt = &at
		} else {
			ss.SPID = st.NextSimSPID
			st.NextSimSPID++
		}
		st.UserSessions = append(st.UserSessions, ss)
	}
}

func newGUID() string { return strings.ToUpper(uuid.NewString()) }

package lab

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
)

// stateDir is the folder of the lab dir that holds one JSON file per
// instance. Each change is written at once (atomically), so a restarted
// lab continues where it stopped.
const stateDir = "state"

// instanceState is everything an instance remembers between starts.
type instanceState struct {
	Name       string `json:"name"`
	ServerName string `json:"server_name"`
	// Port is fixed at the first start so DSNs stay valid across restarts.
	Port      int        `json:"port"`
	Logins    []Login    `json:"logins"`
	Databases []*dbState `json:"databases"`
	// The msdb log shipping tables and jobs of a secondary.
	Secondaries  []*lsSecondary   `json:"log_shipping_secondary"`
	SecondaryDBs []*lsSecondaryDB `json:"log_shipping_secondary_databases"`
	Monitor      []*lsMonitor     `json:"log_shipping_monitor_secondary"`
	Jobs         []*agentJob      `json:"sysjobs"`
	// RestoreHistory is msdb's restorehistory (with backupset and
	// backupmediafamily).
	RestoreHistory []*restoreRecord `json:"restore_history"`
	// UserSessions are the simulated sessions (scenario user_sessions).
	UserSessions []*simSession `json:"user_sessions"`
	NextSimSPID  int           `json:"next_sim_spid"`
	// LogBackups is the primary's backup job: the newest log backup it
	// took, which a live-primary fault continues from.
	LogBackups *logBackups `json:"log_backups,omitempty"`
	// msdb's backup history and the log shipping tables of a primary
	// (msdbfailback.go).
	msdbFailback
}

// logBackups is a primary's log backup chain as its backup job knows it.
type logBackups struct {
	Database string            `json:"database"`
	Last     labfile.BackupSet `json:"last"`
	// Taken counts the log backups written since the lab started.
	Taken int `json:"taken"`
}

// dbState is one database as sys.databases and sys.master_files show it.
type dbState struct {
	Name          string    `json:"name"`
	ID            int       `json:"database_id"`
	State         string    `json:"state"` // ONLINE, RESTORING, …
	Standby       bool      `json:"is_in_standby"`
	StandbyFile   string    `json:"standby_file,omitempty"`
	UserAccess    string    `json:"user_access"` // MULTI_USER, SINGLE_USER, RESTRICTED_USER
	RecoveryModel string    `json:"recovery_model"`
	Created       time.Time `json:"create_date"`
	// Restore is the restore point (redo_start_lsn, redo_start_fork_guid
	// and an interrupted restore's backup set) while the database is
	// RESTORING or in STANDBY.
	Restore labfile.RestorePoint `json:"restore"`
	// The failback's state (failback.go): the log while ONLINE, the
	// restored sets' base, the files and database mirroring.
	failbackState
}

// lsSecondary is a row of msdb.dbo.log_shipping_secondary.
type lsSecondary struct {
	SecondaryID        string    `json:"secondary_id"`
	PrimaryServer      string    `json:"primary_server"`
	PrimaryDatabase    string    `json:"primary_database"`
	SourceDirectory    string    `json:"backup_source_directory"`
	DestDirectory      string    `json:"backup_destination_directory"`
	FileRetention      int       `json:"file_retention_period"`
	CopyJobID          string    `json:"copy_job_id"`
	RestoreJobID       string    `json:"restore_job_id"`
	MonitorServer      string    `json:"monitor_server"`
	LastCopiedFile     string    `json:"last_copied_file"`
	LastCopiedDate     time.Time `json:"last_copied_date"`
	MonitorSecurityWin bool      `json:"monitor_server_security_mode"`
}

// lsSecondaryDB is a row of msdb.dbo.log_shipping_secondary_databases.
type lsSecondaryDB struct {
	SecondaryDatabase string    `json:"secondary_database"`
	SecondaryID       string    `json:"secondary_id"`
	RestoreDelay      int       `json:"restore_delay"`
	RestoreAll        bool      `json:"restore_all"`
	RestoreMode       bool      `json:"restore_mode"`
	DisconnectUsers   bool      `json:"disconnect_users"`
	LastRestoredFile  string    `json:"last_restored_file"`
	LastRestoredDate  time.Time `json:"last_restored_date"`
}

// lsMonitor is a row of msdb.dbo.log_shipping_monitor_secondary.
type lsMonitor struct {
	SecondaryServer   string    `json:"secondary_server"`
	SecondaryDatabase string    `json:"secondary_database"`
	SecondaryID       string    `json:"secondary_id"`
	PrimaryServer     string    `json:"primary_server"`
	PrimaryDatabase   string    `json:"primary_database"`
	RestoreThreshold  int       `json:"restore_threshold"`
	LastCopiedFile    string    `json:"last_copied_file"`
	LastCopiedDate    time.Time `json:"last_copied_date"`
	LastRestoredFile  string    `json:"last_restored_file"`
	LastRestoredDate  time.Time `json:"last_restored_date"`
	LastRestoredLat   int       `json:"last_restored_latency"`
	HistoryRetention  int       `json:"history_retention_period"`
}

// agentJob is a row of msdb.dbo.sysjobs.
type agentJob struct {
	JobID       string `json:"job_id"`
	Name        string `json:"name"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
}

// simSession is a simulated user session (not a real connection).
type simSession struct {
	SPID int `json:"spid"`
	// Database is the database the session uses.
	Database string `json:"database"`
	// From is, for a lock holder, its current database, from which it
	// holds a lock on Database; "" for a session inside Database.
	From      string `json:"from,omitempty"`
	Login     string `json:"login_name"`
	Host      string `json:"host_name"`
	Program   string `json:"program_name"`
	Reconnect bool   `json:"reconnect"`
	// ReconnectAfter is how long a killed session stays away.
	ReconnectAfter time.Duration `json:"reconnect_after"`
	LoginTime      time.Time     `json:"login_time"`
	// ReturnsAt is set while the session is not connected: when a killed
	// session that reconnects comes back, or (for a session inside a
	// database that cannot be opened) from when it waits for the
	// database to come ONLINE.
	ReturnsAt *time.Time `json:"returns_at,omitempty"`
}

// parseDBState maps a configured state to sys.databases' state_desc and
// is_in_standby.
func parseDBState(s string) (desc string, standby bool, ok bool) {
	switch u := strings.ToUpper(s); u {
	case "", "ONLINE":
		return "ONLINE", false, true
	case "STANDBY":
		return "ONLINE", true, true
	case "RESTORING", "RECOVERING", "RECOVERY_PENDING", "SUSPECT", "EMERGENCY", "OFFLINE":
		return u, false, true
	}
	return "", false, false
}

// stateCode is sys.databases.state for a state_desc.
func stateCode(desc string) int64 {
	codes := map[string]int64{"ONLINE": 0, "RESTORING": 1, "RECOVERING": 2,
		"RECOVERY_PENDING": 3, "SUSPECT": 4, "EMERGENCY": 5, "OFFLINE": 6}
	return codes[desc]
}

// statePath is the state file of an instance.
func statePath(dir, instance string) string {
	return filepath.Join(dir, stateDir, strings.ToUpper(instance)+".json")
}

// loadState reads an instance's state file.
func loadState(path string) (*instanceState, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read instance state: %w", err)
	}
	var st instanceState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("decode instance state %s: %w", path, err)
	}
	return &st, nil
}

// saveState writes an instance's state file atomically.
func saveState(path string, st *instanceState) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode instance state: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}

// database finds a database by name, case-insensitively as SQL Server's
// default collation does.
func (st *instanceState) database(name string) *dbState {
	for _, d := range st.Databases {
		if strings.EqualFold(d.Name, name) {
			return d
		}
	}
	return nil
}

// databaseByID finds a database by id.
func (st *instanceState) databaseByID(id int) *dbState {
	for _, d := range st.Databases {
		if d.ID == id {
			return d
		}
	}
	return nil
}

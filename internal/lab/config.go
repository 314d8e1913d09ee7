package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"go.yaml.in/yaml/v3"
)

// Config describes a lab datacenter: its SQL Server instances, the log
// shipping between them, the scenario switches that shape the backup chain
// and the sessions, and the faults active from the start.
type Config struct {
	// Instances are the simulated SQL Server instances.
	Instances []InstanceConfig `yaml:"instances"`
	// LogShipping is the log shipping setup from a primary to a backup
	// instance (the Persistent Chat mgc topology).
	LogShipping LogShippingConfig `yaml:"log_shipping"`
	// Scenario switches turn on the edge cases a failover must handle.
	Scenario Scenario `yaml:"scenario"`
	// RestoreTime is how long one simulated RESTORE LOG takes (a window in
	// which a client can cancel it). 0 means the default of 50ms.
	RestoreTime time.Duration `yaml:"restore_time"`
	// Faults are active from the start; more can be added at run time.
	Faults []Fault `yaml:"faults"`
	// TimeZone is the instances' time zone (an IANA name): GETDATE, the
	// *_date columns of msdb and RESTORE HEADERONLY's dates are local
	// times in it, as on a real server. Default Europe/Berlin, not UTC,
	// so that a tool mixing local and UTC times fails in the lab.
	TimeZone string `yaml:"time_zone"`
	// Paths is the path map: Windows paths (drives, UNC shares, folders
	// on them) that SQL Server and plans name, each to a folder relative
	// to the lab dir. The simulated SQL Server reads every path through
	// it; a path outside it is 3201.
	Paths []labfile.PathMapping `yaml:"paths"`
}

// InstanceConfig is one simulated SQL Server instance.
type InstanceConfig struct {
	// Name names the instance in the lab (PRIMARY, BACKUP); it is upper
	// case in lab.env variable names.
	Name string `yaml:"name"`
	// ServerName is what @@SERVERNAME and backup headers report.
	ServerName string `yaml:"server_name"`
	// Port is the loopback port; 0 picks a free one at the first start and
	// keeps it for later starts of the same lab dir.
	Port int `yaml:"port"`
	// Logins are the SQL logins the instance accepts.
	Logins []Login `yaml:"logins"`
	// Databases are the user databases (master and msdb always exist).
	Databases []DatabaseConfig `yaml:"databases"`
	// MirrorOf names the instance whose SQL store this one mirrors in
	// the Lync topology (Topology Builder's "SQL Server store mirror"):
	// the Management Shell stand-in's Install-CsMirrorDatabase mirrors
	// that store's databases here. It sets up no session by itself.
	MirrorOf string `yaml:"mirror_of,omitempty"`
}

// Login is a SQL login and its role.
type Login struct {
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	// Role is RoleSysadmin (the default) or RoleReader.
	Role string `yaml:"role,omitempty"`
}

// The roles a login can have.
const (
	// RoleSysadmin is a member of the sysadmin fixed server role: it may
	// do everything the lab simulates.
	RoleSysadmin = "sysadmin"
	// RoleReader has VIEW SERVER STATE and VIEW ANY DEFINITION on the
	// server and db_datareader in msdb, the rights a read-only check
	// needs: it reads the system views, the sessions and msdb's tables;
	// every write is refused with SQL Server's error for the missing
	// permission (3110, 262, 6102, 5011, 229).
	RoleReader = "reader"
)

// isSysadmin reports whether the login is a sysadmin.
func (l Login) isSysadmin() bool { return l.Role == "" || strings.EqualFold(l.Role, RoleSysadmin) }

// DatabaseConfig is a user database and its initial state.
type DatabaseConfig struct {
	Name string `yaml:"name"`
	// State is ONLINE, RESTORING, STANDBY (ONLINE and read-only for
	// restore), RECOVERY_PENDING, SUSPECT or OFFLINE.
	State string `yaml:"state"`
	// RecoveryModel is FULL (default), BULK_LOGGED or SIMPLE.
	RecoveryModel string `yaml:"recovery_model"`
	// Mirroring makes the database a partner of a database mirroring
	// session (mirrorconfig.go); nil: not mirrored.
	Mirroring *MirroringConfig `yaml:"mirroring,omitempty"`
}

// LogShippingConfig is the log shipping of one database from a primary to
// a secondary (backup) instance.
type LogShippingConfig struct {
	// Primary and Secondary name instances of Instances.
	Primary   string `yaml:"primary"`
	Secondary string `yaml:"secondary"`
	// Database is the log-shipped database (mgc).
	Database string `yaml:"database"`
	// ShareDir is the backup share, CopyDir the secondary's copy
	// destination, as SQL Server names them (msdb reports them): Windows
	// paths that Paths maps to folders of the lab dir. A path that is not
	// a Windows path is a folder relative to the lab dir, which SQL
	// Server then sees by its local path.
	ShareDir string `yaml:"share_dir"`
	CopyDir  string `yaml:"copy_dir"`
	// Backups is the number of log backups in the chain on the share,
	// Copied how many of them the copy job already copied, Restored how
	// many of those the restore job already restored.
	Backups  int `yaml:"backups"`
	Copied   int `yaml:"copied"`
	Restored int `yaml:"restored"`
	// Interval between log backups (default 15m).
	Interval time.Duration `yaml:"interval"`
}

// Scenario holds the scenario switches.
type Scenario struct {
	// Gap leaves a log backup out of the chain on the share.
	Gap bool `yaml:"gap"`
	// Truncated cuts one not yet copied file short.
	Truncated bool `yaml:"truncated"`
	// ForeignFiles adds mgccomp backups and backups of the mirror server
	// (same database, continuing LSNs) to the share: both MirrorFiles and
	// OtherDatabaseFiles.
	ForeignFiles bool `yaml:"foreign_files"`
	// MirrorFiles: two servers' files. The mirror (DC1-SQL02) wrote the
	// newest third of the chain, with its clock behind, so file names do
	// not follow the LSN order.
	MirrorFiles bool `yaml:"mirror_files"`
	// OtherDatabaseFiles adds mgccomp's own log backups to the share.
	OtherDatabaseFiles bool `yaml:"other_database_files"`
	// FullAmongLogs adds a full backup named like a log backup
	// (mgc_….trn) between the next two log backups to apply.
	FullAmongLogs bool `yaml:"full_among_logs"`
	// InterruptedRestore leaves the secondary with an interrupted restore
	// of the next log backup (the restore job was killed in it): 4319 for
	// any other set and for recovery until that one is restored.
	InterruptedRestore bool `yaml:"interrupted_restore"`
	// GrowingFile: the newest log backup on the share is still being
	// written (a file-growing fault from the start, scenario-growing-file).
	GrowingFile bool `yaml:"growing_file"`
	// MultiSetFile puts two backup sets into one file.
	MultiSetFile bool `yaml:"multi_set_file"`
	// EmptyLogBackup adds a log backup with FirstLSN == LastLSN.
	EmptyLogBackup bool `yaml:"empty_log_backup"`
	// ForkMismatch adds a backup from another recovery fork.
	ForkMismatch bool `yaml:"fork_mismatch"`
	// OtherFiles adds files that are not log backups to the share: the
	// full backup (.bak), a STANDBY undo file (.tuf) and a copy in
	// progress (.trn.tmp), so a failover classifies files by header.
	OtherFiles bool `yaml:"other_files"`
	// AlreadyRecovered starts the secondary database ONLINE (recovered).
	AlreadyRecovered bool `yaml:"already_recovered"`
	// UserSessions are simulated user sessions in the secondary database.
	UserSessions UserSessions `yaml:"user_sessions"`
}

// UserSessions configures simulated sessions (Lync services) that use a
// database. They are not real connections: they appear in
// sys.dm_exec_sessions, sys.sysprocesses, sys.dm_tran_locks and sp_who2,
// block RESTORE (3101) and ALTER DATABASE, and KILL ends them. As in SQL
// Server, no session is ever inside a database that cannot be opened
// (RESTORING): sessions inside one wait and connect the moment it comes
// ONLINE (STANDBY included); lock holders sit in another database.
type UserSessions struct {
	// Count sessions are inside Database while it is ONLINE or in
	// STANDBY (0: none). While it cannot be opened (RESTORING) they are
	// not connected, and they connect the moment it comes ONLINE.
	Count int `yaml:"count"`
	// LockHolders sessions have From as their current database and hold
	// a lock on Database (sys.dm_tran_locks), whatever its state.
	LockHolders int `yaml:"lock_holders"`
	// From is the lock holders' current database (default master).
	From string `yaml:"from"`
	// Database they use (default: the log-shipped database).
	Database string `yaml:"database"`
	// Reconnect makes each killed session come back once, with a new
	// session id, after ReconnectAfter (as Lync services do).
	Reconnect      bool          `yaml:"reconnect"`
	ReconnectAfter time.Duration `yaml:"reconnect_after"`
}

// The default lab's names and secrets. The passwords are lab passwords,
// not secrets of any real system.
const (
	DefaultUser     = "failover"
	DefaultPassword = "Lab-Passw0rd!"
	// DefaultReader is the default lab's read-only login (RoleReader).
	DefaultReader         = "failover_reader"
	DefaultReaderPassword = "Lab-Reader-Passw0rd!"
	defaultDB             = "mgc"
	complianceDB          = "mgccomp"
)

// DefaultConfig mirrors the Persistent Chat topology: a PRIMARY and a
// BACKUP instance with mgc and mgccomp, log shipping of mgc from PRIMARY to
// BACKUP through \\DC1-FS01\LSBackup (DIR/share) into D:\LSCopy\mgc
// (DIR/copy), with twelve log backups of which eight are copied and six
// restored; BACKUP_MIRROR (DC2-SQL02), the topology's mirror of the
// backup store, with no database yet (the failover's
// Install-CsMirrorDatabase makes its mgc); servers in Europe/Berlin
// time. Each instance has a sysadmin login and a read-only one.
func DefaultConfig() Config {
	login := []Login{{User: DefaultUser, Password: DefaultPassword},
		{User: DefaultReader, Password: DefaultReaderPassword, Role: RoleReader}}
	return Config{
		Instances: []InstanceConfig{
			{Name: "PRIMARY", ServerName: "DC1-SQL01", Logins: login, Databases: []DatabaseConfig{
				{Name: defaultDB, State: "ONLINE"}, {Name: complianceDB, State: "ONLINE"}}},
			{Name: "BACKUP", ServerName: "DC2-SQL01", Logins: login, Databases: []DatabaseConfig{
				{Name: defaultDB, State: "RESTORING"}, {Name: complianceDB, State: "ONLINE"}}},
			{Name: "BACKUP_MIRROR", ServerName: "DC2-SQL02", Logins: login, Databases: []DatabaseConfig{}, MirrorOf: "BACKUP"},
		},
		LogShipping: LogShippingConfig{
			Primary: "PRIMARY", Secondary: "BACKUP", Database: defaultDB,
			ShareDir: defaultSharePath, CopyDir: defaultCopyPath,
			Backups: 12, Copied: 8, Restored: 6, Interval: 15 * time.Minute,
		},
		TimeZone: defaultTimeZone,
		Paths:    defaultPaths(),
	}
}

// LoadConfig reads a YAML lab config. Keys it does not know are errors.
// Omitted sections take DefaultConfig's values.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read lab config: %w", err)
	}
	cfg := DefaultConfig()
	var doc yaml.Node
	// An empty file is io.EOF: it means the defaults.
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, cfg.Validate()
		}
		return Config{}, fmt.Errorf("decode lab config: %w", describeYAMLError(path, err))
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind != yaml.MappingNode {
		n := doc.Content[0]
		return Config{}, fmt.Errorf("decode lab config: %s:%d:%d: the config must be a mapping (instances:, log_shipping:, scenario:, …)", path, n.Line, n.Column)
	}
	if errs := checkKeys(path, &doc, reflect.TypeOf(cfg), "the config"); len(errs) > 0 {
		return Config{}, fmt.Errorf("decode lab config: %w", errors.Join(errs...))
	}
	if err := doc.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("decode lab config: %w", describeYAMLError(path, err))
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("check lab config %s: %w", path, err)
	}
	return cfg, nil
}

// Validate checks names, states and references.
func (c Config) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, in := range c.Instances {
		key := strings.ToUpper(in.Name)
		if !validName(in.Name) {
			errs = append(errs, fmt.Errorf("instance name %q: use letters, digits and _", in.Name))
		}
		if seen[key] {
			errs = append(errs, fmt.Errorf("instance %q is defined twice", in.Name))
		}
		seen[key] = true
		if _, ok := FirstLogin(in.Logins, RoleSysadmin); !ok {
			errs = append(errs, fmt.Errorf("instance %q has no sysadmin login (a login without role is one)", in.Name))
		}
		errs = append(errs, checkLogins(in)...)
		for _, db := range in.Databases {
			if _, _, ok := parseDBState(db.State); !ok {
				errs = append(errs, fmt.Errorf("database %s on %s: unknown state %q", db.Name, in.Name, db.State))
			}
		}
	}
	ls := c.LogShipping
	if ls.Primary != "" || ls.Secondary != "" {
		for _, n := range []string{ls.Primary, ls.Secondary} {
			if !seen[strings.ToUpper(n)] {
				errs = append(errs, fmt.Errorf("log_shipping names instance %q, which is not defined", n))
			}
		}
		if ls.Copied > ls.Backups || ls.Restored > ls.Copied || ls.Restored < 0 {
			errs = append(errs, fmt.Errorf("log_shipping: need 0 <= restored <= copied <= backups"))
		}
		errs = append(errs, c.checkUserSessions()...)
	}
	errs = append(errs, c.validatePaths()...)
	errs = append(errs, c.validateMirroring()...)
	errs = append(errs, c.validateTopology()...)
	if _, err := loadLocation(c.TimeZone); err != nil {
		errs = append(errs, err)
	}
	for i, f := range c.Faults {
		if err := f.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("fault %d: %w", i+1, err))
		} else if err := c.checkFaultInstance(f); err != nil {
			errs = append(errs, fmt.Errorf("fault %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// ErrNotInitialised is returned by AddFault for a lab dir that does not
// exist.
var ErrNotInitialised = errors.New("no lab dir here")

// checkFaultInstance refuses a fault for an instance the lab does not
// have: it would never fire, and the drill would pass for a wrong reason.
func (c Config) checkFaultInstance(f Fault) error {
	if f.Instance == "" {
		return nil
	}
	names := make([]string, len(c.Instances))
	for i, in := range c.Instances {
		if strings.EqualFold(in.Name, f.Instance) {
			return nil
		}
		names[i] = strings.ToUpper(in.Name)
	}
	return fmt.Errorf("no instance %q in this lab (%s)", f.Instance, strings.Join(names, ", "))
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// FirstLogin returns the first of logins with the role, RoleSysadmin (a
// login without a role is one) or RoleReader.
func FirstLogin(logins []Login, role string) (Login, bool) {
	for _, lg := range logins {
		if lg.isSysadmin() == strings.EqualFold(role, RoleSysadmin) {
			return lg, true
		}
	}
	return Login{}, false
}

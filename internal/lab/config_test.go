package lab

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "empty file is the default", yaml: "",
			check: func(t *testing.T, c Config) {
				if len(c.Instances) != 3 || c.LogShipping.Database != "mgc" || c.Instances[2].MirrorOf != "BACKUP" {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "scenario and faults", yaml: "scenario:\n  gap: true\n  user_sessions: {count: 3, reconnect: true, reconnect_after: 2s}\nfaults:\n  - {match: RESTORE, kind: delay, delay: 1s}\n",
			check: func(t *testing.T, c Config) {
				if !c.Scenario.Gap || c.Scenario.UserSessions.Count != 3 || c.Scenario.UserSessions.ReconnectAfter != 2*time.Second {
					t.Errorf("scenario = %+v", c.Scenario)
				}
				if len(c.Faults) != 1 || c.Faults[0].Delay != time.Second {
					t.Errorf("faults = %+v", c.Faults)
				}
			}},
		{name: "unknown key", yaml: "scenario:\n  gapp: true\n", wantErr: `lab.yaml:2:3: unknown key "gapp" in scenario (known: already_recovered, empty_log_backup,`},
		{name: "unknown key in a list", yaml: "instances:\n  - name: A\n    logins: [{user: u, pasword: p}]\n", wantErr: `lab.yaml:3:24: unknown key "pasword" in instances[1].logins[1] (known: password, role, user)`},
		{name: "wrong kind of value", yaml: "scenario: {gap: maybe}\nlog_shipping: {interval: soon}\n", wantErr: "lab.yaml:1: \"maybe\" is not true or false\n"},
		{name: "bad duration", yaml: "log_shipping: {interval: soon}\n", wantErr: `lab.yaml:1: "soon" is not a duration`},
		{name: "not a mapping", yaml: "- gap\n", wantErr: "lab.yaml:1:1: the config must be a mapping"},
		{name: "bad YAML", yaml: "scenario: [\n", wantErr: "lab.yaml:1: did not find expected node content"},
		{name: "unknown state", yaml: "instances:\n  - {name: A, logins: [{user: u, password: p}], databases: [{name: x, state: SLEEPY}]}\nlog_shipping: {primary: ''}\n", wantErr: `unknown state "SLEEPY"`},
		{name: "missing instance", yaml: "log_shipping: {primary: PRIMARY, secondary: DR}\n", wantErr: `instance "DR", which is not defined`},
		{name: "bad counts", yaml: "log_shipping: {copied: 20}\n", wantErr: "restored <= copied <= backups"},
		{name: "fault for an unknown instance", yaml: "faults:\n  - {match: x, kind: drop, instance: DR}\n", wantErr: `fault 1: no instance "DR" in this lab (PRIMARY, BACKUP, BACKUP_MIRROR)`},
		{name: "error number on a drop fault", yaml: "faults:\n  - {match: x, kind: drop, error: 1205}\n", wantErr: "fault 1: error 1205 goes with kind error, not drop"},
		{name: "bad fault", yaml: "faults:\n  - {match: x, kind: explode}\n", wantErr: `unknown fault kind "explode"`},
		{name: "drop_after fault and roles", yaml: "faults:\n  - {match: 'WITH RECOVERY', kind: drop_after}\ninstances:\n  - {name: A, logins: [{user: dba, password: p}, {user: ro, password: q, role: reader}]}\nlog_shipping: {primary: '', secondary: ''}\n",
			check: func(t *testing.T, c Config) {
				if c.Faults[0].Kind != FaultDropAfter || c.Instances[0].Logins[1].Role != RoleReader || !c.Instances[0].Logins[0].isSysadmin() {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "default logins", yaml: "",
			check: func(t *testing.T, c Config) {
				for _, in := range c.Instances {
					if len(in.Logins) != 2 || !in.Logins[0].isSysadmin() || in.Logins[1].User != DefaultReader || in.Logins[1].Role != RoleReader {
						t.Errorf("%s logins = %+v, want the sysadmin and the reader", in.Name, in.Logins)
					}
				}
			}},
		{name: "unknown role", yaml: "instances:\n  - {name: A, logins: [{user: u, password: p, role: dbo}]}\nlog_shipping: {primary: ''}\n", wantErr: `login "u" on A: unknown role "dbo" (sysadmin or reader)`},
		{name: "no sysadmin", yaml: "instances:\n  - {name: A, logins: [{user: u, password: p, role: reader}]}\nlog_shipping: {primary: ''}\n", wantErr: `instance "A" has no sysadmin login`},
		{name: "login twice", yaml: "instances:\n  - {name: A, logins: [{user: u, password: p}, {user: U, password: q}]}\nlog_shipping: {primary: ''}\n", wantErr: `instance "A" has login "U" twice`},
		{name: "lock holders and from", yaml: "scenario:\n  user_sessions: {lock_holders: 2, from: mgccomp}\n",
			check: func(t *testing.T, c Config) {
				if c.Scenario.UserSessions.LockHolders != 2 || c.Scenario.UserSessions.From != "mgccomp" {
					t.Errorf("user_sessions = %+v", c.Scenario.UserSessions)
				}
			}},
		{name: "sessions from a database the secondary lacks", yaml: "scenario:\n  user_sessions: {lock_holders: 1, from: nosuch}\n", wantErr: `scenario.user_sessions.from: no database "nosuch" on BACKUP`},
		{name: "negative sessions", yaml: "scenario:\n  user_sessions: {count: -1}\n", wantErr: "count and lock_holders must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lab.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one with %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "lab.Scenario") || strings.Contains(err.Error(), "unmarshal") {
					t.Errorf("err = %v: it names Go types", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestInitRefusesAnInitialisedDir(t *testing.T) {
	dir := t.TempDir()
	if err := Init(dir, DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	if err := Init(dir, DefaultConfig()); !errors.Is(err, ErrInitialised) {
		t.Errorf("second Init = %v, want ErrInitialised", err)
	}
	cfg := DefaultConfig()
	cfg.Scenario.AlreadyRecovered = true
	if err := Reset(dir, cfg); err != nil {
		t.Fatalf("reset: %v", err)
	}
	st, err := loadState(statePath(dir, "BACKUP"))
	if err != nil {
		t.Fatal(err)
	}
	if d := st.database("mgc"); d.State != "ONLINE" {
		t.Errorf("after Reset with already_recovered: mgc %s", d.State)
	}
}

func TestInitWritesChain(t *testing.T) {
	cfg := DefaultConfig()
	tl := newTestLab(t, cfg)
	share, _ := os.ReadDir(tl.share())
	copied, _ := os.ReadDir(tl.copyDir())
	if len(share) != cfg.LogShipping.Backups || len(copied) != cfg.LogShipping.Copied {
		t.Errorf("share has %d files, copy dir %d; want %d and %d", len(share), len(copied), cfg.LogShipping.Backups, cfg.LogShipping.Copied)
	}
	for _, e := range share {
		if !strings.HasPrefix(e.Name(), "mgc_") || !strings.HasSuffix(e.Name(), ".trn") || len(e.Name()) != len("mgc_20260101120000.trn") {
			t.Errorf("file name %s is not mgc_YYYYMMDDHHMMSS.trn", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(tl.dir, TLSDir, "ca.pem")); err != nil {
		t.Errorf("no CA: %v", err)
	}
}

func TestInitEverySwitchAtTheDefaultCount(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario = Scenario{Gap: true, Truncated: true, ForeignFiles: true, MultiSetFile: true,
		EmptyLogBackup: true, ForkMismatch: true}
	tl := newTestLab(t, cfg)
	in := tl.backup()
	s := open(in, 51, "master")
	// Beyond the gap lies a readable file whose header shows it: 4305.
	entries, err := os.ReadDir(tl.share())
	if err != nil {
		t.Fatal(err)
	}
	gaps := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "mgc_") {
			continue
		}
		for _, pos := range []string{"1", "2"} {
			w := run(t, in, s, "RESTORE LOG mgc FROM DISK = "+quote(filepath.Join(tl.share(), e.Name()))+" WITH FILE = "+pos+", NORECOVERY")
			if got := w.errorNumbers(); len(got) == 2 && got[0] == 4305 {
				gaps++
			}
		}
	}
	if gaps == 0 {
		t.Error("no file beyond the gap answers 4305: the gap is hidden")
	}
}

// TestInitOtherFiles: other_files puts the full backup, a STANDBY undo
// file and a copy in progress on the share; HEADERONLY tells them apart.
func TestInitOtherFiles(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.OtherFiles = true
	tl := newTestLab(t, cfg)
	in := tl.backup()
	s := open(in, 51, "master")
	entries, err := os.ReadDir(tl.share())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int32{}
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext != ".trn" {
			w := run(t, in, s, "RESTORE HEADERONLY FROM DISK = "+quote(filepath.Join(tl.share(), e.Name())))
			got[ext] = w.errorNumbers()
		}
	}
	want := map[string][]int32{".bak": {}, ".tuf": {3241, 3013}, ".tmp": {3203, 3013}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("HEADERONLY errors by extension = %v, want %v", got, want)
	}
}

// A config whose instances list no databases still makes a log-shipping
// lab: the primary's database online, the secondary's restoring.
func TestInitAddsUnlistedLogShippedDatabases(t *testing.T) {
	cfg := DefaultConfig()
	for i := range cfg.Instances {
		cfg.Instances[i].Databases = nil
	}
	tl := newTestLab(t, cfg)
	for _, tt := range []struct{ instance, want string }{{"PRIMARY", "ONLINE"}, {"BACKUP", "RESTORING"}} {
		in := tl.ins[tt.instance]
		w := run(t, in, open(in, 51, "master"), "SELECT state_desc FROM sys.databases WHERE name = N'mgc'")
		if len(w.errors) > 0 || len(w.results) != 1 || len(w.results[0].Rows) != 1 {
			t.Fatalf("%s: mgc not listed: errors %v, results %v", tt.instance, w.errors, w.results)
		}
		if got := w.results[0].Rows[0][0]; got != tt.want {
			t.Errorf("%s: mgc is %v, want %s", tt.instance, got, tt.want)
		}
	}
}

package main

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/labfile"
)

// labInfo is what lab.env and targets.yaml describe: where a running lab
// is and how to log in to its instances.
type labInfo struct {
	Dir, CA string
	// Share and CopyDir are the local folders of the log shipping share
	// and the copy destination (what file steps use in the lab);
	// ShareWindows and CopyDirWindows the same folders as SQL Server and
	// plans name them (what a plan carries to production).
	Share, CopyDir               string
	ShareWindows, CopyDirWindows string
	// Database is the log-shipped database.
	Database string
	// Paths is the path map, local folders absolute.
	Paths []labfile.PathMapping
	// TimeZone is the servers' time zone.
	TimeZone string
	// Statements is the statement log.
	Statements string
	// Instances in config order.
	Instances []instanceInfo
	// Shell is the Management Shell stand-in's executable (failover-lab
	// itself) and Pool the simulated Persistent Chat pool; "" before up.
	Shell, Pool string
}

// instanceInfo is one running instance and the logins plans use.
type instanceInfo struct {
	Name           string // PRIMARY
	Addr           string // 127.0.0.1:port
	User, Password string // a sysadmin login
	// ReaderUser and ReaderPassword are a read-only login (role reader);
	// empty when the instance has none.
	ReaderUser, ReaderPassword string
}

// reader is the instance as its read-only login sees it.
func (in instanceInfo) reader() instanceInfo {
	return instanceInfo{Name: in.Name, Addr: in.Addr, User: in.ReaderUser, Password: in.ReaderPassword}
}

// envVar is one KEY=value line of lab.env.
type envVar struct{ Key, Value string }

// sharedPassword is the password every instance's login uses, if they
// all use the same one (the default lab); ok is false otherwise.
func (li labInfo) sharedPassword() (string, bool) {
	return li.shared(func(in instanceInfo) string { return in.Password })
}

// sharedReaderPassword is the password of every instance's read-only
// login, if each has one and they are the same.
func (li labInfo) sharedReaderPassword() (string, bool) {
	for _, in := range li.Instances {
		if in.ReaderUser == "" {
			return "", false
		}
	}
	return li.shared(func(in instanceInfo) string { return in.ReaderPassword })
}

func (li labInfo) shared(password func(instanceInfo) string) (string, bool) {
	if len(li.Instances) == 0 {
		return "", false
	}
	p := password(li.Instances[0])
	for _, in := range li.Instances {
		if password(in) != p {
			return "", false
		}
	}
	return p, true
}

// env lists lab.env's variables in a stable order.
func (li labInfo) env() []envVar {
	vars := []envVar{
		{"FAILOVER_LAB_DIR", li.Dir},
		{"FAILOVER_LAB_SHARE", li.Share},
		{"FAILOVER_LAB_COPY_DIR", li.CopyDir},
		{"FAILOVER_LAB_SHARE_WINDOWS", li.ShareWindows},
		{"FAILOVER_LAB_COPY_DIR_WINDOWS", li.CopyDirWindows},
		{"FAILOVER_LAB_TIME_ZONE", li.TimeZone},
		{"FAILOVER_LAB_CA", li.CA},
		{"FAILOVER_LAB_TARGETS", filepath.Join(li.Dir, "targets.yaml")},
		{"FAILOVER_LAB_VARS", filepath.Join(li.Dir, varsFileName)},
		{"FAILOVER_LAB_STATEMENTS", li.Statements},
	}
	if p, ok := li.sharedPassword(); ok {
		vars = append(vars, envVar{"FAILOVER_LAB_PASSWORD", p})
	}
	if p, ok := li.sharedReaderPassword(); ok {
		vars = append(vars, envVar{"FAILOVER_LAB_READER_PASSWORD", p})
	}
	if li.Shell != "" {
		vars = append(vars, envVar{"FAILOVER_LAB_SHELL", li.Shell}, envVar{"FAILOVER_LAB_POOL", li.Pool})
	}
	for _, in := range li.Instances {
		pre := "FAILOVER_LAB_" + strings.ToUpper(in.Name) + "_"
		vars = append(vars,
			envVar{pre + "DSN", dsn(in, li.CA)},
			envVar{pre + "ADDR", in.Addr},
			envVar{pre + "USER", in.User},
			envVar{pre + "PASSWORD", in.Password},
		)
		if in.ReaderUser != "" {
			vars = append(vars,
				envVar{pre + "READER_DSN", dsn(in.reader(), li.CA)},
				envVar{pre + "READER_USER", in.ReaderUser},
				envVar{pre + "READER_PASSWORD", in.ReaderPassword},
			)
		}
	}
	return vars
}

// dsn is the instance's go-mssqldb URL for lab.env (lab.DSN).
func dsn(in instanceInfo, ca string) string {
	return lab.DSN(in.Addr, in.User, in.Password, ca, "failover-lab-client").String()
}

// formatEnv renders the variables for a POSIX shell ("sh": KEY='value',
// the lab.env format) or PowerShell ("powershell": $env:KEY = 'value').
func formatEnv(vars []envVar, shell string) (string, error) {
	if shell != "sh" && shell != "powershell" {
		return "", usageError{fmt.Errorf("unknown shell %q (sh or powershell)", shell)}
	}
	var b strings.Builder
	for _, v := range vars {
		if shell == "sh" {
			fmt.Fprintf(&b, "%s=%s\n", v.Key, shQuote(v.Value))
			continue
		}
		fmt.Fprintf(&b, "$env:%s = '%s'\n", v.Key, strings.ReplaceAll(v.Value, "'", "''"))
	}
	return b.String(), nil
}

// shQuote quotes a value for a POSIX shell when it needs quoting.
func shQuote(s string) string {
	if s != "" && strings.IndexFunc(s, needsQuote) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func needsQuote(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-:,+@%", r))
}

// parseEnvOrdered reads lab.env (KEY=value lines, values as shQuote
// writes them) in file order; blank lines and # comments are skipped.
func parseEnvOrdered(text string) ([]envVar, error) {
	var out []envVar
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("parse lab.env line %d: no KEY=value", n)
		}
		val, err := shUnquote(v)
		if err != nil {
			return nil, fmt.Errorf("parse lab.env line %d: %w", n, err)
		}
		out = append(out, envVar{k, val})
	}
	return out, sc.Err()
}

// parseEnv reads lab.env into a map.
func parseEnv(text string) (map[string]string, error) {
	vars, err := parseEnvOrdered(text)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(vars))
	for _, v := range vars {
		m[v.Key] = v.Value
	}
	return m, nil
}

// shUnquote undoes shQuote: unquoted text and '…' runs, with '\” for a
// quote inside.
func shUnquote(s string) (string, error) {
	var b strings.Builder
	for s != "" {
		switch {
		case strings.HasPrefix(s, `\'`):
			b.WriteByte('\'')
			s = s[2:]
		case s[0] == '\'':
			end := strings.IndexByte(s[1:], '\'')
			if end < 0 {
				return "", fmt.Errorf("unterminated quote")
			}
			b.WriteString(s[1 : 1+end])
			s = s[2+end:]
		default:
			b.WriteByte(s[0])
			s = s[1:]
		}
	}
	return b.String(), nil
}

// targetsDoc is targets.yaml: a plan fragment with the lab's targets and
// the secrets they need, usable as a base plan (extends) or copied.
type targetsDoc struct {
	Version int                     `yaml:"version"`
	Vars    map[string]string       `yaml:"vars"`
	Secrets map[string]secretSource `yaml:"secrets"`
	Targets map[string]sqlTarget    `yaml:"targets"`
}

// lyncTarget is the powershell target of the lab's Management Shell.
type lyncTarget struct {
	Type       string   `yaml:"type"`
	Executable string   `yaml:"executable"`
	Args       []string `yaml:"args"`
	Modules    []string `yaml:"modules"`
}

type secretSource struct {
	Env string `yaml:"env"`
}

type sqlTarget struct {
	Type     string `yaml:"type"`
	Server   string `yaml:"server"`
	Port     int    `yaml:"port"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	Database string `yaml:"database"`
	Encrypt  string `yaml:"encrypt"`
	CAFile   string `yaml:"ca_file"`
}

const targetsHeader = `# Targets of the failover lab in %s, written by failover-lab.
# Use it as a base plan (extends: %s) or copy the targets.
# X_sql logs in as a sysadmin, X_sql_reader as a read-only login.
# The passwords come from the environment: source lab.env first.
# lab_share and lab_copy_dir are local folders (for file steps);
# lab_share_windows and lab_copy_dir_windows the paths SQL Server names.
`

// targetsYAML renders targets.yaml: one sqlserver target per instance,
// named after it in lower case with _sql (backup_sql), and one for its
// read-only login with _sql_reader (backup_sql_reader), their passwords
// secrets read from lab.env's variables.
func (li labInfo) targetsYAML() ([]byte, error) {
	doc := targetsDoc{Version: 1,
		Vars: map[string]string{"lab_share": li.Share, "lab_copy_dir": li.CopyDir,
			"lab_share_windows": li.ShareWindows, "lab_copy_dir_windows": li.CopyDirWindows},
		Secrets: map[string]secretSource{}, Targets: map[string]sqlTarget{}}
	_, shared := li.sharedPassword()
	if shared {
		doc.Secrets["lab_password"] = secretSource{Env: "FAILOVER_LAB_PASSWORD"}
	}
	_, readerShared := li.sharedReaderPassword()
	if readerShared {
		doc.Secrets["lab_reader_password"] = secretSource{Env: "FAILOVER_LAB_READER_PASSWORD"}
	}
	for _, in := range li.Instances {
		host, port, err := splitAddr(in.Addr)
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(in.Name)
		secret := "lab_password"
		if !shared {
			secret = "lab_" + name + "_password"
			doc.Secrets[secret] = secretSource{Env: "FAILOVER_LAB_" + strings.ToUpper(in.Name) + "_PASSWORD"}
		}
		doc.Targets[name+"_sql"] = sqlTarget{Type: "sqlserver", Server: host, Port: port,
			User: in.User, Password: "${secrets." + secret + "}", Database: "master", Encrypt: "true", CAFile: li.CA}
		if in.ReaderUser == "" {
			continue
		}
		secret = "lab_reader_password"
		if !readerShared {
			secret = "lab_" + name + "_reader_password"
			doc.Secrets[secret] = secretSource{Env: "FAILOVER_LAB_" + strings.ToUpper(in.Name) + "_READER_PASSWORD"}
		}
		doc.Targets[name+"_sql_reader"] = sqlTarget{Type: "sqlserver", Server: host, Port: port,
			User: in.ReaderUser, Password: "${secrets." + secret + "}", Database: "master", Encrypt: "true", CAFile: li.CA}
	}
	body, err := yaml.Marshal(doc)
	if li.Shell != "" {
		body, err = yaml.Marshal(withShell(doc, li))
	}
	if err != nil {
		return nil, fmt.Errorf("encode targets: %w", err)
	}
	path := filepath.Join(li.Dir, "targets.yaml")
	head := fmt.Appendf(nil, targetsHeader, li.Dir, path)
	return append(append(head, li.pathMapComment()...), body...), nil
}

// pathMapComment lists the path map as comment lines.
func (li labInfo) pathMapComment() []byte {
	var b strings.Builder
	b.WriteString("# The lab's path map (what SQL Server reads for a Windows path):\n")
	for _, pm := range li.Paths {
		fmt.Fprintf(&b, "#   %s -> %s\n", pm.Windows, pm.Local)
	}
	return []byte(b.String())
}

// withShell adds the powershell target lync, which runs the lab's
// Management Shell, and the pool's name as a var.
func withShell(doc targetsDoc, li labInfo) any {
	all := map[string]any{}
	for k, v := range doc.Targets {
		all[k] = v
	}
	all["lync"] = lyncTarget{Type: "powershell", Executable: li.Shell,
		Args: []string{"lync", "shell", "--dir", li.Dir}, Modules: []string{"Lync"}}
	doc.Vars["lab_pool"] = li.Pool
	return struct {
		Version int                     `yaml:"version"`
		Vars    map[string]string       `yaml:"vars"`
		Secrets map[string]secretSource `yaml:"secrets"`
		Targets map[string]any          `yaml:"targets"`
	}{doc.Version, doc.Vars, doc.Secrets, all}
}

func splitAddr(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("split address %q: %w", addr, err)
	}
	var port int
	if _, err := fmt.Sscanf(p, "%d", &port); err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("split address %q: bad port %q", addr, p)
	}
	return host, port, nil
}

// sortedNames returns the keys of m in order.
func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

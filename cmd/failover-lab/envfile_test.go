package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/microsoft/go-mssqldb/msdsn"
	"go.yaml.in/yaml/v3"
)

func testInfo() labInfo {
	return labInfo{
		Dir: "/labs/drill", Share: "/labs/drill/share", CopyDir: "/labs/drill/copy", CA: "/labs/drill/tls/ca.pem",
		ShareWindows: `\\DC1-FS01\LSBackup`, CopyDirWindows: `D:\LSCopy\mgc`, Database: "mgc", TimeZone: "Europe/Berlin",
		Paths: []labfile.PathMapping{{Windows: `D:\LSCopy\mgc`, Local: "/labs/drill/copy"},
			{Windows: `\\DC1-FS01\LSBackup`, Local: "/labs/drill/share"}, {Windows: `D:\`, Local: "/labs/drill/backup-d"}},
		Instances: []instanceInfo{
			{Name: "PRIMARY", Addr: "127.0.0.1:51433", User: "failover", Password: "Lab-Passw0rd!",
				ReaderUser: "failover_reader", ReaderPassword: "Lab-Reader-Passw0rd!"},
			{Name: "BACKUP", Addr: "127.0.0.1:51434", User: "failover", Password: "Lab-Passw0rd!",
				ReaderUser: "failover_reader", ReaderPassword: "Lab-Reader-Passw0rd!"},
			{Name: "BACKUP_MIRROR", Addr: "127.0.0.1:51435", User: "failover", Password: "Lab-Passw0rd!",
				ReaderUser: "failover_reader", ReaderPassword: "Lab-Reader-Passw0rd!"},
		},
	}
}

// TestDSNParsesInGoMssqldb checks the DSN with go-mssqldb's own parser:
// the host, port, login, database, encryption and CA file it will use.
func TestDSNParsesInGoMssqldb(t *testing.T) {
	dir := t.TempDir()
	plain := writeTestCA(t, filepath.Join(dir, "ca.pem"))
	spaced := writeTestCA(t, filepath.Join(dir, "a b&c", "ca.pem"))
	tests := []struct {
		name string
		in   instanceInfo
		ca   string
	}{
		{name: "default lab", in: testInfo().Instances[1], ca: plain},
		{name: "password with URL characters", in: instanceInfo{Name: "X", Addr: "127.0.0.1:1433", User: "dr@ill", Password: "p@ss:w/rd?&#%'"}, ca: plain},
		{name: "CA path with space and ampersand", in: instanceInfo{Name: "X", Addr: "127.0.0.1:1433", User: "failover", Password: "x"}, ca: spaced},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := dsn(tt.in, tt.ca)
			cfg, err := msdsn.Parse(s)
			if err != nil {
				t.Fatalf("msdsn.Parse(%q): %v", s, err)
			}
			host, port, _ := splitAddr(tt.in.Addr)
			if cfg.Host != host || int(cfg.Port) != port || cfg.User != tt.in.User || cfg.Password != tt.in.Password {
				t.Errorf("parsed %s:%d user %q password ok %v; want %s", cfg.Host, cfg.Port, cfg.User, cfg.Password == tt.in.Password, tt.in.Addr)
			}
			if cfg.Database != "master" || cfg.Encryption != msdsn.EncryptionRequired {
				t.Errorf("database %q encryption %v; want master, required", cfg.Database, cfg.Encryption)
			}
			if cfg.Parameters["certificate"] != tt.ca || cfg.Parameters["trustservercertificate"] != "" {
				t.Errorf("certificate %q, trustservercertificate %q; want the CA and no trust",
					cfg.Parameters["certificate"], cfg.Parameters["trustservercertificate"])
			}
		})
	}
}

// writeTestCA writes a self-signed CA certificate (PEM) for msdsn to load.
func writeTestCA(t *testing.T, path string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEnvRoundTrip(t *testing.T) {
	info := testInfo()
	info.Instances[0].Password = `it's "quoted" $HOME !x \n`
	text, err := formatEnv(info.env(), "sh")
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseEnv("# comment\n\n" + text)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, v := range info.env() {
		want[v.Key] = v.Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseEnv(formatEnv(vars)) =\n%v\nwant\n%v", got, want)
	}
	for _, key := range []string{"FAILOVER_LAB_PRIMARY_DSN", "FAILOVER_LAB_BACKUP_DSN", "FAILOVER_LAB_SHARE", "FAILOVER_LAB_COPY_DIR", "FAILOVER_LAB_DIR",
		"FAILOVER_LAB_READER_PASSWORD", "FAILOVER_LAB_BACKUP_READER_DSN", "FAILOVER_LAB_BACKUP_READER_USER", "FAILOVER_LAB_BACKUP_READER_PASSWORD"} {
		if got[key] == "" {
			t.Errorf("lab.env has no %s", key)
		}
	}
	if _, ok := got["FAILOVER_LAB_PASSWORD"]; ok {
		t.Error("FAILOVER_LAB_PASSWORD is set although the instances' passwords differ")
	}
}

func TestShQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "plain path", in: "/labs/drill/share", want: "/labs/drill/share"},
		{name: "empty", in: "", want: "''"},
		{name: "space", in: "a b", want: "'a b'"},
		{name: "single quote", in: "it's", want: `'it'\''s'`},
		{name: "dollar", in: "$HOME", want: "'$HOME'"},
		{name: "ampersand in a DSN", in: "x?a=1&b=2", want: "'x?a=1&b=2'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shQuote(tt.in); got != tt.want {
				t.Errorf("shQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
			if back, err := shUnquote(shQuote(tt.in)); err != nil || back != tt.in {
				t.Errorf("shUnquote(shQuote(%q)) = %q, %v", tt.in, back, err)
			}
		})
	}
}

func TestParseEnvErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{name: "no equals", in: "FAILOVER_LAB_DIR\n"},
		{name: "no key", in: "=x\n"},
		{name: "open quote", in: "A='x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseEnv(tt.in); err == nil {
				t.Errorf("parseEnv(%q) succeeded", tt.in)
			}
		})
	}
}

func TestFormatEnvPowerShell(t *testing.T) {
	text, err := formatEnv([]envVar{{"A", "it's"}, {"B", `C:\lab`}}, "powershell")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$env:A = 'it''s'\n$env:B = 'C:\\lab'\n"; text != want {
		t.Errorf("formatEnv powershell = %q, want %q", text, want)
	}
	var usage usageError
	if _, err := formatEnv(nil, "fish"); !errors.As(err, &usage) {
		t.Errorf("formatEnv for fish: error %v, want a usage error", err)
	}
}

func TestTargetsYAML(t *testing.T) {
	tests := []struct {
		name        string
		info        labInfo
		wantSecrets map[string]string // secret → env
		wantPass    string            // backup_sql's password
		wantReader  string            // backup_sql_reader's password ("": no such target)
	}{
		{name: "shared password", info: testInfo(),
			wantSecrets: map[string]string{"lab_password": "FAILOVER_LAB_PASSWORD", "lab_reader_password": "FAILOVER_LAB_READER_PASSWORD"},
			wantPass:    "${secrets.lab_password}", wantReader: "${secrets.lab_reader_password}"},
		{name: "one password per instance", info: func() labInfo {
			i := testInfo()
			i.Instances[1].Password, i.Instances[1].ReaderPassword = "other", "other-reader"
			return i
		}(),
			wantSecrets: map[string]string{"lab_primary_password": "FAILOVER_LAB_PRIMARY_PASSWORD", "lab_backup_password": "FAILOVER_LAB_BACKUP_PASSWORD",
				"lab_primary_reader_password": "FAILOVER_LAB_PRIMARY_READER_PASSWORD", "lab_backup_reader_password": "FAILOVER_LAB_BACKUP_READER_PASSWORD",
				"lab_backup_mirror_password": "FAILOVER_LAB_BACKUP_MIRROR_PASSWORD", "lab_backup_mirror_reader_password": "FAILOVER_LAB_BACKUP_MIRROR_READER_PASSWORD"},
			wantPass: "${secrets.lab_backup_password}", wantReader: "${secrets.lab_backup_reader_password}"},
		{name: "no reader login", info: func() labInfo {
			i := testInfo()
			for n := range i.Instances {
				i.Instances[n].ReaderUser, i.Instances[n].ReaderPassword = "", ""
			}
			return i
		}(),
			wantSecrets: map[string]string{"lab_password": "FAILOVER_LAB_PASSWORD"}, wantPass: "${secrets.lab_password}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.info.targetsYAML()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "Passw0rd!") || strings.Contains(string(b), "other") {
				t.Fatalf("targets.yaml holds a password:\n%s", b)
			}
			var doc targetsDoc
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			secrets := map[string]string{}
			for k, v := range doc.Secrets {
				secrets[k] = v.Env
			}
			if !reflect.DeepEqual(secrets, tt.wantSecrets) {
				t.Errorf("secrets = %v, want %v", secrets, tt.wantSecrets)
			}
			bk := doc.Targets["backup_sql"]
			want := sqlTarget{Type: "sqlserver", Server: "127.0.0.1", Port: 51434, User: "failover", Password: tt.wantPass,
				Database: "master", Encrypt: "true", CAFile: "/labs/drill/tls/ca.pem"}
			targets := 3 // one per instance
			if tt.wantReader != "" {
				targets = 6
				want.User, want.Password = "failover_reader", tt.wantReader
				if rd := doc.Targets["backup_sql_reader"]; rd != want {
					t.Errorf("backup_sql_reader = %+v, want %+v", rd, want)
				}
			}
			if bk != (sqlTarget{Type: "sqlserver", Server: "127.0.0.1", Port: 51434, User: "failover", Password: tt.wantPass,
				Database: "master", Encrypt: "true", CAFile: "/labs/drill/tls/ca.pem"}) || len(doc.Targets) != targets || doc.Version != 1 {
				t.Errorf("backup_sql = %+v (of %d targets, want %d)", bk, len(doc.Targets), targets)
			}
		})
	}
}

func TestTargetsYAMLBadAddr(t *testing.T) {
	info := testInfo()
	info.Instances[0].Addr = "127.0.0.1"
	if _, err := info.targetsYAML(); err == nil {
		t.Error("targetsYAML with an address without port succeeded")
	}
}

// TestLabEnvInSh sources lab.env in a real POSIX shell: every value must
// arrive unchanged, however it is quoted.
func TestLabEnvInSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	info := testInfo()
	info.Instances[0].Password = `it's "quoted" $HOME !x \n`
	text, err := formatEnv(info.env(), "sh")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lab.env")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range info.env() {
		out, err := exec.Command(sh, "-c", `set -a; . "$1"; set +a; printenv "$2"`, "sh", path, v.Key).Output()
		if err != nil {
			t.Fatalf("sh for %s: %v", v.Key, err)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != v.Value {
			t.Errorf("%s in sh = %q, want %q", v.Key, got, v.Value)
		}
	}
}

package sqlserver

import (
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/failover-dev/failover/actions/targets"
	"github.com/failover-dev/failover/internal/tds"
)

func TestConnConfig(t *testing.T) {
	ca := writeCA(t)
	tests := []struct {
		name   string
		target targets.SQLServer
		check  func(t *testing.T, c msdsn.Config)
	}{
		{name: "defaults: master, encrypted, certificate validated", target: targets.SQLServer{Server: "dc2-sql01.litwareinc.com", User: "failover", Password: "p"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "host", c.Host, "dc2-sql01.litwareinc.com")
				want(t, "database", c.Database, "master")
				want(t, "app name", c.AppName, "failover/1.2.3")
				want(t, "encryption", c.Encryption, msdsn.EncryptionRequired)
				if c.TLSConfig == nil || c.TLSConfig.InsecureSkipVerify || c.TLSConfig.ServerName != "dc2-sql01.litwareinc.com" {
					t.Errorf("TLS config = %+v, want the certificate validated for the host", c.TLSConfig)
				}
				want(t, "dial timeout", c.DialTimeout, 15*time.Second)
			}},
		{name: "password and user percent-encoded", target: targets.SQLServer{Server: "h", User: `LITWARE\fo@x`, Password: "p@ss:w/o?rd#%&="},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "user", c.User, `LITWARE\fo@x`)
				want(t, "password", c.Password, "p@ss:w/o?rd#%&=")
			}},
		{name: "named instance", target: targets.SQLServer{Server: "dc2-sql01", Instance: "PCHAT"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "instance", c.Instance, "PCHAT")
				want(t, "port", c.Port, uint64(0))
			}},
		{name: "named instance and port", target: targets.SQLServer{Server: "dc2-sql01", Instance: "PCHAT", Port: 1533},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "instance", c.Instance, "PCHAT")
				want(t, "port", c.Port, uint64(1533))
			}},
		{name: "IPv6", target: targets.SQLServer{Server: "fd00::5"},
			check: func(t *testing.T, c msdsn.Config) { want(t, "host", c.Host, "fd00::5") }},
		{name: "IPv6 with port", target: targets.SQLServer{Server: "fd00::5", Port: 1433},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "host", c.Host, "fd00::5")
				want(t, "port", c.Port, uint64(1433))
			}},
		{name: "label and database", target: targets.SQLServer{Server: "h", AppName: "dc2 drill", Database: "mgccomp"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "app name", c.AppName, "failover/1.2.3 dc2 drill")
				want(t, "database", c.Database, "mgccomp")
			}},
		{name: "ca_file", target: targets.SQLServer{Server: "h", CAFile: ca},
			check: func(t *testing.T, c msdsn.Config) {
				if c.TLSConfig == nil || c.TLSConfig.RootCAs == nil || c.TLSConfig.InsecureSkipVerify {
					t.Errorf("TLS config = %+v, want the CA as root", c.TLSConfig)
				}
			}},
		{name: "strict", target: targets.SQLServer{Server: "h", Encrypt: "strict"},
			check: func(t *testing.T, c msdsn.Config) { want(t, "encryption", c.Encryption, msdsn.EncryptionStrict) }},
		{name: "disable", target: targets.SQLServer{Server: "h", Encrypt: "disable"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "encryption", c.Encryption, msdsn.EncryptionDisabled)
				if c.TLSConfig != nil {
					t.Error("TLS config set for encrypt: disable")
				}
			}},
		{name: "trust", target: targets.SQLServer{Server: "h", TrustServerCertificate: true},
			check: func(t *testing.T, c msdsn.Config) {
				if c.TLSConfig == nil || !c.TLSConfig.InsecureSkipVerify {
					t.Errorf("TLS config = %+v, want the certificate trusted", c.TLSConfig)
				}
			}},
		{name: "connect timeout below the dial default", target: targets.SQLServer{Server: "h", ConnectTimeout: 5 * time.Second},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "dial timeout", c.DialTimeout, 5*time.Second)
				want(t, "connection timeout", c.ConnTimeout, time.Duration(0)) // it would cut a long RESTORE
			}},
		{name: "dsn: go-mssqldb's default (trust anything) replaced by ours", target: targets.SQLServer{DSN: "sqlserver://u:pw@h:1433?database=mgc"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "database", c.Database, "mgc")
				want(t, "encryption", c.Encryption, msdsn.EncryptionRequired)
				if c.TLSConfig == nil || c.TLSConfig.InsecureSkipVerify {
					t.Errorf("TLS config = %+v, want the certificate validated", c.TLSConfig)
				}
				want(t, "app name", c.AppName, "failover/1.2.3")
			}},
		{name: "dsn keeps its own encrypt", target: targets.SQLServer{DSN: "sqlserver://h?encrypt=disable&app+name=mine"},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "encryption", c.Encryption, msdsn.EncryptionDisabled)
				want(t, "app name", c.AppName, "failover/1.2.3")
			}},
		{name: "dsn: the target's fields win", target: targets.SQLServer{DSN: "server=h;user id=u;password=p;database=mgc;encrypt=disable", Database: "master", Encrypt: "true", CAFile: ca},
			check: func(t *testing.T, c msdsn.Config) {
				want(t, "database", c.Database, "master")
				want(t, "encryption", c.Encryption, msdsn.EncryptionRequired)
				if c.TLSConfig == nil || c.TLSConfig.RootCAs == nil {
					t.Error("the ca_file was not applied over the dsn")
				}
			}},
		{name: "dsn keeps its dial timeout", target: targets.SQLServer{DSN: "sqlserver://h?dial+timeout=3", ConnectTimeout: 30 * time.Second},
			check: func(t *testing.T, c msdsn.Config) { want(t, "dial timeout", c.DialTimeout, 3*time.Second) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.target.ConnectTimeout == 0 {
				tt.target.ConnectTimeout = 30 * time.Second
			}
			c, err := connConfig(&tt.target, "1.2.3")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestConnConfigErrorsHoldNoSecret(t *testing.T) {
	tests := []struct {
		name   string
		target targets.SQLServer
		err    string
	}{
		{name: "dsn that is no URL", target: targets.SQLServer{DSN: "sqlserver://fo:S3cret-pw@h:99999x"}, err: "parse dsn: "},
		{name: "dsn with a bad encrypt", target: targets.SQLServer{DSN: "sqlserver://fo:S3cret-pw@h?encrypt=maybe"}, err: "parse dsn: invalid encrypt 'maybe'"},
		{name: "missing ca_file", target: targets.SQLServer{Server: "h", User: "fo", Password: "S3cret-pw", CAFile: "/nonexistent/ca.pem"}, err: `set up TLS: cannot read certificate "/nonexistent/ca.pem"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connConfig(&tt.target, "1")
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q…", err, tt.err)
			}
			if strings.Contains(err.Error(), "S3cret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestAppName(t *testing.T) {
	for _, tt := range []struct{ version, label, want string }{
		{"1.4.0", "", "failover/1.4.0"}, {"", "", "failover/dev"}, {"1.4.0", "dc2", "failover/1.4.0 dc2"},
	} {
		if got := AppName(tt.version, tt.label); got != tt.want {
			t.Errorf("AppName(%q, %q) = %q, want %q", tt.version, tt.label, got, tt.want)
		}
	}
}

func want[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// writeCA writes a CA certificate file.
func writeCA(t *testing.T) string {
	t.Helper()
	ca, _, _, err := tds.GenerateCertificates(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

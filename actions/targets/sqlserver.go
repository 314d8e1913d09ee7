package targets

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/failover-dev/failover/actions"
)

// SQLServer is the sqlserver target: how to reach one SQL Server
// instance with go-mssqldb. actions/sqlserver turns it into a connection
// pool for the run.
type SQLServer struct {
	Server                 string        `param:"server" doc:"Host name or IP address of the SQL Server machine, without instance or port. Required unless dsn is given."`
	Port                   int           `param:"port" doc:"TCP port. Omitted: 1433 for a default instance; for a named instance the SQL Browser (UDP 1434) is asked."`
	Instance               string        `param:"instance" doc:"Named instance, e.g. PCHAT (the part after the backslash in HOST\\INSTANCE)."`
	User                   string        `param:"user" doc:"SQL login, or DOMAIN\\user for Windows authentication by NTLM. Omitted: integrated authentication (SSPI on Windows, Kerberos or NTLM elsewhere)."`
	Password               string        `param:"password,secret" doc:"Password of user; use ${secrets.NAME}."`
	Database               string        `param:"database" doc:"Database the connection opens in. Omitted: master (or the dsn's database). Restores always run on a connection in master."`
	Encrypt                string        `param:"encrypt,enum=disable|false|true|strict" doc:"TLS: true (the whole connection encrypted), strict (TDS 8, TLS before anything else), false (only the login encrypted) or disable (none). Omitted: true, with the server certificate validated against ca_file or the system's CAs. false and disable are warned about."`
	TrustServerCertificate bool          `param:"trust_server_certificate" doc:"Accept any server certificate (self-signed, wrong name) without validating it. Only for labs and drills: it is warned about."`
	CAFile                 string        `param:"ca_file" doc:"PEM (.pem) or DER (.der) file of the CA (or the certificate) that signs the server certificate."`
	AppName                string        `param:"app_name" doc:"A label added to the application name: sessions show failover/VERSION LABEL in sys.dm_exec_sessions.program_name (failover/VERSION without it). Sessions whose program_name starts with failover/ are never ended by db.kill_sessions."`
	ConnectTimeout         time.Duration `param:"connect_timeout" default:"30s" doc:"How long opening one connection (dial, TLS and login) may take."`
	DSN                    string        `param:"dsn,secret" doc:"A complete go-mssqldb connection string (sqlserver://user:pass@host/instance?…, or the ADO or odbc: forms), instead of server, port, instance, user and password. May hold a secret: ${secrets.NAME}. database, encrypt, trust_server_certificate and ca_file, when given, replace the dsn's own; without encrypt the dsn's is kept, and a dsn without one gets encrypt true with the certificate validated."`
}

// maxAppLabel bounds app_name: program_name is nvarchar(128) and holds
// failover/VERSION before the label.
const maxAppLabel = 64

func sqlServerType() *actions.TargetType {
	return actions.DefineTarget[SQLServer](actions.TargetType{
		Name: "sqlserver",
		Doc: "A SQL Server instance, reached with go-mssqldb: one connection pool per target per run, " +
			"whose sessions are named failover/VERSION. Give server (with instance or port) " +
			"and, for SQL authentication, user and password; or give a whole dsn instead. " +
			"database, encrypt, trust_server_certificate, ca_file, app_name and connect_timeout apply in both cases. " +
			"Connections are encrypted and the certificate validated unless the target says otherwise. " +
			"See docs/sqlserver.md.",
	}, sqlServerRules{})
}

// sqlServerRules are the sqlserver target's Validator and Warner.
type sqlServerRules struct{}

// Validate applies the cross-field rules.
func (sqlServerRules) Validate(t *SQLServer) error { return validateSQLServer(t) }

// Warnings names the settings that weaken the connection's security.
func (sqlServerRules) Warnings(t *SQLServer) []string { return sqlServerWarnings(t) }

// validateSQLServer applies the cross-field rules of a sqlserver target.
func validateSQLServer(t *SQLServer) error {
	if err := validateCommon(t); err != nil {
		return err
	}
	if t.DSN != "" {
		return dsnExcludes(t)
	}
	switch {
	case t.Server == "":
		return errors.New("server is required unless dsn is given")
	case strings.Contains(t.Server, `\`):
		host, inst, _ := strings.Cut(t.Server, `\`)
		return fmt.Errorf("server %q holds an instance: write server: %s and instance: %s", t.Server, host, inst)
	case strings.Contains(t.Server, ","):
		host, port, _ := strings.Cut(t.Server, ",")
		return fmt.Errorf("server %q holds a port: write server: %s and port: %s", t.Server, host, port)
	case strings.ContainsAny(t.Server, " /?#@"):
		return fmt.Errorf("server %q is not a host name or IP address", t.Server)
	case t.Port < 0 || t.Port > 65535:
		return fmt.Errorf("port must be from 1 to 65535, got %d", t.Port)
	case strings.ContainsAny(t.Instance, `\/ ?#@`):
		return fmt.Errorf("instance %q is not an instance name", t.Instance)
	case t.Password != "" && t.User == "":
		return errors.New("password needs user: without user, integrated authentication is used")
	}
	return nil
}

// validateCommon checks the fields that apply with and without a dsn.
func validateCommon(t *SQLServer) error {
	switch {
	case strings.ContainsRune(t.Database, 0) || utf8.RuneCountInString(t.Database) > 128:
		return fmt.Errorf("database %q is not a database name (at most 128 characters, no NUL)", t.Database)
	case utf8.RuneCountInString(t.AppName) > maxAppLabel:
		return fmt.Errorf("app_name must be at most %d characters, got %d", maxAppLabel, utf8.RuneCountInString(t.AppName))
	case strings.IndexFunc(t.AppName, unicode.IsControl) >= 0:
		return fmt.Errorf("app_name %q holds a control character", t.AppName)
	case t.ConnectTimeout < 0:
		return fmt.Errorf("connect_timeout must not be negative, got %s", t.ConnectTimeout)
	}
	return validateTLS(t)
}

// dsnExcludes rejects the fields a dsn already carries.
func dsnExcludes(t *SQLServer) error {
	var both []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"server", t.Server != ""}, {"port", t.Port != 0}, {"instance", t.Instance != ""},
		{"user", t.User != ""}, {"password", t.Password != ""},
	} {
		if f.set {
			both = append(both, f.name)
		}
	}
	if len(both) > 0 {
		return fmt.Errorf("dsn excludes %s: give either a dsn or the connection fields", strings.Join(both, ", "))
	}
	return nil
}

func validateTLS(t *SQLServer) error {
	switch {
	case t.CAFile != "" && t.TrustServerCertificate:
		return errors.New("ca_file and trust_server_certificate exclude each other: trusting any certificate ignores the CA")
	case t.Encrypt == "disable" && (t.CAFile != "" || t.TrustServerCertificate):
		return errors.New("encrypt: disable turns TLS off, so ca_file and trust_server_certificate have no effect")
	case t.Encrypt == "strict" && t.TrustServerCertificate:
		return errors.New("encrypt: strict always validates the certificate: drop trust_server_certificate")
	}
	return nil
}

// sqlServerWarnings says what weakens the connection: traffic in clear
// text, or a certificate nobody checks.
func sqlServerWarnings(t *SQLServer) []string {
	var w []string
	switch t.Encrypt {
	case "disable":
		w = append(w, "encrypt: disable sends everything in clear text, the password of a SQL login included; omit encrypt (encrypted, certificate validated) outside a lab")
	case "false":
		w = append(w, "encrypt: false encrypts only the login: queries and results travel in clear text; omit encrypt (encrypted, certificate validated) outside a lab")
	}
	if t.TrustServerCertificate {
		w = append(w, "trust_server_certificate: true accepts any certificate, so a machine in the middle is not noticed; give ca_file instead outside a lab")
	}
	return w
}

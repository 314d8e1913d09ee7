package targets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// SQLServer is the sqlserver target: how to reach one SQL Server
// instance with go-mssqldb.
type SQLServer struct {
	Server                 string `param:"server" doc:"Host name or IP address of the SQL Server machine, without instance or port. Required unless dsn is given."`
	Port                   int    `param:"port" doc:"TCP port. Omitted: 1433 for a default instance; for a named instance the SQL Browser (UDP 1434) is asked."`
	Instance               string `param:"instance" doc:"Named instance, e.g. PCHAT (the part after the backslash in HOST\\INSTANCE)."`
	User                   string `param:"user" doc:"SQL login, or DOMAIN\\user for Windows authentication by NTLM. Omitted: integrated authentication (SSPI on Windows, Kerberos or NTLM elsewhere)."`
	Password               string `param:"password,secret" doc:"Password of user; use ${secrets.NAME}."`
	Database               string `param:"database" default:"master" doc:"Database the connection opens in."`
	Encrypt                string `param:"encrypt,enum=disable|false|true|strict" doc:"TLS: disable (none), false (login only), true (whole connection), strict (TDS 8, certificate always validated). Omitted: the driver's default, false, with the server certificate trusted."`
	TrustServerCertificate bool   `param:"trust_server_certificate" doc:"Accept any server certificate (self-signed, wrong name). Only for labs and drills."`
	CAFile                 string `param:"ca_file" doc:"PEM file of the CA (or the certificate) that signs the server certificate."`
	AppName                string `param:"app_name" default:"failover" doc:"Application name the sessions show in sys.dm_exec_sessions.program_name."`
	DSN                    string `param:"dsn,secret" doc:"A complete go-mssqldb connection string (sqlserver://user:pass@host/instance?database=…), instead of server, port, instance, user and password. May hold a secret: ${secrets.NAME}."`
}

func sqlServerType() *actions.TargetType {
	return actions.DefineTarget[SQLServer](actions.TargetType{
		Name: "sqlserver",
		Doc: "A SQL Server instance, reached with go-mssqldb. Give server (with instance or port) " +
			"and, for SQL authentication, user and password; or give a whole dsn instead. " +
			"database, encrypt, trust_server_certificate, ca_file and app_name apply in both cases.",
	}, rules[SQLServer](validateSQLServer))
}

// validateSQLServer applies the cross-field rules of a sqlserver target.
func validateSQLServer(t *SQLServer) error {
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
	case t.Port < 0 || t.Port > 65535:
		return fmt.Errorf("port must be from 1 to 65535, got %d", t.Port)
	case t.Password != "" && t.User == "":
		return errors.New("password needs user: without user, integrated authentication is used")
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
	return validateTLS(t)
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

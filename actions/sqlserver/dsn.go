package sqlserver

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/failover-dev/failover/actions/targets"
)

// maxDialTimeout bounds the TCP dial of one connection attempt within
// connect_timeout, as go-mssqldb's own default does.
const maxDialTimeout = 15 * time.Second

// encryptions maps a target's encrypt value to go-mssqldb's.
var encryptions = map[string]msdsn.Encryption{
	"disable": msdsn.EncryptionDisabled,
	"false":   msdsn.EncryptionOff,
	"true":    msdsn.EncryptionRequired,
	"strict":  msdsn.EncryptionStrict,
}

// AppName is the application name of failover's sessions: failover/VERSION,
// then the target's label if it has one. db.kill_sessions never ends a
// session whose program_name starts with failover/.
func AppName(version, label string) string {
	if version == "" {
		version = "dev"
	}
	name := "failover/" + version
	if label != "" {
		name += " " + label
	}
	return name
}

// connConfig builds go-mssqldb's configuration from a target's fields
// (or its dsn, with the fields that apply on top). Its errors never hold
// the password or the dsn.
func connConfig(t *targets.SQLServer, version string) (msdsn.Config, error) {
	dsn := t.DSN
	if dsn == "" {
		dsn = fieldsURL(t)
	}
	cfg, err := msdsn.Parse(dsn)
	if err != nil {
		what := "the connection fields"
		if t.DSN != "" {
			what = "dsn"
		}
		return cfg, fmt.Errorf("parse %s: %s", what, scrub(err.Error(), t))
	}
	if t.DSN == "" {
		cfg.Host = t.Server // a bare IPv6 address keeps the URL's brackets otherwise
	}
	if t.Database != "" {
		cfg.Database = t.Database
	} else if cfg.Database == "" {
		cfg.Database = "master"
	}
	cfg.AppName = AppName(version, t.AppName)
	if err := applyTLS(&cfg, t); err != nil {
		return cfg, err
	}
	if _, ok := cfg.Parameters[msdsn.DialTimeout]; !ok && t.ConnectTimeout > 0 {
		cfg.DialTimeout = min(t.ConnectTimeout, maxDialTimeout)
	}
	return cfg, nil
}

// fieldsURL renders the connection fields as a go-mssqldb URL: the user
// and password percent-encoded (DOMAIN\user too), a named instance as
// the path. It holds the password: it never leaves this package.
func fieldsURL(t *targets.SQLServer) string {
	host := t.Server
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6
	}
	if t.Port != 0 {
		host = net.JoinHostPort(t.Server, strconv.Itoa(t.Port))
	}
	u := url.URL{Scheme: "sqlserver", Host: host}
	if t.Instance != "" {
		u.Path = "/" + t.Instance
	}
	if t.User != "" {
		u.User = url.UserPassword(t.User, t.Password)
	}
	return u.String()
}

// applyTLS decides encryption: the target's encrypt, trust_server_certificate
// and ca_file when it gives any of them (or when a dsn says nothing of
// encrypt), else the dsn's own settings. Omitted, encrypt is true with
// the certificate validated, which go-mssqldb's default (a certificate
// trusted blindly) is not.
func applyTLS(cfg *msdsn.Config, t *targets.SQLServer) error {
	_, dsnSaysEncrypt := cfg.Parameters[msdsn.Encrypt]
	if t.DSN != "" && dsnSaysEncrypt && t.Encrypt == "" && !t.TrustServerCertificate && t.CAFile == "" {
		return nil
	}
	mode := t.Encrypt
	if mode == "" {
		mode = "true"
	}
	cfg.Encryption = encryptions[mode]
	cfg.TrustServerCertificate = t.TrustServerCertificate && mode != "strict"
	if cfg.Encryption == msdsn.EncryptionDisabled {
		cfg.TLSConfig = nil
		return nil
	}
	host := cfg.Host
	if h := cfg.Parameters[msdsn.HostNameInCertificate]; h != "" {
		host = h
	}
	tc, err := msdsn.SetupTLS(t.CAFile, "", cfg.TrustServerCertificate, host, cfg.Parameters[msdsn.TLSMin])
	if err != nil {
		return fmt.Errorf("set up TLS: %w", err)
	}
	cfg.TLSConfig = tc
	return nil
}

// tlsMode describes a configuration's encryption for logs, and says
// whether it is weak: off, login only, or a certificate not validated.
func tlsMode(cfg msdsn.Config) (string, bool) {
	switch cfg.Encryption {
	case msdsn.EncryptionDisabled:
		return "not encrypted", true
	case msdsn.EncryptionOff:
		return "only the login encrypted", true
	}
	mode := "encrypted"
	if cfg.Encryption == msdsn.EncryptionStrict {
		mode = "encrypted (strict)"
	}
	if cfg.TLSConfig != nil && cfg.TLSConfig.InsecureSkipVerify {
		return mode + ", certificate NOT validated", true
	}
	return mode + ", certificate validated", false
}

// scrub removes the password and the dsn from a text that may echo them
// (url.Parse's errors quote the whole URL).
func scrub(s string, t *targets.SQLServer) string {
	secrets := []string{t.DSN, t.Password, url.QueryEscape(t.Password), url.PathEscape(t.Password)}
	if u, err := url.Parse(t.DSN); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			secrets = append(secrets, pw)
		}
	}
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	return s
}

package etcdstore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// The variables the connection's secrets and settings come from: never
// the command line, which shows in the process list and the shell's
// history.
const (
	EnvCA           = "FAILOVER_ETCD_CA"            // file: the CA bundle that signed the members' certificates
	EnvCert         = "FAILOVER_ETCD_CERT"          // file: this client's certificate (with EnvKey)
	EnvKey          = "FAILOVER_ETCD_KEY"           // file: this client's private key
	EnvUser         = "FAILOVER_ETCD_USER"          // etcd user (etcd authentication)
	EnvPassword     = "FAILOVER_ETCD_PASSWORD"      // that user's password
	EnvPasswordFile = "FAILOVER_ETCD_PASSWORD_FILE" // or a file holding it
	EnvTimeout      = "FAILOVER_ETCD_TIMEOUT"       // bound on each request (Go duration, default 5s)
)

// DefaultPrefix is where state lives when the URL names no prefix.
const DefaultPrefix = "/failover"

// DefaultTimeout bounds each request to the cluster: an election takes
// about a second, a cluster that lost its quorum never answers.
const DefaultTimeout = 5 * time.Second

// Config says how to reach the cluster and where under it state lives.
type Config struct {
	// Endpoints are the members' client addresses, host:port.
	Endpoints []string
	// Prefix is the key prefix of every key, e.g. "/failover".
	Prefix string
	// TLS, when set, encrypts the connection and may carry a client
	// certificate.
	TLS *tls.Config
	// Username and Password authenticate as an etcd user.
	Username, Password string
	// Timeout bounds each request (DefaultTimeout when zero).
	Timeout time.Duration
}

var prefixPattern = regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+$`)

// ParseURL reads a --state URL: etcd://host:port[,host:port…][/prefix].
// A port left out is 2379. A URL holding a password is refused: the
// password goes in FAILOVER_ETCD_PASSWORD or FAILOVER_ETCD_PASSWORD_FILE.
// Errors never repeat the URL's user part.
func ParseURL(s string) (Config, error) {
	rest, ok := strings.CutPrefix(s, "etcd://")
	if !ok {
		return Config{}, errors.New("--state wants etcd://host:port[,host:port…]/prefix (a local directory is --state-dir)")
	}
	var cfg Config
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user := rest[:at]
		rest = rest[at+1:]
		if strings.Contains(user, ":") {
			return Config{}, fmt.Errorf("the --state URL etcd://…@%s holds a password: refused, nothing connected; "+
				"put the password in %s or a file named by %s (a command line shows in the process list and the shell's history)",
				rest, EnvPassword, EnvPasswordFile)
		}
		cfg.Username = user
	}
	hosts, prefix, _ := strings.Cut(rest, "/")
	cfg.Prefix = DefaultPrefix
	if prefix = strings.TrimRight(prefix, "/"); prefix != "" {
		cfg.Prefix = "/" + prefix
	}
	if !prefixPattern.MatchString(cfg.Prefix) {
		return Config{}, fmt.Errorf("--state prefix %q: want /name[/name…] of letters, digits, '.', '_' and '-'", cfg.Prefix)
	}
	for _, h := range strings.Split(hosts, ",") {
		ep, err := endpoint(h)
		if err != nil {
			return Config{}, err
		}
		cfg.Endpoints = append(cfg.Endpoints, ep)
	}
	return cfg, nil
}

// endpoint checks one host[:port] of the URL.
func endpoint(h string) (string, error) {
	if h == "" {
		return "", errors.New("--state URL names no host: want etcd://host:port[,host:port…]/prefix")
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		host, port = h, "2379"
	}
	if host == "" || strings.ContainsAny(host, " /?#") {
		return "", fmt.Errorf("--state URL: %q is not a host", h)
	}
	return net.JoinHostPort(host, port), nil
}

// FromEnv completes cfg from the environment: TLS files, the user and
// password, the request timeout. getenv reads a variable, readFile a
// file (a secret file is read whole, at most 1 MiB).
func (cfg *Config) FromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) error {
	if err := cfg.tlsFromEnv(getenv, readFile); err != nil {
		return err
	}
	if u := getenv(EnvUser); u != "" {
		if cfg.Username != "" && cfg.Username != u {
			return fmt.Errorf("the --state URL names user %q and %s user %q: name one", cfg.Username, EnvUser, u)
		}
		cfg.Username = u
	}
	pw, pwFile := getenv(EnvPassword), getenv(EnvPasswordFile)
	switch {
	case pw != "" && pwFile != "":
		return fmt.Errorf("both %s and %s are set: set one", EnvPassword, EnvPasswordFile)
	case pwFile != "":
		b, err := readFile(pwFile)
		if err != nil {
			return fmt.Errorf("read %s: %w", EnvPasswordFile, err)
		}
		pw = strings.TrimRight(string(b), "\r\n")
	}
	if pw != "" && cfg.Username == "" {
		return fmt.Errorf("an etcd password is set, but no user: set %s", EnvUser)
	}
	cfg.Password = pw
	if t := getenv(EnvTimeout); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s=%q: want a positive duration such as 5s", EnvTimeout, t)
		}
		cfg.Timeout = d
	}
	return nil
}

// tlsFromEnv sets cfg.TLS when any TLS file is named.
func (cfg *Config) tlsFromEnv(getenv func(string) string, readFile func(string) ([]byte, error)) error {
	ca, cert, key := getenv(EnvCA), getenv(EnvCert), getenv(EnvKey)
	if ca == "" && cert == "" && key == "" {
		return nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := readFile(ca)
		if err != nil {
			return fmt.Errorf("read %s: %w", EnvCA, err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s %s holds no PEM certificate", EnvCA, ca)
		}
	}
	if (cert == "") != (key == "") {
		return fmt.Errorf("%s and %s go together: set both or neither", EnvCert, EnvKey)
	}
	if cert != "" {
		certPEM, err := readFile(cert)
		if err != nil {
			return fmt.Errorf("read %s: %w", EnvCert, err)
		}
		keyPEM, err := readFile(key)
		if err != nil {
			return fmt.Errorf("read %s: %w", EnvKey, err)
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return fmt.Errorf("load the client certificate %s with key %s: %w", cert, key, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	cfg.TLS = tc
	return nil
}

// String is the URL without its user: etcd://h1:2379,h2:2379/prefix.
func (cfg Config) String() string {
	return "etcd://" + strings.Join(cfg.Endpoints, ",") + cfg.Prefix
}

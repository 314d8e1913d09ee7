package lab

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// ClientDSN is a go-mssqldb URL for the lab's own tools that talk to
// its instances as a client does (the Management Shell stand-in's
// cmdlets): the instance's first sysadmin login, master, encryption
// with the certificate checked against the lab's CA, the loopback port
// the instance got at its first start, and app as the application name.
// It reads the config and the state file and changes nothing; an
// instance that never ran has no port yet.
func ClientDSN(dir, instance, app string) (string, error) {
	cfg, err := LoadConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return "", err
	}
	for _, ic := range cfg.Instances {
		if !strings.EqualFold(ic.Name, instance) {
			continue
		}
		lg, _ := FirstLogin(ic.Logins, RoleSysadmin) // Validate made sure there is one
		st, err := loadState(statePath(dir, ic.Name))
		if err != nil {
			return "", fmt.Errorf("read instance %s: %w", ic.Name, err)
		}
		if st.Port == 0 {
			return "", fmt.Errorf("instance %s has never run: no port yet (failover-lab up --dir %s)", ic.Name, dir)
		}
		u := DSN(net.JoinHostPort("127.0.0.1", strconv.Itoa(st.Port)), lg.User, lg.Password,
			filepath.Join(resolve(dir, "."), TLSDir, tds.CAFileName), app)
		q := u.Query()
		q.Set("dial timeout", "10")
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return "", fmt.Errorf("the lab in %s has no instance %s", dir, instance)
}

// DSN is a go-mssqldb URL for a lab instance at addr that works as it
// is: SQL login, master, encryption required and the server certificate
// checked against the lab's CA (msdsn's "certificate" parameter), no
// trust_server_certificate, app as the application name.
func DSN(addr, user, password, ca, app string) *url.URL {
	q := url.Values{}
	q.Set("database", "master")
	q.Set("encrypt", "true")
	q.Set("certificate", ca)
	q.Set("app name", app)
	return &url.URL{Scheme: "sqlserver", User: url.UserPassword(user, password), Host: addr, RawQuery: q.Encode()}
}

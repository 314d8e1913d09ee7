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
		q := url.Values{}
		q.Set("database", "master")
		q.Set("encrypt", "true")
		q.Set("certificate", filepath.Join(resolve(dir, "."), TLSDir, tds.CAFileName))
		q.Set("app name", app)
		q.Set("dial timeout", "10")
		u := url.URL{Scheme: "sqlserver", User: url.UserPassword(lg.User, lg.Password),
			Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(st.Port)), RawQuery: q.Encode()}
		return u.String(), nil
	}
	return "", fmt.Errorf("the lab in %s has no instance %s", dir, instance)
}

package lab

import (
	"errors"
	"fmt"
	"strings"
)

// checkUserSessions checks that the simulated sessions' databases exist
// on the secondary, where they are made.
func (c Config) checkUserSessions() []error {
	us := c.Scenario.UserSessions
	if us.Count < 0 || us.LockHolders < 0 {
		return []error{errors.New("scenario.user_sessions: count and lock_holders must be >= 0")}
	}
	if us.Count+us.LockHolders == 0 {
		return nil
	}
	var sec *InstanceConfig
	for i := range c.Instances {
		if strings.EqualFold(c.Instances[i].Name, c.LogShipping.Secondary) {
			sec = &c.Instances[i]
		}
	}
	if sec == nil {
		return nil // reported as a log_shipping error
	}
	known := func(db string) bool {
		if db == "" || strings.EqualFold(db, c.LogShipping.Database) || systemDatabase(db) {
			return true
		}
		for _, d := range sec.Databases {
			if strings.EqualFold(d.Name, db) {
				return true
			}
		}
		return false
	}
	var errs []error
	for key, db := range map[string]string{"database": us.Database, "from": us.From} {
		if !known(db) {
			errs = append(errs, fmt.Errorf("scenario.user_sessions.%s: no database %q on %s", key, db, sec.Name))
		}
	}
	return errs
}

// systemDatabase reports whether name is one of the system databases
// every instance has.
func systemDatabase(name string) bool {
	for _, n := range systemDatabases {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// checkLogins checks an instance's logins: a user and a known role each,
// no user twice (logins are case-insensitive, as SQL logins are).
func checkLogins(in InstanceConfig) []error {
	var errs []error
	seen := map[string]bool{}
	for _, lg := range in.Logins {
		key := strings.ToLower(lg.User)
		switch {
		case lg.User == "":
			errs = append(errs, fmt.Errorf("instance %q has a login without user", in.Name))
		case seen[key]:
			errs = append(errs, fmt.Errorf("instance %q has login %q twice", in.Name, lg.User))
		}
		seen[key] = true
		if r := strings.ToLower(lg.Role); r != "" && r != RoleSysadmin && r != RoleReader {
			errs = append(errs, fmt.Errorf("login %q on %s: unknown role %q (%s or %s)", lg.User, in.Name, lg.Role, RoleSysadmin, RoleReader))
		}
	}
	return errs
}

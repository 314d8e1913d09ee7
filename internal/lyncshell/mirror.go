package lyncshell

import (
	"context"
	"fmt"
	"html"
	"os"
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/lab"
)

// mirrorPort is the database mirroring endpoint's port in the addresses
// the cmdlet gives SET PARTNER (SQL Server's default; the lab has no
// endpoints and does not check it).
const mirrorPort = 5022

// installMirror is Install-CsMirrorDatabase -DatabaseType T
// -SqlServerFqdn F [-SqlInstanceName I] -FileShare S: it sets up a
// database mirroring session in the lab's SQL Server between the store
// at F (the principal) and the store's mirror in the topology, as SQL
// Server's documentation does: a full and a log backup of the
// principal's database into one file on the share, both restored WITH
// NORECOVERY on the mirror, then SET PARTNER on the mirror and on the
// principal. The lab applies SQL Server's rules to each statement. A
// session that already exists makes the call a no-op that says so
// (domain.md edge case 30); a database on the mirror is an error unless
// -DropExistingDatabasesOnMirror, which overwrites it.
func installMirror(sh *shell, b bound, _ []any) ([]any, error) {
	const cmd = "Install-CsMirrorDatabase"
	db, st, err := sh.mirrorTarget(cmd, b)
	if err != nil || st == nil {
		return nil, err
	}
	if err := sh.databaseOnline(cmd, st, db); err != nil {
		return nil, err
	}
	mirror, err := sh.mirrorInstance(cmd, st)
	if err != nil {
		return nil, err
	}
	drop, _ := b["DropExistingDatabasesOnMirror"].(bool)
	ctx, cancel := context.WithTimeout(context.Background(), sqlTimeout)
	defer cancel()
	var sent []string
	setup := mirrorSetup{cmd: cmd, db: db, store: st, share: b.text("FileShare"), drop: drop}
	if setup.principal, err = sh.connect(ctx, cmd, st.LabInstance, storeName(st.Fqdn, st.Instance), &sent); err != nil {
		return nil, err
	}
	defer setup.principal.close()
	if setup.mirror, err = sh.connect(ctx, cmd, mirror.Name, st.MirrorFqdn, &sent); err != nil {
		return nil, err
	}
	defer setup.mirror.close()
	note, err := setup.run(ctx, mirror.ServerName)
	if err != nil {
		return nil, err
	}
	if note != "" {
		sh.warn("%s", note)
	}
	return nil, writeReport(cmd, b.text("Report"), setup, note, sent)
}

// mirrorTarget checks the parameters and finds the database and the
// store; a nil store without error means -ExcludeDatabaseList leaves
// nothing to do.
func (sh *shell) mirrorTarget(cmd string, b bound) (string, *Store, error) {
	for _, p := range []string{"ConfiguredDatabases", "DatabasePathMap", "ForInstance", "ForDefaultInstance"} {
		if b.has(p) {
			return "", nil, unsupported(cmd, "-%s (the lab simulates -DatabaseType PersistentChat and PersistentChatCompliance)", p)
		}
	}
	dbType := b.text("DatabaseType")
	db, ok := databases[dbType]
	if !ok {
		return "", nil, unsupported(cmd, "-DatabaseType %q (the lab simulates PersistentChat and PersistentChatCompliance)", dbType)
	}
	fqdn, inst := b.text("SqlServerFqdn"), b.text("SqlInstanceName")
	st := sh.store(fqdn, inst)
	switch {
	case st == nil:
		return "", nil, cmdletError(cmd, "SqlStoreNotFound", "ObjectNotFound", fqdn, "System.Management.Automation.ItemNotFoundException",
			"The SQL Server store %s is not defined in the topology. (lab: the stores are %s and %s)", storeName(fqdn, inst), sh.st.Primary.Fqdn, sh.st.Backup.Fqdn)
	case excluded(b, db):
		return "", nil, nil
	case b.text("FileShare") == "":
		return "", nil, bindError(cmd, "ParameterArgumentValidationErrorEmptyStringNotAllowed", "InvalidData",
			"Cannot bind argument to parameter 'FileShare' because it is an empty string.")
	}
	return db, st, nil
}

// mirrorInstance is the lab instance playing the store's mirror in the
// topology; an error record when the lab has none or it is down.
func (sh *shell) mirrorInstance(cmd string, st *Store) (lab.InstanceView, error) {
	insts, err := lab.ReadInstances(sh.labDir)
	if err != nil {
		return lab.InstanceView{}, cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", st.MirrorFqdn, "System.Data.SqlClient.SqlException",
			"Cannot connect to SQL Server %s: %v", st.MirrorFqdn, err)
	}
	for _, in := range insts {
		if !strings.EqualFold(hostFqdn(in.ServerName), st.MirrorFqdn) {
			continue
		}
		if in.Down {
			return in, cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", st.MirrorFqdn, "System.Data.SqlClient.SqlException",
				"Cannot connect to SQL Server %s: the instance does not respond (the lab's down fault on %s)", st.MirrorFqdn, in.Name)
		}
		return in, nil
	}
	return lab.InstanceView{}, cmdletError(cmd, "MirrorNotDefined", "ObjectNotFound", st.MirrorFqdn, "System.InvalidOperationException",
		"The mirror %s of SQL Server store %s is not a SQL instance of the lab. (lab: give an instance of the lab's config mirror_of: %s; failover-lab up --reset makes the default lab, whose BACKUP_MIRROR mirrors BACKUP)",
		st.MirrorFqdn, storeName(st.Fqdn, st.Instance), st.LabInstance)
}

// store finds the SQL store at fqdn (and instance).
func (sh *shell) store(fqdn, instance string) *Store {
	for _, s := range []*Store{&sh.st.Primary, &sh.st.Backup} {
		if strings.EqualFold(s.Fqdn, fqdn) && strings.EqualFold(s.Instance, instance) {
			return s
		}
	}
	return nil
}

func excluded(b bound, db string) bool {
	l, _ := b["ExcludeDatabaseList"].([]any)
	for _, e := range l {
		if strings.EqualFold(toText(e), db) {
			return true
		}
	}
	return false
}

func storeName(fqdn, inst string) string {
	if inst == "" {
		return fqdn
	}
	return fqdn + `\` + inst
}

// databaseOnline checks, in the lab's SQL state, that db is ONLINE on
// the lab instance playing st, before anything is sent.
func (sh *shell) databaseOnline(cmd string, st *Store, db string) error {
	state, err := sh.sqlState(st.LabInstance, db)
	if err != nil {
		return cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", st.Fqdn, "System.Data.SqlClient.SqlException",
			"Cannot connect to SQL Server %s: %v", storeName(st.Fqdn, st.Instance), err)
	}
	if state != "ONLINE" {
		return cmdletError(cmd, "DatabaseNotOnline", "InvalidOperation", db, "System.InvalidOperationException",
			"Database %s on %s is %s: a mirror can be set up only for an ONLINE database. (lab: SQL instance %s)", db, storeName(st.Fqdn, st.Instance), state, st.LabInstance)
	}
	return nil
}

// writeReport writes -Report's HTML file: what was done or found, and
// the statements sent (nothing when -Report was not given).
func writeReport(cmd, path string, s mirrorSetup, note string, sent []string) error {
	if path == "" {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<html><body><h1>Install-CsMirrorDatabase (failover lab)</h1>\n<p>%s</p>\n<ol>\n",
		html.EscapeString(s.summary(note)))
	for _, q := range sent {
		fmt.Fprintf(&b, "<li><code>%s</code></li>\n", html.EscapeString(q))
	}
	fmt.Fprintf(&b, "</ol><p>%s</p></body></html>\n", time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return cmdletError(cmd, "ReportNotWritten", "WriteError", path, "System.IO.IOException", "Cannot write the report %s: %v", path, err)
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// checkLabPlan is the SQL part of the Persistent Chat failover against
// the lab's BACKUP instance: the preflight checks, then logship.remove,
// logship.apply, db.kill_sessions and db.recover.
const checkLabPlan = `version: 1
name: check-lab
secrets:
  pw: { env: CHECK_LAB_PW }
targets:
  backup_sql:
    type: sqlserver
    server: 127.0.0.1
    port: %s
    user: %s
    password: ${secrets.pw}
    ca_file: '%s'
preflight:
  - check: db.state
    target: backup_sql
    with: { database: mgc, state: [RESTORING, STANDBY] }
  - check: sql.check
    target: backup_sql
    with:
      query: SELECT secondary_database FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = @db
      params: { db: mgc }
      expect: { count: 1 }
steps:
  - id: remove-log-shipping
    action: logship.remove
    target: backup_sql
    with: { database: mgc }
  - id: apply-logs
    action: logship.apply
    needs: [remove-log-shipping]
    target: backup_sql
    with: { database: mgc, dir: '%s', local_dir: '%s' }
  - id: end-sessions
    action: db.kill_sessions
    needs: [apply-logs]
    target: backup_sql
    with: { database: mgc }
  - id: recover-database
    action: db.recover
    needs: [end-sessions]
    target: backup_sql
    with: { database: mgc }
`

// What plan --check says of the steps whatever the login.
var checkLabCommon = []string{
	`(?m)^  ok   db\.state @ backup_sql: mgc is RESTORING \(redo from LSN \d+\)$`,
	`(?m)^  ok   sql\.check @ backup_sql: got "mgc", as expected \(count = 1\)$`,
	// logship.remove: the log shipping msdb holds, which the removal would delete.
	`(?m)^       WOULD CHANGE: would remove log shipping of mgc from DC1-SQL01\.mgc \(jobs LSCopy_DC1-SQL01_mgc, LSRestore_DC1-SQL01_mgc\)$`,
	`(?m)^         backup share: \\\\DC1-FS01\\LSBackup$`,
	`(?m)^         copy folder: D:\\LSCopy\\mgc$`,
	`(?m)^         last restored: D:\\LSCopy\\mgc\\mgc_\d{14}\.trn at `,
	// db.kill_sessions: the two lock holders.
	`(?m)^       WOULD CHANGE: would end 2 session\(s\) using mgc$`,
	`(?m)^         session \d+ LITWARE\\DC2-PC01\$ on DC2-PC01 \(Microsoft Lync Server Persistent Chat\), holding a lock from another database$`,
	// db.recover: RESTORING, so it would recover.
	`(?m)^       WOULD CHANGE: would end 2 session\(s\), then restore mgc WITH RECOVERY\n         mgc is RESTORING \(redo from LSN \d+\)$`,
}

// TestPlanCheckOfALabPlan: failover plan --check of the whole SQL plan
// says what each step would do, from the lab's live state, and changes
// nothing there. As the lab's read-only login every step is described
// but logship.apply: its file headers need RESTORE HEADERONLY, which SQL
// Server allows only with CREATE DATABASE, so that step says what it
// could read (the state, the redo LSN, the candidate files) and that it
// cannot tell which files a run would apply, and why; as the sysadmin
// login it lists the files it would apply.
func TestPlanCheckOfALabPlan(t *testing.T) {
	cfg := lab.DefaultConfig()
	cfg.Scenario.UserSessions = lab.UserSessions{LockHolders: 2}
	l := sqltest.Start(t, cfg)
	tg := l.Target("BACKUP")
	dir := t.TempDir()
	t.Setenv("FAILOVER_STATE_DIR", filepath.Join(dir, "state"))
	before := readLabState(t, l)
	if want := (labState{state: "RESTORING", redo: before.redo, logShipping: 1, jobs: 2, sessions: 2}); before != want || before.redo == "" {
		t.Fatalf("the lab before: %+v, want %+v with a redo LSN", before, want)
	}
	mark := l.Mark(t)

	logins := []struct {
		name, user, password string
		code                 int
		want                 []string
	}{
		{"read-only login", lab.DefaultReader, lab.DefaultReaderPassword, exitOK, []string{
			`(?m)^       UNKNOWN: RESTORING at redo LSN \d+, 8 candidate file\(s\) in D:\\LSCopy\\mgc; which of them a run would apply cannot be told: ` +
				`this login may not read backup headers \(RESTORE HEADERONLY needs CREATE DATABASE: .*CREATE DATABASE permission denied in database 'master'\. \(262\)`,
		}},
		{"sysadmin login", lab.DefaultUser, lab.DefaultPassword, exitOK, []string{
			`(?m)^       WOULD CHANGE: would apply 2 log backup set\(s\) to mgc, from LSN \d+ to \d+; data-loss window `,
			`(?m)^         apply 1: mgc_\d{14}\.trn \(LSN \d+–\d+, finished `,
			`(?m)^         apply 2: mgc_\d{14}\.trn \(LSN \d+–\d+, finished `,
			`(?m)^         skip mgc_\d{14}\.trn: already applied `,
		}},
	}
	for _, lg := range logins {
		t.Run(lg.name, func(t *testing.T) {
			t.Setenv("CHECK_LAB_PW", lg.password)
			plan := filepath.Join(dir, "plan.yaml")
			text := fmt.Sprintf(checkLabPlan, fmt.Sprint(tg.Port), lg.user, tg.CAFile, l.CopyDir(), l.CopyFolder())
			if err := os.WriteFile(plan, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := cli(t, "plan", plan, "--check")
			if code != lg.code {
				t.Errorf("plan --check as %s: exit %d, want %d\n%s\n%s", lg.user, code, lg.code, out, stderr)
			}
			for _, want := range append(append([]string(nil), checkLabCommon...), lg.want...) {
				if !regexp.MustCompile(want).MatchString(out) {
					t.Errorf("plan --check as %s does not say %s:\n%s", lg.user, want, out)
				}
			}
			if strings.Contains(out+stderr, lg.password) {
				t.Errorf("plan --check printed the password of %s", lg.user)
			}
		})
	}

	if after := readLabState(t, l); after != before {
		t.Errorf("the lab changed under plan --check:\nbefore %+v\nafter  %+v", before, after)
	}
	sent := 0
	for _, s := range l.Since(t, mark) {
		switch s.Kind {
		case "batch", "dynamic", "rpc", "skipped":
			sent++
			if s.Effect != "read" {
				t.Errorf("plan --check sent a %s as %s: %s", s.Effect, s.Login, s.Text)
			}
		}
	}
	if sent == 0 {
		t.Error("the lab logged no statement: plan --check read nothing")
	}
}

// labState is what a failover would change on the lab's BACKUP instance.
type labState struct {
	state, redo       string
	logShipping, jobs int
	sessions          int
}

// readLabState reads it as the lab's sysadmin.
func readLabState(t *testing.T, l *sqltest.Lab) labState {
	t.Helper()
	ctx := context.Background()
	db := l.DB(t, "BACKUP")
	st, err := sqlserver.ReadDatabaseState(ctx, db, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sessions, err := sqlserver.ListSessions(ctx, conn, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	return labState{state: st.Effective(), redo: st.RedoStartLSN, sessions: len(sessions),
		logShipping: countRows(t, db, "SELECT secondary_database FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = N'mgc'"),
		jobs:        countRows(t, db, "SELECT name FROM msdb.dbo.sysjobs WHERE name LIKE N'LS%'")}
}

// countRows counts the rows of a query.
func countRows(t *testing.T, db sqlserver.Querier, query string) int {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// reportLabPlan applies the log backups of the lab's copy folder to its
// backup instance: one logship.apply step.
const reportLabPlan = `version: 1
name: report-lab
rto: 1h
secrets:
  pw: { env: REPORT_LAB_PW }
targets:
  backup_sql:
    type: sqlserver
    server: 127.0.0.1
    port: %s
    user: %s
    password: ${secrets.pw}
    ca_file: '%s'
steps:
  - id: apply-logs
    action: logship.apply
    target: backup_sql
    rto: 10m
    with: { database: mgc, dir: 'D:\LSCopy\mgc', local_dir: '%s' }
`

// The report of a run against the lab reads what logship.apply
// journaled: the files applied, the last one and its LSN, and the
// data-loss window from its finish to the run's start. The lab's
// password appears nowhere.
func TestReportOfALabRun(t *testing.T) {
	cfg := lab.DefaultConfig()
	cfg.RestoreTime = time.Millisecond
	l := sqltest.Start(t, cfg)
	tg := l.Target("BACKUP")
	dir := t.TempDir()
	t.Setenv("FAILOVER_STATE_DIR", filepath.Join(dir, "state"))
	t.Setenv("REPORT_LAB_PW", lab.DefaultPassword)
	plan := filepath.Join(dir, "plan.yaml")
	text := fmt.Sprintf(reportLabPlan, fmt.Sprint(tg.Port), tg.User, tg.CAFile, l.CopyFolder())
	if err := os.WriteFile(plan, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve", "--log-format", "json"); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	code, out, stderr := cli(t, "report", plan)
	if code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		`(?m)^\| Data-loss window \| \d+(h\d+m)?\d*m?\d+s: the last log backup applied \(` + "`" + `mgc_\d{14}\.trn` + "`" + `\), by step apply-logs, finished at 2\d{3}-`,
		`(?m)^\| Files applied \| 2 \|$`,
		`(?m)^\| Last LSN \| ` + "`" + `\d+` + "`" + ` \|$`,
		`(?m)^- ` + "`" + `mgc_\d{14}\.trn` + "`" + `$`,
		`(?m)^RESTORE LOG`,
		`(?m)^\| 1 \| ` + "`" + `apply-logs` + "`" + ` \| ` + "`" + `logship.apply` + "`" + ` \| succeeded \| 1 \| .* \| 10m \|$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the report lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, lab.DefaultPassword) {
		t.Errorf("the report holds the lab's password")
	}
}

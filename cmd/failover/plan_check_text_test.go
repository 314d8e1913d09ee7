package main

import (
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/plans"
)

// TestCheckReportKeepsAReasonUnderItsStep: a reason of several lines (a
// SQL Server error and its 3013) is written indented under its step,
// every line, never at the margin where it would read as another
// section; a control character in it is shown escaped.
func TestCheckReportKeepsAReasonUnderItsStep(t *testing.T) {
	rep := &engine.CheckReport{Plan: "p", Steps: []engine.StepCheck{{ID: "apply-logs", Action: "logship.apply", Target: "backup_sql",
		Verdict: engine.VerdictCheckFail,
		Reason:  "inspect: mssql: Cannot open backup device.\nmssql: RESTORE HEADERONLY is terminating abnormally. (3013)\x1b[2J"}}}
	var b strings.Builder
	writeCheckReport(&b, &plans.Plan{Name: "p"}, rep)
	want := "  1. apply-logs  logship.apply @ backup_sql\n" +
		"       " + strings.ToUpper(engine.VerdictCheckFail) + ": inspect: mssql: Cannot open backup device.\n" +
		"       mssql: RESTORE HEADERONLY is terminating abnormally. (3013)\\x1b[2J\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("report:\n%s\nwant it to hold:\n%s", b.String(), want)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/engine/journal"
)

// TestWatchRunIDOrPlanFile: status --watch RUN shows that run, found
// once, and ends at once when it has succeeded, as does status --watch
// PLAN-FILE for the plan's latest run (its steps' actions from the plan
// file, loaded once); a run id no state holds is refused.
func TestWatchRunIDOrPlanFile(t *testing.T) {
	dir, plan := writePlan(t, fmt.Sprintf(okStep, "one"))
	if code, _, stderr := cli(t, "apply", plan, "--auto-approve"); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	runs, err := journal.List(filepath.Join(dir, "state"))
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	code, out, stderr := cli(t, "status", "--watch", runs[0].RunID, "--format", "json")
	var v runView
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("status --watch %s: exit %d\n%s%s", runs[0].RunID, code, out, stderr)
	}
	if v.RunID != runs[0].RunID || v.State != "succeeded" || len(v.Steps) != 1 || v.Steps[0].State != "succeeded" {
		t.Errorf("watched view %+v, want run %s succeeded", v, runs[0].RunID)
	}
	code, out, stderr = cli(t, "status", "--watch", plan, "--format", "json")
	v = runView{}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("status --watch %s: exit %d\n%s%s", plan, code, out, stderr)
	}
	if v.RunID != runs[0].RunID || v.State != "succeeded" || len(v.Steps) != 1 || v.Steps[0].Action != "exec.run" {
		t.Errorf("watched view %+v, want run %s succeeded, its step an exec.run", v, runs[0].RunID)
	}
	code, _, stderr = cli(t, "status", "--watch", "20261126T031500Z-3f9a")
	if code != exitUsage || !strings.Contains(stderr, "no run 20261126T031500Z-3f9a") {
		t.Errorf("status --watch of an unknown run: exit %d\n%s", code, stderr)
	}
}

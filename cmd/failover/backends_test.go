//go:build unix

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/failover-dev/failover/internal/etcdtest"
)

// backendsPlan: a writes the ledger, b fails until the file "go" exists,
// c needs b.
const backendsPlan = `version: 1
name: shared
steps:
  - id: a
    action: exec.run
    with: { program: sh, args: ['-c', 'echo a >> ledger'] }
  - id: b
    action: exec.run
    needs: [a]
    with: { program: sh, args: ['-c', 'test -f go || exit 3'] }
  - id: c
    action: exec.run
    needs: [b]
    with: { program: sh, args: ['-c', 'echo c >> ledger'] }
`

// TestCommandsOnBothBackends runs an operator's session — apply that
// fails, status, plan --check, journal dump and repair, report, resume,
// unlock — on a state dir and on etcd, with the same expectations: every
// command reads and writes state the same way on both.
func TestCommandsOnBothBackends(t *testing.T) {
	c := etcdtest.Start(t, etcdtest.Options{})
	for _, mk := range []func(dir string) stateFlags{
		localState,
		func(string) stateFlags { return etcdStateOn(t, c) },
	} {
		dir := t.TempDir()
		st := mk(dir)
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(dir)
			writeFile(t, dir, "plan.yaml", backendsPlan)
			var runID string
			steps := []struct {
				name   string
				args   []string
				before func()
				code   int
				out    []string // regexps stdout must match
				errOut []string // regexps stderr must match
			}{
				{name: "no runs yet", args: []string{"status"}, out: []string{`no runs in ` + regexp.QuoteMeta(st.where)}},
				{name: "apply: b fails", args: []string{"apply", "plan.yaml", "--yes"}, code: exitFailed,
					out: []string{`Run (\S+) of shared: failed`, `(?m)^a +succeeded +1 `, `(?m)^b +failed +1 .*exited with code 3`, `(?m)^c +skipped`}},
				{name: "status lists it", args: []string{"status"}, out: []string{`(?m)^shared +RUN +failed `}},
				{name: "status of the plan", args: []string{"status", "shared"}, out: []string{`Run RUN of shared: failed`, `(?m)^b +failed +1 `}},
				{name: "status of the run", args: []string{"status", "RUN", "--format", "json"}, out: []string{`"state": "failed"`, `"step": "a",\s+"action": "exec.run",\s+"state": "succeeded"`}},
				{name: "a new apply is refused", args: []string{"apply", "plan.yaml", "--yes"}, code: exitUsage,
					errOut: []string{`plan shared has an unfinished run RUN \(ended failed\); continue it with ` + "`failover resume plan.yaml`"}},
				{name: "plan --check takes a as done", args: []string{"plan", "plan.yaml", "--check"}, code: exitOK,
					out: []string{`unfinished run RUN: its done steps are shown done`, `DONE: done in run RUN`}},
				{name: "journal dump", args: []string{"journal", "dump", "RUN"}, out: []string{`^\{"header":\{"FormatVersion":2,"PlanName":"shared"`, `"Type":"step-failed","Step":"b"`}},
				{name: "journal repair of a clean journal", args: []string{"journal", "repair", "RUN"}, out: []string{`is clean: nothing to repair`}},
				{name: "report", args: []string{"report", "shared"}, out: []string{`RUN`, `(?i)failed`}},
				{name: "unlock without a lock", args: []string{"unlock", "shared", "--run", "RUN"}, code: exitUsage,
					errOut: []string{`plan shared has no lock in ` + regexp.QuoteMeta(st.where) + `: nothing to break`}},
				{name: "resume once b can pass", args: []string{"resume", "plan.yaml", "--yes"},
					before: func() { writeFile(t, dir, "go", "") },
					out:    []string{`Run RUN of shared: succeeded`, `(?m)^a +succeeded +1 `, `(?m)^b +succeeded +2 `, `(?m)^c +succeeded +1 `}},
				{name: "nothing left to resume", args: []string{"resume", "plan.yaml"}, code: exitUsage, errOut: []string{`has finished; nothing to resume`}},
				{name: "status after", args: []string{"status", "shared"}, out: []string{`Run RUN of shared: succeeded`}},
			}
			for _, s := range steps {
				if s.before != nil {
					s.before()
				}
				args := make([]string, len(s.args))
				for i, a := range s.args {
					args[i] = strings.ReplaceAll(a, "RUN", runID)
				}
				code, out, errOut := cli(t, st.with(args...)...)
				if code != s.code {
					t.Fatalf("%s: %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.name, args, code, s.code, out, errOut)
				}
				if runID == "" {
					if m := regexp.MustCompile(`Run (\d{8}T\d{6}Z-[0-9a-f]{4}) of`).FindStringSubmatch(out); m != nil {
						runID = m[1]
					}
				}
				for _, want := range s.out {
					if !regexp.MustCompile(strings.ReplaceAll(want, "RUN", runID)).MatchString(out) {
						t.Errorf("%s: stdout lacks %s:\n%s", s.name, want, out)
					}
				}
				for _, want := range s.errOut {
					if !regexp.MustCompile(strings.ReplaceAll(want, "RUN", runID)).MatchString(errOut) {
						t.Errorf("%s: stderr lacks %s:\n%s", s.name, want, errOut)
					}
				}
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "ledger")); string(b) != "a\nc\n" {
				t.Errorf("ledger %q: want a and c once each", b)
			}
		})
	}
}

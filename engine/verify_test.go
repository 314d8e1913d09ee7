package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/failover-dev/failover/plans"
)

// A step whose action completed but whose verify failed may have taken
// effect: a step that is not idempotent is not run again, neither by a
// retry of the same run nor by a resume, without the operator.
func TestVerifyFailedAfterEffect(t *testing.T) {
	failing := []*plans.Check{chk(map[string]any{"pass": false, "key": "promoted"})}
	passing := []*plans.Check{chk(map[string]any{"pass": true, "key": "done"})}
	tests := []struct {
		name       string
		idempotent bool
		skipIf     []*plans.Check
		opts       ResumeOptions
		wantRun    int // calls of a after the apply
		wantResume int // exit code of the resume
		wantCalls  int // calls of a after the resume
		wantText   []string
	}{
		{name: "resume asks the operator", wantRun: 1, wantResume: ExitWaiting, wantCalls: 1,
			wantText: []string{"step a (test.act) failed its verify after its action completed (attempt 1): verify failed: ",
				"Promote the backup", "failover resume test.yaml --retry a", "--mark-done a --note"}},
		{name: "marked done", opts: ResumeOptions{MarkDone: []string{"a"}, Note: "it is primary"},
			wantRun: 1, wantResume: ExitOK, wantCalls: 1},
		{name: "retried on the operator's word", opts: ResumeOptions{Retry: []string{"a"}, Note: "not promoted"},
			wantRun: 1, wantResume: ExitFailed, wantCalls: 2},
		{name: "skip_if says done", skipIf: passing, wantRun: 1, wantResume: ExitOK, wantCalls: 1},
		{name: "idempotent: retried and resumed as any failure", idempotent: true,
			wantRun: 3, wantResume: ExitFailed, wantCalls: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecorder()
			a := step("a", nil, nil)
			a.Description = "Promote the backup"
			a.Verify, a.Idempotent = failing, tt.idempotent
			a.Retry = plans.Retry{Attempts: 3, On: "any"}
			cfg := testConfig(t, newPlan(a, step("b", []string{"a"}, nil)), rc)
			sum, err := Run(context.Background(), cfg)
			if ExitCode(err) != ExitFailed || rc.count("a") != tt.wantRun {
				t.Fatalf("apply: exit %d, a ran %d times; want exit 1, %d times (%v)", ExitCode(err), rc.count("a"), tt.wantRun, err)
			}
			if got := sum.Step("a").Note; !tt.idempotent && !strings.Contains(got, "resume asks before running it again") {
				t.Errorf("a's note %q does not say resume asks", got)
			}
			if tt.skipIf != nil {
				a.SkipIf = tt.skipIf
				rehash(cfg.Plan)
				tt.opts.Force = true
			}
			sum, err = Resume(context.Background(), cfg, tt.opts)
			if ExitCode(err) != tt.wantResume || rc.count("a") != tt.wantCalls {
				t.Fatalf("resume: exit %d, a ran %d times; want exit %d, %d times (%v)",
					ExitCode(err), rc.count("a"), tt.wantResume, tt.wantCalls, err)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("message lacks %q:\n%s", want, err)
				}
			}
			if tt.wantResume == ExitOK && sum.Step("b").State != StateSucceeded {
				t.Errorf("b %s, want succeeded", sum.Step("b").State)
			}
			if tt.opts.MarkDone != nil {
				// Done on the operator's word: the verify's error no longer
				// describes it; the note does.
				if a := sum.Step("a"); a.Error != "" || a.Note != "marked done by tester: it is primary" {
					t.Errorf("a's error %q and note %q, want none and the operator's note", a.Error, a.Note)
				}
			}
		})
	}
}

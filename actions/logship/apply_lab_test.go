package logship

import (
	"context"
	"testing"

	"github.com/failover-dev/failover/actions"
)

func TestApplyTheRestThenNothing(t *testing.T) {
	lc := newLabCase(t, nil)
	mark := lc.lab.Mark(t)
	out := lc.mustRun(t)
	t.Logf("outputs: %v", out)
	t.Logf("restores: %q", lc.restores(t, mark))
	pr, err := applyAction{}.Probe(context.Background(), lc.env, lc.p)
	t.Logf("probe: %+v %v", pr, err)
	if pr.State != actions.ProbeDone {
		t.Errorf("probe %v", pr.State)
	}
}

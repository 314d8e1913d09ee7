package report

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

// BenchmarkReport builds and renders the report of a run of 500 steps,
// each failing once and then succeeding: 2,000 attempts' records.
func BenchmarkReport(b *testing.B) {
	var refs []journal.StepRef
	for i := range 500 {
		refs = append(refs, journal.StepRef{ID: fmt.Sprintf("step-%03d", i), Action: "exec.run"})
	}
	recs := []journal.Record{started(engine.RecRunStarted, 0, "alice", "h", 1, refs...)}
	for i, r := range refs {
		d := time.Duration(i) * time.Second
		recs = append(recs, stepRec(engine.RecStepStarted, d, r.ID, 1),
			journal.Record{Type: engine.RecAttemptFailed, Time: at(d + 100*time.Millisecond), Step: r.ID, Attempt: 1, Error: "connection reset"},
			stepRec(engine.RecStepStarted, d+200*time.Millisecond, r.ID, 2),
			journal.Record{Type: engine.RecStepSucceeded, Time: at(d + 900*time.Millisecond), Step: r.ID, Attempt: 2, Outputs: map[string]any{"stdout": "ok"}})
	}
	rs := engine.Fold(&journal.Replay{Header: testHeader(), Records: append(recs, finished(600*time.Second, engine.RunSucceeded))})
	for _, f := range []struct {
		name   string
		render func(io.Writer, *Report) error
	}{{"md", Markdown}, {"html", HTML}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				if err := f.render(io.Discard, Build(Input{State: rs, Generated: t0})); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

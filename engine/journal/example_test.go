package journal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/failover-dev/failover/engine/journal"
)

// The engine's pattern: the start record is synced before the action runs;
// the outcome is appended and carried to disk by the next sync.
func Example() {
	state, _ := os.MkdirTemp("", "state")
	defer os.RemoveAll(state)
	start := time.Date(2026, 11, 26, 3, 15, 0, 0, time.UTC)
	runID := "20261126T031500Z-3f9a"
	path := journal.Path(state, "pchat-failover-dc2", runID)

	w, err := journal.Create(journal.OSFS{}, path, journal.Header{
		PlanName: "pchat-failover-dc2", PlanHash: "sha256:…", RunID: runID, Started: start})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = w.AppendSync(journal.Record{Type: "step-started", Step: "remove-log-shipping", Attempt: 1, Time: start})
	_, _ = w.Append(journal.Record{Type: "step-succeeded", Step: "remove-log-shipping", Attempt: 1, Time: start})
	_ = w.Close() // syncs the pending outcome

	rp, err := journal.Read(journal.OSFS{}, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(path), rp.Header.PlanName)
	for _, r := range rp.Records {
		fmt.Println(r.Seq, r.Type, r.Step)
	}
	// Output:
	// 20261126T031500Z-3f9a.journal pchat-failover-dc2
	// 1 step-started remove-log-shipping
	// 2 step-succeeded remove-log-shipping
}

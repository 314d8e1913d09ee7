package sqlserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/journaltest"
	"github.com/failover-dev/failover/internal/lab"
)

// TestKillSessionsAlreadyGone: a session that ends on its own between
// the list and its KILL answers the KILL with 6106; db.kill_sessions
// counts it as ended (once, with who it was) and the step succeeds.
//
// The lab answers the first KILL of that session with 6106 (a fault),
// and the test ends the session itself as that round is journaled, so
// the session is gone for good before the next list, as after a real
// 6106.
func TestKillSessionsAlreadyGone(t *testing.T) {
	ctx := context.Background()
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 2}))
	side, err := l.DB(t, "BACKUP").Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	before, err := sqlserver.ListSessions(ctx, side, "mgc")
	if err != nil || len(before) != 2 {
		t.Fatalf("sessions before = %v (%v), want the two lock holders", before, err)
	}
	gone := before[0]
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: fmt.Sprintf(`^\s*KILL %d\s*$`, gone.ID), Kind: lab.FaultError, Error: 6106})

	env := l.Env(t, "BACKUP")
	logs := withLog(env)
	var once sync.Once
	env.Journal = &journaltest.Journal{OnCheckpoint: func(json.RawMessage) {
		once.Do(func() {
			if _, err := side.ExecContext(ctx, fmt.Sprintf("KILL %d", gone.ID)); err != nil {
				t.Errorf("end session %d from the side: %v", gone.ID, err)
			}
		})
	}}
	out, err := run(t, env, "db.kill_sessions", map[string]any{"database": "mgc"})
	if err != nil {
		t.Fatalf("db.kill_sessions failed on a 6106: %v", err)
	}
	if !faultFired(l.Statements(t), fmt.Sprintf("KILL %d", gone.ID)) {
		t.Fatalf("the KILL of session %d did not get the injected 6106: %v", gone.ID, l.Statements(t))
	}
	if out["ended_count"] != int64(2) {
		t.Errorf("ended_count = %v, want 2 (each session once): %v", out["ended_count"], out["ended"])
	}
	ids := map[int64]int{}
	for _, e := range out["ended"].([]any) {
		s := e.(map[string]any)
		ids[s["session_id"].(int64)]++
		if s["login"] == "" || s["program"] == "" {
			t.Errorf("ended %v: want login and program", s)
		}
	}
	if ids[before[0].ID] != 1 || ids[before[1].ID] != 1 {
		t.Errorf("ended sessions %v, want %d and %d once each", ids, before[0].ID, before[1].ID)
	}
	if skipped := out["skipped"].([]any); len(skipped) != 0 {
		t.Errorf("skipped = %v, want none", skipped)
	}
	var goneLine bool
	for _, line := range strings.Split(logs.String(), "\n") {
		goneLine = goneLine || strings.Contains(line, fmt.Sprintf(`"session":%d,`, gone.ID)) && strings.Contains(line, `"already_gone":true`)
	}
	if !goneLine {
		t.Errorf("no log line says session %d was already gone:\n%s", gone.ID, logs)
	}
	if pr := probe(t, env, "db.kill_sessions", map[string]any{"database": "mgc"}); pr.State != actions.ProbeDone {
		t.Errorf("probe after = %s %q, want done", pr.State, pr.Detail)
	}
}

// faultFired reports whether the lab logged a fault on a statement
// matching text.
func faultFired(stmts []sqltest.Statement, text string) bool {
	for _, s := range stmts {
		if s.Kind == "fault" && strings.Contains(s.Text, "6106") && strings.Contains(s.Text, text) {
			return true
		}
	}
	return false
}

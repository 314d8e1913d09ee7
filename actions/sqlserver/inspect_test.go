package sqlserver_test

import (
	"context"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/lab"
)

// TestInspectAndProbeSendNoWrite: every SQL action's Inspect and Probe,
// as the sysadmin that could write, against a lab with work to do; the
// lab's statement log shows only reads.
func TestInspectAndProbeSendNoWrite(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{Count: 2, LockHolders: 2, Database: "reports"}))
	env := l.Env(t, "BACKUP")
	calls := map[string]map[string]any{
		"sql.exec":         {"script": "ALTER DATABASE reports SET SINGLE_USER WITH ROLLBACK IMMEDIATE\nGO\nKILL 300", "database": "mgccomp"},
		"db.kill_sessions": {"database": "reports"},
		"db.recover":       {"database": "reports"},
		"logship.remove":   {"database": "mgc"},
		"logship.apply":    {"database": "mgc", "dir": l.CopyDir(), "local_dir": l.CopyFolder()},
	}
	for _, tt := range registry.Types(actions.KindAction) {
		if len(tt.Targets) == 0 || tt.Targets[0] != "sqlserver" {
			continue
		}
		t.Run(tt.Name, func(t *testing.T) {
			with, ok := calls[tt.Name]
			if !ok {
				t.Fatalf("no call for %s: add one", tt.Name)
			}
			mark := l.Mark(t)
			in, err := tt.Inspect(context.Background(), env, decode(t, tt.Name, with))
			if err != nil || in.Change != actions.ChangeSome {
				t.Errorf("inspect = %+v, %v; want a change", in, err)
			}
			if tt.Can(actions.AbilityProbe) {
				if pr, err := tt.Probe(context.Background(), env, decode(t, tt.Name, with)); err != nil || pr.State != actions.ProbeNotDone {
					t.Errorf("probe = %+v, %v; want not done", pr, err)
				}
			}
			assertReadOnly(t, l.Since(t, mark))
		})
	}
}

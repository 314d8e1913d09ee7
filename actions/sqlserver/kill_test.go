package sqlserver_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/journaltest"
	"github.com/failover-dev/failover/internal/lab"
)

// TestKillSessions: lock holders on a RESTORING database are ended,
// and sessions inside a STANDBY one; ours and failover's are spared.
func TestKillSessions(t *testing.T) {
	tests := []struct {
		name string
		us   lab.UserSessions
		db   string
		want int64
		// inside: another failover session sits inside the database.
		inside bool
	}{
		{name: "lock holders on a restoring database", us: lab.UserSessions{LockHolders: 2}, db: "mgc", want: 2},
		{name: "inside a database in standby, and lock holders", us: lab.UserSessions{Count: 2, LockHolders: 1, Database: "reports"}, db: "reports", want: 3, inside: true},
		{name: "sessions that come back once", us: lab.UserSessions{LockHolders: 2, Reconnect: true}, db: "mgc", want: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sqltest.Start(t, sessionsConfig(tt.us))
			env := l.Env(t, "BACKUP")
			// Another failover run's session (failover/test dc2), inside
			// the database when it can be opened.
			tg := l.Target("BACKUP")
			tg.AppName = "dc2"
			keep := pinned(t, sqltest.Env(t, "other", tg), tt.inside, tt.db)
			withLog(env)
			j := &journaltest.Journal{}
			env.Journal = j
			with := map[string]any{"database": tt.db}
			if pr := probe(t, env, "db.kill_sessions", with); pr.State != actions.ProbeNotDone {
				t.Errorf("probe before = %s %q", pr.State, pr.Detail)
			}
			out, err := run(t, env, "db.kill_sessions", with)
			if err != nil {
				t.Fatal(err)
			}
			if out["ended_count"] != tt.want {
				t.Errorf("ended_count = %v, want %d (%v)", out["ended_count"], tt.want, out["ended"])
			}
			first := out["ended"].([]any)[0].(map[string]any)
			if !strings.HasPrefix(first["login"].(string), `LITWARE\`) || first["program"] == "" || first["host"] == "" {
				t.Errorf("ended[0] = %v: want login, host and program", first)
			}
			pr := probe(t, env, "db.kill_sessions", with)
			if pr.State != actions.ProbeDone || !reflect.DeepEqual(pr.Outputs["ended_count"], tt.want) {
				t.Errorf("probe after = %s %q %v, want done with the journaled outputs", pr.State, pr.Detail, pr.Outputs["ended_count"])
			}
			if err := keep.PingContext(context.Background()); err != nil {
				t.Errorf("the other failover session was ended: %v", err)
			}
		})
	}
}

func TestKillSessionsInspectSendsNoWrite(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 2}))
	env := l.Env(t, "BACKUP")
	mark := l.Mark(t)
	in := inspect(t, env, "db.kill_sessions", map[string]any{"database": "mgc"})
	if in.Change != actions.ChangeSome || in.Summary != "would end 2 session(s) using mgc" || len(in.Details) != 2 ||
		!strings.Contains(in.Details[0], "holding a lock from another database") {
		t.Errorf("inspection = %+v", in)
	}
	assertReadOnly(t, l.Since(t, mark))
	if in := inspect(t, env, "db.kill_sessions", map[string]any{"database": "mgccomp"}); in.Change != actions.ChangeNone {
		t.Errorf("no sessions: %+v", in)
	}
}

func TestKillSessionsErrors(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 2, Reconnect: true}))
	_, err := run(t, l.Env(t, "BACKUP"), "db.kill_sessions", map[string]any{"database": "nosuch"})
	if err == nil || actions.ClassOf(err) != actions.Permanent || err.Error() != "database nosuch does not exist" {
		t.Errorf("missing database: %v", err)
	}
	// Sessions that come back after the only round are still there.
	_, err = run(t, l.Env(t, "BACKUP"), "db.kill_sessions", map[string]any{"database": "mgc", "rounds": int64(1)})
	if err == nil || actions.ClassOf(err) != actions.Retryable || !strings.Contains(err.Error(), "2 still there after 1 rounds") {
		t.Errorf("sessions that came back: %v", err)
	}
}

// TestKillSessionsReadOnlyLogin: a login with only VIEW SERVER STATE
// sees the sessions, and KILL is refused with 6102.
func TestKillSessionsReadOnlyLogin(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 1}))
	env := readerEnv(t, l)
	if in := inspect(t, env, "db.kill_sessions", map[string]any{"database": "mgc"}); in.Change != actions.ChangeSome {
		t.Errorf("inspection as reader = %+v", in)
	}
	_, err := run(t, env, "db.kill_sessions", map[string]any{"database": "mgc"})
	if !sqlserver.Has(err, 6102) || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("KILL as reader: %v (%s)", err, actions.ClassOf(err))
	}
}

// TestKillSessionsCheckpointsWhoWasEnded: each round is journaled, so a
// step satisfied after a crash still gives who was ended.
func TestKillSessionsCheckpointsWhoWasEnded(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 2}))
	env := l.Env(t, "BACKUP")
	j := &journaltest.Journal{}
	env.Journal = j
	if _, err := run(t, env, "db.kill_sessions", map[string]any{"database": "mgc"}); err != nil {
		t.Fatal(err)
	}
	last, _ := j.Last()
	var cp struct {
		Ended []struct{ ID int64 } `json:"ended"`
	}
	if err := json.Unmarshal(last, &cp); err != nil || len(cp.Ended) != 2 {
		t.Errorf("checkpoint %s (%v), want the two sessions", last, err)
	}
}

// TestSessionsBeforeSQLServer2012: the sys.sysprocesses form of the
// list, which SQL Server 2008 R2 needs, finds the same sessions.
func TestSessionsBeforeSQLServer2012(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{Count: 1, LockHolders: 1, Database: "reports"}))
	c := pinned(t, l.Env(t, "BACKUP"), false, "")
	old, err := sqlserver.QuerySessions(context.Background(), c, sqlserver.SessionsQueryOld, "reports")
	if err != nil {
		t.Fatal(err)
	}
	now, err := sqlserver.ListSessions(context.Background(), c, "reports")
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 2 || !reflect.DeepEqual(old, now) {
		t.Errorf("sysprocesses: %v\ndm_exec_sessions: %v", old, now)
	}
}

package sqlserver_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/journaltest"
	"github.com/failover-dev/failover/internal/lab"
)

// stateOf reads a database's state through a side connection.
func stateOf(t *testing.T, l *sqltest.Lab, db string) sqlserver.DatabaseState {
	t.Helper()
	st, err := sqlserver.ReadDatabaseState(context.Background(), l.DB(t, "BACKUP"), db)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestRecoverRestoringWithLockHolders(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{LockHolders: 2}))
	env := l.Env(t, "BACKUP")
	log := withLog(env)
	with := map[string]any{"database": "mgc"}
	if pr := probe(t, env, "db.recover", with); pr.State != actions.ProbeNotDone || !strings.HasPrefix(pr.Detail, "mgc is RESTORING") {
		t.Errorf("probe before = %s %q", pr.State, pr.Detail)
	}
	out, err := run(t, env, "db.recover", with)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"state": "ONLINE", "already_online": false, "sessions_ended": int64(2), "user_access": "MULTI_USER"}
	if !equalMaps(out, want) {
		t.Errorf("outputs = %v, want %v", out, want)
	}
	if st := stateOf(t, l, "mgc"); !st.Recovered() {
		t.Errorf("after: %s", st)
	}
	if !strings.Contains(log.String(), `"message":"RESTORE DATABASE successfully processed`) {
		t.Errorf("the restore's messages were not logged:\n%s", log)
	}
	// Satisfied now: the probe says so, and a run says so too.
	pr := probe(t, env, "db.recover", with)
	if pr.State != actions.ProbeDone || pr.Outputs["already_online"] != true {
		t.Errorf("probe after = %s %q %v", pr.State, pr.Detail, pr.Outputs)
	}
	mark := l.Mark(t)
	out, err = run(t, env, "db.recover", with)
	if err != nil || out["already_online"] != true || !strings.Contains(log.String(), "already recovered, nothing to restore") {
		t.Errorf("second run: %v, %v", out, err)
	}
	assertReadOnly(t, l.Since(t, mark))
}

// TestRecoverStandbyWithReaders: SINGLE_USER is journaled before it is
// set, and MULTI_USER comes back after the restore.
func TestRecoverStandbyWithReaders(t *testing.T) {
	l := sqltest.Start(t, sessionsConfig(lab.UserSessions{Count: 2, Database: "reports"}))
	env := l.Env(t, "BACKUP")
	withLog(env)
	j := &journaltest.Journal{}
	var markAtCheckpoint []int
	j.OnCheckpoint = func(json.RawMessage) { markAtCheckpoint = append(markAtCheckpoint, l.Mark(t)) }
	env.Journal = j
	out, err := run(t, env, "db.recover", map[string]any{"database": "reports"})
	if err != nil {
		t.Fatal(err)
	}
	if st := stateOf(t, l, "reports"); !st.Recovered() || st.UserAccess != "MULTI_USER" || out["sessions_ended"] != int64(2) {
		t.Errorf("after: %s, outputs %v", st, out)
	}
	stmts := l.Statements(t)
	alter := indexOf(stmts, "SET SINGLE_USER WITH ROLLBACK IMMEDIATE")
	if len(markAtCheckpoint) == 0 || alter < markAtCheckpoint[0] {
		t.Errorf("SINGLE_USER was sent (statement %d) before it was journaled (checkpoints at %v)", alter, markAtCheckpoint)
	}
	if indexOf(stmts, "ALTER DATABASE [reports] SET MULTI_USER") < alter {
		t.Error("MULTI_USER was not set after the restore")
	}
	if last, _ := j.Last(); string(last) != `{"single_user_set":false}` {
		t.Errorf("last checkpoint %s, want the setting cleared", last)
	}
}

// TestRecoverResetsOnlyItsOwnSingleUser: resumed after a crash between
// the restore and MULTI_USER, the step puts MULTI_USER back; a
// SINGLE_USER it did not set is left alone.
func TestRecoverResetsOnlyItsOwnSingleUser(t *testing.T) {
	for _, ours := range []bool{true, false} {
		l := sqltest.Start(t, labConfig())
		if _, err := l.DB(t, "BACKUP").Exec("ALTER DATABASE mgccomp SET SINGLE_USER"); err != nil {
			t.Fatal(err)
		}
		env := l.Env(t, "BACKUP")
		j := &journaltest.Journal{}
		if ours {
			_ = j.Checkpoint(json.RawMessage(`{"single_user_set":true}`))
		}
		env.Journal = j
		with := map[string]any{"database": "mgccomp"}
		wantProbe, wantAccess := actions.ProbeDone, "SINGLE_USER"
		if ours {
			wantProbe, wantAccess = actions.ProbeNotDone, "MULTI_USER"
		}
		if pr := probe(t, env, "db.recover", with); pr.State != wantProbe {
			t.Errorf("ours %v: probe = %s %q, want %s", ours, pr.State, pr.Detail, wantProbe)
		}
		out, err := run(t, env, "db.recover", with)
		if err != nil || out["already_online"] != true || out["user_access"] != wantAccess || stateOf(t, l, "mgccomp").UserAccess != wantAccess {
			t.Errorf("ours %v: %v, %v; want %s", ours, out, err, wantAccess)
		}
	}
}

func TestRecoverRefuses(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	env := l.Env(t, "BACKUP")
	tests := []struct{ db, err string }{
		{db: "archive", err: "recover on backup_sql: archive is OFFLINE: RESTORE … WITH RECOVERY needs it RESTORING or in STANDBY"},
		{db: "nosuch", err: "recover on backup_sql: database nosuch does not exist"},
	}
	for _, tt := range tests {
		mark := l.Mark(t)
		_, err := run(t, env, "db.recover", map[string]any{"database": tt.db})
		if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: %v", tt.db, err)
		}
		assertReadOnly(t, l.Since(t, mark))
		if in := inspect(t, env, "db.recover", map[string]any{"database": tt.db}); !strings.HasPrefix(in.Summary, "would fail: ") {
			t.Errorf("%s: inspection %q", tt.db, in.Summary)
		}
	}
}

// TestRecoverConnectionLostAfterTheRestore: the lab recovers the
// database, then drops the connection before the answer (edge case
// 34): the step reads the state and succeeds; a probe finds it done.
func TestRecoverConnectionLostAfterTheRestore(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: `RESTORE DATABASE`, Kind: lab.FaultDropAfter})
	env := l.Env(t, "BACKUP")
	log := withLog(env)
	out, err := run(t, env, "db.recover", map[string]any{"database": "mgc"})
	if err != nil || out["state"] != "ONLINE" || !strings.Contains(log.String(), "the connection was lost after RESTORE") {
		t.Errorf("run: %v, %v\n%s", out, err, log)
	}
	// Had the step died instead, the engine's probe would find it done.
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: `RESTORE DATABASE`, Kind: lab.FaultDropAfter})
	_, err = run(t, env, "sql.exec", map[string]any{"script": "RESTORE DATABASE reports WITH RECOVERY"})
	if actions.ClassOf(err) != actions.Retryable {
		t.Fatalf("sql.exec through the drop: %v", err)
	}
	if pr := probe(t, env, "db.recover", map[string]any{"database": "reports"}); pr.State != actions.ProbeDone {
		t.Errorf("probe = %s %q, want done", pr.State, pr.Detail)
	}
}

// TestRecoverSessionsBackBeforeTheRestore: 3101 once, the sessions are
// ended again and the restore tried again.
func TestRecoverSessionsBackBeforeTheRestore(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: `RESTORE DATABASE`, Kind: lab.FaultError, Error: 3101})
	env := l.Env(t, "BACKUP")
	withLog(env)
	if _, err := run(t, env, "db.recover", map[string]any{"database": "mgc"}); err != nil {
		t.Fatal(err)
	}
	if n := countText(l.Statements(t), "RESTORE DATABASE @db WITH RECOVERY"); n != 2 {
		t.Errorf("RESTORE sent %d times, want 2", n)
	}
}

// TestRecoverAfterAnInterruptedRestore: 4319 says what to do.
func TestRecoverAfterAnInterruptedRestore(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: "RESTORE LOG", Kind: lab.FaultDrop})
	names, _ := os.ReadDir(l.CopyFolder())
	var files []string
	for _, n := range names {
		files = append(files, n.Name())
	}
	sort.Strings(files)
	_, _ = l.DB(t, "BACKUP").Exec("RESTORE LOG mgc FROM DISK = @p WITH NORECOVERY", sql.Named("p", l.CopyDir()+`\`+files[6]))
	_, err := run(t, l.Env(t, "BACKUP"), "db.recover", map[string]any{"database": "mgc"})
	if !sqlserver.Has(err, 4319) || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "logship.apply restarts that file") {
		t.Errorf("err = %v", err)
	}
}

// TestRecoverReadOnlyLogin: Inspect works with VIEW SERVER STATE; the
// restore is refused with 3110.
func TestRecoverReadOnlyLogin(t *testing.T) {
	l := sqltest.Start(t, labConfig())
	env := readerEnv(t, l)
	mark := l.Mark(t)
	in := inspect(t, env, "db.recover", map[string]any{"database": "mgc"})
	if in.Change != actions.ChangeSome || !strings.HasPrefix(in.Details[0], "mgc is RESTORING (redo from LSN ") {
		t.Errorf("inspection = %+v", in)
	}
	assertReadOnly(t, l.Since(t, mark))
	_, err := run(t, env, "db.recover", map[string]any{"database": "mgc"})
	if !sqlserver.Has(err, 3110) || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("restore as reader: %v (%s)", err, actions.ClassOf(err))
	}
}

func TestRecoverPreview(t *testing.T) {
	got, err := typ(t, "db.recover").Preview(&actions.Env{}, decode(t, "db.recover", map[string]any{"database": "mgc"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"-- parameters: @db = N'mgc'", "\nRESTORE DATABASE @db WITH RECOVERY\n",
		"ALTER DATABASE [mgc] SET SINGLE_USER WITH ROLLBACK IMMEDIATE", "\nALTER DATABASE [mgc] SET MULTI_USER\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("preview lacks %q:\n%s", w, got)
		}
	}
}

func indexOf(stmts []sqltest.Statement, text string) int {
	for i, s := range stmts {
		if strings.Contains(s.Text, text) {
			return i
		}
	}
	return -1
}

func countText(stmts []sqltest.Statement, text string) int {
	n := 0
	for _, s := range stmts {
		if s.Kind != "fault" && strings.Contains(s.Text, text) {
			n++
		}
	}
	return n
}

func equalMaps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

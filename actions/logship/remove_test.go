package logship_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/actions/logship"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/actions/sqlserver/sqltest"
	"github.com/failover-dev/failover/internal/journaltest"
	"github.com/failover-dev/failover/internal/lab"
)

var remove = builtin.New().Type("logship.remove")

func params(t *testing.T, with map[string]any) any {
	t.Helper()
	p, err := remove.Decode(with)
	if err == nil {
		err = remove.Validate(p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, env *actions.Env, with map[string]any) (map[string]any, error) {
	t.Helper()
	return remove.Run(context.Background(), env, params(t, with))
}

func probe(t *testing.T, env *actions.Env, with map[string]any) actions.Probe {
	t.Helper()
	pr, err := remove.Probe(context.Background(), env, params(t, with))
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// TestRemoveSnapshotsJournalsThenRemoves: the metadata is journaled
// before the procedure is called, returned as outputs, and still
// there for a later run that finds log shipping gone.
func TestRemoveSnapshotsJournalsThenRemoves(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	j := &journaltest.Journal{}
	procSentBeforeCheckpoint := false
	j.OnCheckpoint = func(json.RawMessage) {
		procSentBeforeCheckpoint = indexOf(l.Statements(t), "sp_delete_log_shipping_secondary_database") >= 0
	}
	env.Journal = j
	with := map[string]any{"database": "mgc"}
	if pr := probe(t, env, with); pr.State != actions.ProbeNotDone {
		t.Errorf("probe before = %s %q", pr.State, pr.Detail)
	}
	out, err := run(t, env, with)
	if err != nil {
		t.Fatal(err)
	}
	if indexOf(l.Statements(t), "sp_delete_log_shipping_secondary_database") < 0 {
		t.Error("the statement log shows no call of the procedure")
	}
	if procSentBeforeCheckpoint || j.Count() != 1 {
		t.Errorf("the procedure was called before the snapshot was journaled (%d checkpoints)", j.Count())
	}
	share, copyDir := out["backup_source_directory"].(string), out["backup_destination_directory"].(string)
	if share != l.Share() || copyDir != l.CopyDir() || out["already_removed"] != false ||
		!strings.HasPrefix(out["copy_job"].(string), "LSCopy_") || !strings.HasPrefix(out["restore_job"].(string), "LSRestore_") ||
		out["last_copied_file"] == "" || out["last_restored_file"] == "" || out["restore_mode"] != "NORECOVERY" {
		t.Errorf("outputs = %v", out)
	}
	// The row is gone from msdb, the database still restoring.
	if _, found, err := logship.ReadSnapshot(context.Background(), l.DB(t, "BACKUP"), "mgc"); found || err != nil {
		t.Errorf("msdb still has it (%v)", err)
	}
	if st, _ := sqlserver.ReadDatabaseState(context.Background(), l.DB(t, "BACKUP"), "mgc"); st.Effective() != "RESTORING" {
		t.Errorf("after: %s", st)
	}
	// Satisfied now, with the journaled outputs, and a run says so.
	pr := probe(t, env, with)
	if pr.State != actions.ProbeDone || pr.Outputs["backup_source_directory"] != share || pr.Outputs["already_removed"] != true {
		t.Errorf("probe after = %s %q %v", pr.State, pr.Detail, pr.Outputs)
	}
	out, err = run(t, env, with)
	if err != nil || out["backup_destination_directory"] != copyDir || out["already_removed"] != true {
		t.Errorf("second run: %v, %v", out, err)
	}
}

// TestRemoveCrossChecksThePlansPaths: paths the plan gives must match
// msdb's while it has them; once removed (no journal), they are the
// outputs (domain.md edge case 1).
func TestRemoveCrossChecksThePlansPaths(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	mark := l.Mark(t)
	_, err := run(t, env, map[string]any{"database": "mgc", "backup_source_directory": `\\dc1-sql01\logship\mgc`})
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), `backup_source_directory is "\\\\dc1-sql01\\logship\\mgc" in the plan but`) {
		t.Fatalf("err = %v", err)
	}
	if indexOf(l.Since(t, mark), "sp_delete_log_shipping") >= 0 {
		t.Error("removed despite the mismatch")
	}
	// The same paths, written differently, match.
	with := map[string]any{"database": "mgc", "backup_source_directory": strings.ToUpper(l.Share()) + `\`, "backup_destination_directory": l.CopyDir()}
	if _, err := run(t, env, with); err != nil {
		t.Fatal(err)
	}
	// Another run without the journal: the plan's paths are the outputs.
	fresh := l.Env(t, "BACKUP")
	pr := probe(t, fresh, with)
	if pr.State != actions.ProbeDone || pr.Outputs["backup_destination_directory"] != l.CopyDir() || pr.Outputs["last_copied_file"] != "" {
		t.Errorf("probe = %s %v", pr.State, pr.Outputs)
	}
}

func TestRemoveInspectSendsNoWrite(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	tg := l.Target("BACKUP")
	tg.User, tg.Password = lab.DefaultReader, lab.DefaultReaderPassword
	env := sqltest.Env(t, "backup_sql", tg)
	mark := l.Mark(t)
	in, err := remove.Inspect(context.Background(), env, params(t, map[string]any{"database": "mgc"}))
	if err != nil {
		t.Fatal(err)
	}
	if in.Change != actions.ChangeSome || !strings.HasPrefix(in.Summary, "would remove log shipping of mgc from DC1-SQL01.mgc (jobs LSCopy_") ||
		in.Outputs["backup_source_directory"] != l.Share() {
		t.Errorf("inspection = %+v", in)
	}
	for _, s := range l.Since(t, mark) {
		if (s.Kind == "rpc" || s.Kind == "batch" || s.Kind == "dynamic") && s.Effect != "read" {
			t.Errorf("inspect sent a %s: %s", s.Effect, s.Text)
		}
	}
	// The read-only login may not remove it: 229, permanent.
	_, err = run(t, env, map[string]any{"database": "mgc"})
	if !sqlserver.Has(err, 229) || actions.ClassOf(err) != actions.Permanent {
		t.Errorf("remove as reader: %v (%s)", err, actions.ClassOf(err))
	}
}

func TestRemoveErrors(t *testing.T) {
	l := sqltest.Start(t, lab.DefaultConfig())
	env := l.Env(t, "BACKUP")
	_, err := run(t, env, map[string]any{"database": "nosuch"})
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "database nosuch does not exist") {
		t.Errorf("missing database: %v", err)
	}
	// The connection drops before the procedure runs: retryable, and the
	// retry removes it.
	l.Inject(t, lab.Fault{Instance: "BACKUP", Match: "sp_delete_log_shipping_secondary_database", Kind: lab.FaultDrop})
	env.Journal = &journaltest.Journal{}
	_, err = run(t, env, map[string]any{"database": "mgc"})
	if actions.ClassOf(err) != actions.Retryable {
		t.Fatalf("dropped: %v (%s)", err, actions.ClassOf(err))
	}
	if pr := probe(t, env, map[string]any{"database": "mgc"}); pr.State != actions.ProbeNotDone {
		t.Errorf("probe after the drop = %s", pr.State)
	}
	out, err := run(t, env, map[string]any{"database": "mgc"})
	if err != nil || out["already_removed"] != false {
		t.Errorf("retry: %v, %v", out, err)
	}
	// Removed, then the connection lost before the answer: the probe
	// finds it done, with the journaled snapshot.
	l2 := sqltest.Start(t, lab.DefaultConfig())
	l2.Inject(t, lab.Fault{Instance: "BACKUP", Match: "sp_delete_log_shipping_secondary_database", Kind: lab.FaultDropAfter})
	env2 := l2.Env(t, "BACKUP")
	env2.Journal = &journaltest.Journal{}
	if _, err := run(t, env2, map[string]any{"database": "mgc"}); actions.ClassOf(err) != actions.Retryable {
		t.Fatalf("drop after: %v", err)
	}
	if pr := probe(t, env2, map[string]any{"database": "mgc"}); pr.State != actions.ProbeDone || pr.Outputs["backup_source_directory"] != l2.Share() {
		t.Errorf("probe after drop_after = %s %v", pr.State, pr.Outputs)
	}
}

func TestRemovePreview(t *testing.T) {
	got, err := remove.Preview(&actions.Env{}, params(t, map[string]any{"database": "mgc'x"}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "-- parameters: @db = N'mgc''x'\n") ||
		!strings.Contains(got, "EXEC @rc = master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = N'mgc''x'") ||
		!strings.Contains(got, "FROM msdb.dbo.log_shipping_secondary AS s") {
		t.Errorf("preview:\n%s", got)
	}
}

func indexOf(stmts []sqltest.Statement, text string) int {
	for i, s := range stmts {
		if s.Kind != "fault" && strings.Contains(s.Text, text) {
			return i
		}
	}
	return -1
}

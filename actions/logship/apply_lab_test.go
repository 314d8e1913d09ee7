package logship

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/internal/lab"
)

// TestApplyTheRestThenNothing: the default lab (12 log backups, 8 copied,
// 6 restored) gets the 2 copied ones, by parameterised RESTORE LOG on
// the pinned session; a second run applies nothing and says so.
func TestApplyTheRestThenNothing(t *testing.T) {
	lc := newLabCase(t, nil)
	mark := lc.lab.Mark(t)
	out := lc.mustRun(t)
	if out["files_applied"] != int64(2) || len(strs(out["applied"])) != 2 || out["files_skipped"] != int64(6) || out["gap"] != "" {
		t.Errorf("outputs %v, want 2 applied and the 6 restored ones skipped", out)
	}
	for _, s := range strs(out["skipped"]) {
		if !strings.Contains(s, ": already applied (LSN ") {
			t.Errorf("skipped %q, want already applied", s)
		}
	}
	restores := lc.restores(t, mark)
	if len(restores) != 2 || !strings.Contains(restores[0], `RESTORE LOG @db FROM DISK = @path WITH FILE = @position, NORECOVERY`) ||
		!strings.Contains(restores[0], `@path='D:\LSCopy\mgc\`+strs(out["applied"])[0]) {
		t.Errorf("restores %q, want two parameterised RESTORE LOG of the Windows paths", restores)
	}
	if st := lc.state(t); st.State != "RESTORING" || st.RedoStartLSN != out["last_lsn"] {
		t.Errorf("after the run %s, want RESTORING at last_lsn %s", st, out["last_lsn"])
	}

	pr, err := applyAction{}.Probe(context.Background(), lc.env, lc.p)
	if err != nil || pr.State != actions.ProbeDone || pr.Outputs["last_lsn"] != out["last_lsn"] {
		t.Errorf("probe after = %+v, %v; want done at the same LSN", pr, err)
	}
	mark = lc.lab.Mark(t)
	again := lc.mustRun(t)
	if again["files_applied"] != int64(0) || len(lc.restores(t, mark)) != 0 || again["last_lsn"] != out["last_lsn"] ||
		again["last_backup_finish"] != out["last_backup_finish"] {
		t.Errorf("second run %v, restores %q; want nothing applied, the same LSN and window", again, lc.restores(t, mark))
	}
}

// TestApplyDataLossWindowInUTC: the lab's server is in Europe/Berlin, so
// HEADERONLY dates are an hour or two ahead of UTC; log shipping names
// files by their start in UTC, and a backup takes 1 to 4 seconds.
func TestApplyDataLossWindowInUTC(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.env.Now = func() time.Time { return time.Now().Add(time.Hour) }
	out := lc.mustRun(t)
	name := out["last_file"].(string)
	started, err := time.Parse("20060102150405", strings.TrimSuffix(strings.TrimPrefix(name, "mgc_"), ".trn"))
	if err != nil {
		t.Fatalf("file name %s: %v", name, err)
	}
	finish, err := time.Parse(time.RFC3339, out["last_backup_finish"].(string))
	if d := finish.Sub(started); err != nil || d < time.Second || d > 4*time.Second {
		t.Errorf("last_backup_finish %v (%v) is %v after the file's UTC start %s, want 1 to 4 seconds", finish, err, d, started)
	}
	if off := out["server_utc_offset"]; off != "+01:00" && off != "+02:00" {
		t.Errorf("server_utc_offset %v, want Berlin's", off)
	}
	secs := out["data_loss_seconds"].(int64)
	if want := int64(lc.env.Clock().Sub(finish) / time.Second); secs < want-60 || secs > want {
		t.Errorf("data_loss_seconds %d, want about %d (to the step's start)", secs, want)
	}
}

// TestApplyBothFoldersOnce: the copy folder and the share hold the same
// sets; each is applied once, up to the share's newest.
func TestApplyBothFoldersOnce(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.bothDirs()
	mark := lc.lab.Mark(t)
	out := lc.mustRun(t)
	if out["files_applied"] != int64(6) || len(lc.restores(t, mark)) != 6 {
		t.Errorf("applied %v (%d restores), want the 6 not yet restored, once each", out["applied"], len(lc.restores(t, mark)))
	}
	if !hasPrefixIn(strs(out["skipped"]), "mgc_") || !strings.Contains(strings.Join(strs(out["skipped"]), "\n"), "the same backup set as") {
		t.Errorf("skipped %v, want the copies named as duplicates", out["skipped"])
	}
}

// TestApplyEdgeCases runs the lab's scenario switches (domain.md's file
// and LSN edge cases) with the whole share copied, as after fs.copy.
func TestApplyEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		sc      lab.Scenario
		pattern string
		check   func(t *testing.T, lc *labCase, out map[string]any, err error)
	}{
		{name: "two servers' files, names out of LSN order", sc: lab.Scenario{MirrorFiles: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				wantApplied(t, out, err, 6)
			}},
		{name: "another database's files, taken by a loose pattern", sc: lab.Scenario{OtherDatabaseFiles: true}, pattern: "mgc*",
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				wantApplied(t, out, err, 6)
				wantSkip(t, out, "mgccomp_", "a backup of database mgccomp, not mgc")
			}},
		{name: "a full backup among the logs", sc: lab.Scenario{FullAmongLogs: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				wantApplied(t, out, err, 6)
				wantSkip(t, out, "mgc_", "not a log backup (Database, BackupType 1)")
			}},
		{name: "several sets in one file", sc: lab.Scenario{MultiSetFile: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(strings.Join(strs(out["applied"]), "\n"), "(set 2)") {
					t.Errorf("applied %v, want a second set of one file (FILE = 2)", out["applied"])
				}
				wantAtTip(t, lc, out)
			}},
		{name: "an empty log backup", sc: lab.Scenario{EmptyLogBackup: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				if err != nil {
					t.Fatal(err)
				}
				wantSkip(t, out, "mgc_", "an empty log backup (FirstLSN = LastLSN = ")
				wantAtTip(t, lc, out)
			}},
		{name: "fork mismatch: a stale file", sc: lab.Scenario{ForkMismatch: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				if err != nil {
					t.Fatal(err)
				}
				wantSkip(t, out, "", "on another recovery fork (FirstRecoveryForkID ")
				wantAtTip(t, lc, out)
			}},
		{name: "truncated newest file", sc: lab.Scenario{Truncated: true},
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				if err != nil {
					t.Fatal(err)
				}
				wantSkip(t, out, "mgc_", "truncated: a partial copy, or a backup still being written (3203/3208)")
				if out["files_applied"].(int64) < 4 {
					t.Errorf("applied %v, want every set before the truncated one", out["applied"])
				}
			}},
		{name: "files that are not log backups", sc: lab.Scenario{OtherFiles: true}, pattern: "*",
			check: func(t *testing.T, lc *labCase, out map[string]any, err error) {
				wantApplied(t, out, err, 6)
				wantSkip(t, out, "", "not a SQL Server backup file (3241)")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lc := newLabCase(t, func(c *lab.Config) { c.Scenario = tt.sc })
			lc.copyShare(t)
			lc.p.Pattern = tt.pattern
			out, err := lc.run(t)
			tt.check(t, lc, out, err)
		})
	}
}

// TestApplyGap: retention deleted a file; nothing is applied, and the
// error names the missing range and the files around it.
func TestApplyGap(t *testing.T) {
	lc := newLabCase(t, func(c *lab.Config) { c.Scenario.Gap = true })
	lc.copyShare(t)
	before := lc.state(t)
	mark := lc.lab.Mark(t)
	_, err := lc.run(t)
	if err == nil || actions.ClassOf(err) != actions.Permanent {
		t.Fatalf("err = %v, want a permanent gap error", err)
	}
	for _, want := range []string{"the log chain of mgc breaks: no log backup holds LSN ", "the last backup before the gap is mgc_",
		"the next one is mgc_", "nothing was applied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v\nwant it to say %q", err, want)
		}
	}
	if got := lc.restores(t, mark); len(got) != 0 || lc.state(t).RedoStartLSN != before.RedoStartLSN {
		t.Errorf("a gap applied %q; want nothing before the chain is whole", got)
	}
	pr, _ := applyAction{}.Probe(context.Background(), lc.env, lc.p)
	in, _ := applyAction{}.Inspect(context.Background(), lc.env, lc.p)
	if pr.State != actions.ProbeNotDone || in.Change != actions.ChangeUnknown || !strings.Contains(in.Summary, "a run would fail before applying anything") {
		t.Errorf("probe %+v, inspection %q", pr, in.Summary)
	}

	lc.p.AllowGap = true
	out := lc.mustRun(t)
	if out["files_applied"].(int64) < 1 || !strings.HasPrefix(out["gap"].(string), "the log chain of mgc breaks") {
		t.Errorf("with allow_gap: %v; want the sets before the gap applied and the gap named", out)
	}
}

// TestApplyInterruptedRestore: the restore job was killed in the next
// set; restoring that same set again finishes it. Another set would get
// 4319, which makes the same file be restored once more WITH RESTART.
func TestApplyInterruptedRestore(t *testing.T) {
	lc := newLabCase(t, func(c *lab.Config) { c.Scenario.InterruptedRestore = true })
	out := lc.mustRun(t)
	if out["files_applied"] != int64(2) {
		t.Errorf("outputs %v, want both applied, the interrupted one first", out)
	}
	wantAtTip(t, lc, out)

	lc = newLabCase(t, nil)
	lc.lab.Inject(t, lab.Fault{Instance: "BACKUP", Match: "RESTORE LOG", Kind: lab.FaultError, Error: 4319})
	mark := lc.lab.Mark(t)
	out = lc.mustRun(t)
	restores := lc.restores(t, mark)
	if out["files_applied"] != int64(2) || len(restores) != 3 || !strings.Contains(restores[1], "NORECOVERY, RESTART") ||
		!strings.Contains(restores[1], strs(out["applied"])[0]) {
		t.Errorf("outputs %v, restores %q; want the first file again WITH RESTART, then the second", out, restores)
	}
}

// TestApplyExclusiveAccess: sessions in the way of RESTORE (3101) are
// ended once, then the restore goes on: sessions holding locks on the
// restoring database from another one, and readers inside a database in
// STANDBY.
func TestApplyExclusiveAccess(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*lab.Config)
		standby bool
	}{
		{name: "lock holders", change: func(c *lab.Config) { c.Scenario.UserSessions = lab.UserSessions{LockHolders: 2} }},
		{name: "readers in standby", standby: true, change: func(c *lab.Config) {
			c.Scenario.UserSessions = lab.UserSessions{Count: 2}
			for i, db := range c.Instances[1].Databases {
				if db.Name == "mgc" {
					c.Instances[1].Databases[i].State = "STANDBY"
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc := newLabCase(t, tt.change)
			if tt.standby {
				lc.p.Mode, lc.p.UndoFile = "STANDBY", winCopy+`\mgc_undo.tuf`
			}
			mark := lc.lab.Mark(t)
			out := lc.mustRun(t)
			kills := 0
			for _, s := range lc.lab.Since(t, mark) {
				if strings.HasPrefix(s.Text, "KILL ") {
					kills++
				}
			}
			if out["files_applied"] != int64(2) || kills != 2 {
				t.Errorf("outputs %v, %d KILLs; want both applied after ending the 2 sessions", out, kills)
			}
		})
	}
}

// TestApplyAlreadyRecovered: RESTORE LOG would give 3117; the step fails
// while logs newer than the last restored one exist, and succeeds when
// none does.
func TestApplyAlreadyRecovered(t *testing.T) {
	lc := newLabCase(t, func(c *lab.Config) { c.Scenario.AlreadyRecovered = true })
	_, err := lc.run(t)
	if err == nil || actions.ClassOf(err) != actions.Permanent || !strings.Contains(err.Error(), "it is recovered, so no more logs can be applied (3117)") {
		t.Errorf("err = %v, want a permanent error about the logs left", err)
	}

	done := newLabCase(t, func(c *lab.Config) {
		c.Scenario.AlreadyRecovered = true
		c.LogShipping.Copied, c.LogShipping.Restored = 12, 12
	})
	out, err := done.run(t)
	if err != nil || out["files_applied"] != int64(0) {
		t.Errorf("recovered with nothing left: %v, %v; want success", out, err)
	}
}

// TestApplyStandby restores WITH STANDBY: the database ends read-only in
// standby, the undo file where it was told.
func TestApplyStandby(t *testing.T) {
	lc := newLabCase(t, nil)
	lc.p.Mode, lc.p.UndoFile = "STANDBY", winCopy+`\mgc_undo.tuf`
	mark := lc.lab.Mark(t)
	out := lc.mustRun(t)
	restores := lc.restores(t, mark)
	if st := lc.state(t); out["files_applied"] != int64(2) || st.Effective() != "STANDBY" || !strings.Contains(restores[0], "STANDBY = @undo") {
		t.Errorf("outputs %v, state %s, restores %q", out, st, restores)
	}
}

// TestApplyInspectChangesNothing: plan --check lists what would be
// applied and skipped, and sends no RESTORE LOG.
func TestApplyInspectChangesNothing(t *testing.T) {
	lc := newLabCase(t, nil)
	before := lc.state(t)
	mark := lc.lab.Mark(t)
	in, err := applyAction{}.Inspect(context.Background(), lc.env, lc.p)
	if err != nil {
		t.Fatal(err)
	}
	if len(lc.restores(t, mark)) != 0 || lc.state(t).RedoStartLSN != before.RedoStartLSN {
		t.Error("inspect restored something")
	}
	if in.Change != actions.ChangeSome || !strings.HasPrefix(in.Summary, "would apply 2 log backup set(s) to mgc, from LSN "+before.RedoStartLSN) {
		t.Errorf("summary %q", in.Summary)
	}
	if len(in.Details) != 8 || !strings.HasPrefix(in.Details[0], "apply 1: mgc_") || !strings.HasPrefix(in.Details[2], "skip mgc_") {
		t.Errorf("details %q", in.Details)
	}
	if in.Outputs["files_applied"] != int64(2) || in.Outputs["last_backup_finish"] == "" {
		t.Errorf("outputs %v", in.Outputs)
	}
}

func wantApplied(t *testing.T, out map[string]any, err error, n int64) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if out["files_applied"] != n {
		t.Errorf("applied %v (%v), want %d", out["applied"], out["files_applied"], n)
	}
}

// wantSkip checks that a skipped entry starts with file and holds why.
func wantSkip(t *testing.T, out map[string]any, file, why string) {
	t.Helper()
	for _, s := range strs(out["skipped"]) {
		if strings.HasPrefix(s, file) && strings.Contains(s, why) {
			return
		}
	}
	t.Errorf("skipped %q, want %s…: %s", out["skipped"], file, why)
}

// wantAtTip checks that the database reached the newest set of the
// share: a probe finds nothing more.
func wantAtTip(t *testing.T, lc *labCase, out map[string]any) {
	t.Helper()
	pr, err := applyAction{}.Probe(context.Background(), lc.env, lc.p)
	if err != nil || pr.State != actions.ProbeDone || lc.state(t).RedoStartLSN != out["last_lsn"] {
		t.Errorf("after the run: probe %+v (%v), state %s, last_lsn %v", pr, err, lc.state(t), out["last_lsn"])
	}
}

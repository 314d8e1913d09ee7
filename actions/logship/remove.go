package logship

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
)

// RemoveParams are the parameters of logship.remove.
type RemoveParams struct {
	Database                   string `param:"database,required" doc:"The log-shipped secondary database, e.g. mgc."`
	BackupSourceDirectory      string `param:"backup_source_directory" doc:"The backup share the plan expects (\\\\dc1-sql01\\logship\\mgc). While msdb still has it, it must match msdb's (case and a trailing backslash aside), else nothing is removed; once it is gone, it is the output of a satisfied step that has no snapshot."`
	BackupDestinationDirectory string `param:"backup_destination_directory" doc:"The copy destination folder the plan expects (D:\\LogShip\\mgc), checked and used like backup_source_directory."`
}

// SnapshotQuery reads the log shipping metadata of one secondary
// database (domain.md A.1): the only record of the share, the copy
// folder and the last files, which the removal deletes.
const SnapshotQuery = `SELECT s.secondary_id, s.primary_server, s.primary_database,
       s.backup_source_directory, s.backup_destination_directory, s.file_retention_period,
       s.last_copied_file, s.last_copied_date,
       d.secondary_database, d.restore_delay, d.restore_all, d.restore_mode,
       d.disconnect_users, d.last_restored_file, d.last_restored_date,
       m.last_copied_date_utc, m.last_restored_date_utc, m.last_restored_latency,
       cj.name AS copy_job_name, rj.name AS restore_job_name
FROM msdb.dbo.log_shipping_secondary AS s
JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id
LEFT JOIN msdb.dbo.log_shipping_monitor_secondary AS m
       ON m.secondary_id = s.secondary_id AND m.secondary_database = d.secondary_database
LEFT JOIN msdb.dbo.sysjobs AS cj ON cj.job_id = s.copy_job_id
LEFT JOIN msdb.dbo.sysjobs AS rj ON rj.job_id = s.restore_job_id
WHERE d.secondary_database = @db`

// removeProc removes a secondary database from log shipping; it runs
// in master, and only for sysadmin.
const removeProc = "master.dbo.sp_delete_log_shipping_secondary_database"

// Snapshot is the log shipping metadata of a secondary database, as
// logship.remove journals it before removing it.
type Snapshot struct {
	SecondaryID                string `json:"secondary_id"`
	PrimaryServer              string `json:"primary_server"`
	PrimaryDatabase            string `json:"primary_database"`
	BackupSourceDirectory      string `json:"backup_source_directory"`
	BackupDestinationDirectory string `json:"backup_destination_directory"`
	FileRetentionPeriod        int64  `json:"file_retention_period"`
	LastCopiedFile             string `json:"last_copied_file"`
	LastCopiedDate             string `json:"last_copied_date"`
	SecondaryDatabase          string `json:"secondary_database"`
	RestoreDelay               int64  `json:"restore_delay"`
	RestoreAll                 bool   `json:"restore_all"`
	// RestoreMode is NORECOVERY or STANDBY.
	RestoreMode         string `json:"restore_mode"`
	DisconnectUsers     bool   `json:"disconnect_users"`
	LastRestoredFile    string `json:"last_restored_file"`
	LastRestoredDate    string `json:"last_restored_date"`
	LastCopiedDateUTC   string `json:"last_copied_date_utc"`
	LastRestoredDateUTC string `json:"last_restored_date_utc"`
	LastRestoredLatency int64  `json:"last_restored_latency"`
	CopyJob             string `json:"copy_job"`
	RestoreJob          string `json:"restore_job"`
}

// Outputs returns the snapshot as step outputs.
func (s Snapshot) Outputs() map[string]any {
	return map[string]any{
		"secondary_id": s.SecondaryID, "primary_server": s.PrimaryServer, "primary_database": s.PrimaryDatabase,
		"backup_source_directory": s.BackupSourceDirectory, "backup_destination_directory": s.BackupDestinationDirectory,
		"file_retention_period": s.FileRetentionPeriod, "last_copied_file": s.LastCopiedFile, "last_copied_date": s.LastCopiedDate,
		"restore_delay": s.RestoreDelay, "restore_all": s.RestoreAll, "restore_mode": s.RestoreMode,
		"disconnect_users": s.DisconnectUsers, "last_restored_file": s.LastRestoredFile, "last_restored_date": s.LastRestoredDate,
		"last_restored_latency": s.LastRestoredLatency, "copy_job": s.CopyJob, "restore_job": s.RestoreJob,
	}
}

// removeOutputs are logship.remove's outputs, as declared.
var removeOutputs = []actions.Output{
	{Name: "backup_source_directory", Doc: "The backup share the primary writes log backups to (msdb's, snapshotted before the removal deleted it)."},
	{Name: "backup_destination_directory", Doc: "The copy destination folder on this secondary."},
	{Name: "last_copied_file", Doc: "The last file the copy job copied."},
	{Name: "last_restored_file", Doc: "The last file the restore job restored."},
	{Name: "last_copied_date", Doc: "When it was copied (server time, RFC 3339)."},
	{Name: "last_restored_date", Doc: "When it was restored (server time, RFC 3339)."},
	{Name: "last_restored_latency", Doc: "Minutes between the backup of the last restored log and its restore."},
	{Name: "primary_server", Doc: "The primary instance."},
	{Name: "primary_database", Doc: "The database on the primary."},
	{Name: "secondary_id", Doc: "The log shipping secondary id."},
	{Name: "file_retention_period", Doc: "Minutes copied files were kept."},
	{Name: "restore_delay", Doc: "Minutes the restore job waited before restoring a file (a failover applies every log regardless)."},
	{Name: "restore_all", Doc: "Whether the restore job restored every file per run."},
	{Name: "restore_mode", Doc: "NORECOVERY or STANDBY: how the restore job left the database."},
	{Name: "disconnect_users", Doc: "Whether the restore job disconnected users."},
	{Name: "copy_job", Doc: "The copy job's name (deleted with the removal)."},
	{Name: "restore_job", Doc: "The restore job's name (deleted with the removal)."},
	{Name: "already_removed", Doc: "True when log shipping was not configured any more: the other outputs then come from the step's journal, or from the paths the plan gave."},
}

// removeAction is logship.remove.
type removeAction struct{}

func removeType() *actions.Type {
	return actions.Define[RemoveParams](actions.Type{
		Name: "logship.remove",
		Kind: actions.KindAction,
		Doc: "Removes a secondary database from log shipping (sp_delete_log_shipping_secondary_database, in " +
			"master, the database as a parameter, its return status checked), as the runbook's first step does. " +
			"The removal deletes the copy and restore jobs and msdb's only record of the backup share, the copy " +
			"folder and the last files; so the step first reads that record, journals it, and returns it as " +
			"outputs for later steps (${steps.ID.outputs.backup_source_directory}). The database itself stays " +
			"RESTORING. Already removed is satisfied, with the outputs journaled by the run that removed it or, " +
			"failing that, the paths the plan gave. Idempotent. Needs sysadmin.",
		Targets:    []string{"sqlserver"},
		Idempotent: true,
		Outputs:    removeOutputs,
	}, removeAction{})
}

// Validate checks the database name.
func (removeAction) Validate(p *RemoveParams) error {
	if err := sqlserver.CheckName(p.Database); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// Preview shows the snapshot query and the procedure call.
func (removeAction) Preview(_ *actions.Env, p *RemoveParams) (string, error) {
	db := sqlserver.Literal(p.Database)
	return fmt.Sprintf("-- parameters: @db = %s\n-- 1. snapshot (journaled before the removal)\n%s\n-- 2.\nEXEC @rc = %s @secondary_database = %s  -- @rc must be 0\n",
		db, SnapshotQuery, removeProc, db), nil
}

// Probe: not configured any more → done, with the journaled snapshot.
func (removeAction) Probe(ctx context.Context, env *actions.Env, p *RemoveParams) (actions.Probe, error) {
	_, found, err := lookAt(ctx, env, p)
	switch {
	case err != nil:
		return actions.Probe{}, err
	case found:
		return actions.Probe{State: actions.ProbeNotDone, Detail: "log shipping of " + p.Database + " is configured"}, nil
	}
	out, err := removedOutputs(env, p)
	if err != nil {
		return actions.Probe{}, err
	}
	return actions.Probe{State: actions.ProbeDone, Detail: "log shipping of " + p.Database + " is not configured", Outputs: out}, nil
}

// Inspect says whether log shipping is configured and what a run would
// return.
func (removeAction) Inspect(ctx context.Context, env *actions.Env, p *RemoveParams) (actions.Inspection, error) {
	snap, found, err := lookAt(ctx, env, p)
	if err != nil {
		return actions.Inspection{}, err
	}
	if !found {
		out, err := removedOutputs(env, p)
		if err != nil {
			return actions.Inspection{}, err
		}
		return actions.Inspection{Change: actions.ChangeNone, Summary: "log shipping of " + p.Database + " is not configured", Outputs: out}, nil
	}
	in := actions.Inspection{Change: actions.ChangeSome, Outputs: withRemoved(snap.Outputs(), false), Data: snap.Outputs(),
		Summary: fmt.Sprintf("would remove log shipping of %s from %s.%s (jobs %s, %s)", p.Database, snap.PrimaryServer, snap.PrimaryDatabase, snap.CopyJob, snap.RestoreJob),
		Details: []string{
			"backup share: " + snap.BackupSourceDirectory, "copy folder: " + snap.BackupDestinationDirectory,
			"last copied: " + snap.LastCopiedFile + " at " + snap.LastCopiedDate,
			"last restored: " + snap.LastRestoredFile + " at " + snap.LastRestoredDate,
		}}
	if err := crossCheck(p, snap); err != nil {
		in.Summary = "would fail: " + err.Error()
	}
	return in, nil
}

// lookAt reads the snapshot; a database that does not exist is an error.
func lookAt(ctx context.Context, env *actions.Env, p *RemoveParams) (Snapshot, bool, error) {
	pool, err := sqlserver.PoolOf(env)
	if err != nil {
		return Snapshot{}, false, err
	}
	st, err := sqlserver.ReadDatabaseState(ctx, pool.DB(), p.Database)
	switch {
	case err != nil:
		return Snapshot{}, false, err
	case !st.Exists:
		return Snapshot{}, false, actions.MarkPermanent(fmt.Errorf("look at log shipping on %s: %s", pool.Target(), st))
	}
	return ReadSnapshot(ctx, pool.DB(), p.Database)
}

// Run snapshots, journals, removes and checks that it is gone.
func (removeAction) Run(ctx context.Context, env *actions.Env, p *RemoveParams) (map[string]any, error) {
	snap, found, err := lookAt(ctx, env, p)
	if err != nil {
		return nil, err
	}
	if !found {
		env.Log.Info().Msg("log shipping of " + p.Database + " is not configured: nothing to remove")
		return removedOutputs(env, p)
	}
	if err := crossCheck(p, snap); err != nil {
		return nil, actions.MarkPermanent(err)
	}
	// Journaled before the removal deletes the only other record of it.
	if err := env.Checkpoint(snap); err != nil {
		return nil, err
	}
	pool, _ := sqlserver.PoolOf(env)
	if err := remove(ctx, pool, p.Database); err != nil {
		return nil, err
	}
	if _, still, err := ReadSnapshot(ctx, pool.DB(), p.Database); err != nil || still {
		return nil, errors.Join(err, fmt.Errorf("remove log shipping of %s on %s: it is still configured after %s", p.Database, pool.Target(), removeProc))
	}
	env.Log.Info().Str("share", snap.BackupSourceDirectory).Str("copy_dir", snap.BackupDestinationDirectory).
		Msg("removed log shipping of " + p.Database + " (the database itself is unchanged)")
	return withRemoved(snap.Outputs(), false), nil
}

// remove calls the procedure on a session in master and checks its
// return status; 32014 (not a secondary any more: removed meanwhile) is
// success.
func remove(ctx context.Context, pool *sqlserver.Pool, db string) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var rs mssql.ReturnStatus
	_, err = conn.ExecContext(ctx, removeProc, sql.Named("secondary_database", db), &rs)
	switch {
	case sqlserver.Has(err, 32014):
		return nil
	case err != nil:
		return pool.Errorf(err, "remove log shipping of %s", db)
	case rs != 0:
		return actions.MarkPermanent(fmt.Errorf("remove log shipping of %s on %s: %s returned %d", db, pool.Target(), removeProc, rs))
	}
	return nil
}

// removedOutputs are the outputs of a step that finds log shipping gone:
// the snapshot its own run journaled, else the paths the plan gave.
func removedOutputs(env *actions.Env, p *RemoveParams) (map[string]any, error) {
	var snap Snapshot
	ok, err := env.LastCheckpoint(&snap)
	if err != nil {
		return nil, err
	}
	if !ok {
		snap = Snapshot{SecondaryDatabase: p.Database, BackupSourceDirectory: p.BackupSourceDirectory,
			BackupDestinationDirectory: p.BackupDestinationDirectory}
	}
	return withRemoved(snap.Outputs(), true), nil
}

func withRemoved(out map[string]any, already bool) map[string]any {
	out["already_removed"] = already
	return out
}

// crossCheck compares the paths the plan gave with msdb's.
func crossCheck(p *RemoveParams, s Snapshot) error {
	var bad []string
	for _, c := range []struct{ name, plan, msdb string }{
		{"backup_source_directory", p.BackupSourceDirectory, s.BackupSourceDirectory},
		{"backup_destination_directory", p.BackupDestinationDirectory, s.BackupDestinationDirectory},
	} {
		if c.plan != "" && !samePath(c.plan, c.msdb) {
			bad = append(bad, fmt.Sprintf("%s is %q in the plan but %q in msdb", c.name, c.plan, c.msdb))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("the plan's paths do not match log shipping's, nothing removed: %s", strings.Join(bad, "; "))
	}
	return nil
}

// samePath compares Windows paths: case and trailing separators aside.
func samePath(a, b string) bool {
	trim := func(s string) string { return strings.TrimRight(strings.ReplaceAll(s, "/", `\`), `\`) }
	return strings.EqualFold(trim(a), trim(b))
}

// ReadSnapshot reads the log shipping metadata of secondary database db
// through q; found is false when it is not (or no longer) a secondary.
func ReadSnapshot(ctx context.Context, q sqlserver.Querier, db string) (Snapshot, bool, error) {
	var (
		s                                             Snapshot
		id                                            mssql.NullUniqueIdentifier
		srv, pdb, src, dst, lcf, sdb, lrf, cjob, rjob sql.NullString
		retention, delay, latency                     sql.NullInt64
		all, mode, disconnect                         sql.NullBool
		lcd, lrd, lcdUTC, lrdUTC                      sql.NullTime
	)
	err := q.QueryRowContext(ctx, SnapshotQuery, sql.Named("db", db)).Scan(&id, &srv, &pdb, &src, &dst, &retention,
		&lcf, &lcd, &sdb, &delay, &all, &mode, &disconnect, &lrf, &lrd, &lcdUTC, &lrdUTC, &latency, &cjob, &rjob)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, false, nil
	case err != nil:
		return s, false, sqlserver.Classify(fmt.Errorf("read the log shipping metadata of %s: %w", db, err))
	}
	if id.Valid {
		s.SecondaryID = id.UUID.String()
	}
	s.PrimaryServer, s.PrimaryDatabase, s.BackupSourceDirectory, s.BackupDestinationDirectory = srv.String, pdb.String, src.String, dst.String
	s.FileRetentionPeriod, s.LastCopiedFile, s.LastCopiedDate = retention.Int64, lcf.String, timeText(lcd, "")
	s.SecondaryDatabase, s.RestoreDelay, s.RestoreAll, s.DisconnectUsers = sdb.String, delay.Int64, all.Bool, disconnect.Bool
	s.RestoreMode = "NORECOVERY"
	if mode.Bool {
		s.RestoreMode = "STANDBY"
	}
	s.LastRestoredFile, s.LastRestoredDate = lrf.String, timeText(lrd, "")
	s.LastCopiedDateUTC, s.LastRestoredDateUTC, s.LastRestoredLatency = timeText(lcdUTC, "Z"), timeText(lrdUTC, "Z"), latency.Int64
	s.CopyJob, s.RestoreJob = cjob.String, rjob.String
	return s, true, nil
}

// timeText renders a datetime for outputs; "" when NULL. msdb's
// datetimes carry no zone: server time is written without one, the
// _utc columns with Z.
func timeText(t sql.NullTime, zone string) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format("2006-01-02T15:04:05.000") + zone
}

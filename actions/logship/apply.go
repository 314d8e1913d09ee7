package logship

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
)

// ApplyParams are the parameters of logship.apply.
type ApplyParams struct {
	Database  string   `param:"database,required" doc:"The database to restore the log backups to (mgc)."`
	Dir       string   `param:"dir" doc:"Folder of the log backups as SQL Server sees it: RESTORE reads each file by this path, as the SQL Server service account, on the SQL Server host (D:\\LogShip\\mgc). Give dir or dirs."`
	Dirs      []string `param:"dirs" doc:"Several folders, as dir (the copy folder and the share, say); a backup set found in two of them is applied once."`
	LocalDir  string   `param:"local_dir" doc:"The folder of dir as the host running failover reaches it, where the files are listed (default: dir). Needed when failover runs on another host than SQL Server (\\\\dc2-sql01\\D$\\LogShip\\mgc) and in the lab (${vars.copy_dir_local})."`
	LocalDirs []string `param:"local_dirs" doc:"The folders of dirs as the host running failover reaches them, in the same order (default: dirs)."`
	Pattern   string   `param:"pattern" doc:"Glob of the file names to look at, case-insensitive (default: <source_database>_*.trn). Files are judged by their headers, never by name: a pattern that also takes another database's files (mgc* takes mgccomp_*) is safe."`
	Mode      string   `param:"mode,enum=NORECOVERY|STANDBY" default:"NORECOVERY" doc:"How each log is restored: NORECOVERY (the database stays RESTORING; recover it in a separate, later step) or STANDBY (read-only between restores, with undo_file)."`
	UndoFile  string   `param:"undo_file" doc:"With mode STANDBY: the undo file, as SQL Server sees it (D:\\LogShip\\mgc_undo.tuf); it must stay where it is until recovery."`
	// SourceDatabase is the name the backups' headers carry.
	SourceDatabase          string `param:"source_database" doc:"The database name the backups' headers must carry (default: database); other databases' files in the folder are skipped."`
	AllowGap                bool   `param:"allow_gap" doc:"A break in the log chain is not an error: the logs before it are applied and the step warns with the missing LSN range. Without it a gap fails the step before anything is applied."`
	AllowComplianceDatabase bool   `param:"allow_compliance_database" doc:"Allow mgccomp, Persistent Chat's compliance database, which the runbook never fails over (its content is transient): logship.apply refuses it otherwise."`
}

// complianceDatabases are databases the Persistent Chat runbook never
// fails over (domain.md edge case 27).
var complianceDatabases = []string{"mgccomp"}

// applyAction is logship.apply.
type applyAction struct{}

func applyType() *actions.Type {
	return actions.Define[ApplyParams](actions.Type{
		Name: "logship.apply",
		Kind: actions.KindAction,
		Doc: "Applies every log backup the database still needs, in LSN order (runbook step 3). It reads the " +
			"database's restore point (redo_start_lsn and recovery fork), the header of each file in dir (RESTORE " +
			"HEADERONLY, cached for the run), keeps the log backups of the database and fork, skips what is applied, " +
			"and fails before applying anything when the chain has a gap, naming the missing LSN range and the files " +
			"around it. Each set is restored WITH NORECOVERY (or STANDBY) and FILE = its position, the restore point " +
			"re-read after each, a checkpoint journaled after each; an interrupted restore (4319) is redone WITH " +
			"RESTART, sessions in the way (3101) are ended once. The folder is listed again before the step ends, " +
			"so backups that arrived meanwhile are applied too. Outputs say how far the database got and the " +
			"data-loss window: when the last applied log backup finished. Idempotent: a second run applies nothing.",
		Targets: []string{"sqlserver"},
		Outputs: []actions.Output{
			{Name: "files_applied", Doc: "Log backup sets applied (over every attempt of the step)."},
			{Name: "applied", Doc: "The sets this attempt applied, in order (at most 100, then a count)."},
			{Name: "last_lsn", Doc: "The LSN the database reached (its redo_start_lsn), as decimal digits."},
			{Name: "last_file", Doc: "The last log backup applied, or the one the database already ended with."},
			{Name: "last_backup_finish", Doc: "When that backup finished, in UTC (RFC 3339; converted from the server's local time); \"\" when no file holds it."},
			{Name: "data_loss_seconds", Doc: "Seconds from that finish to the start of the step: what the failover loses at least; -1 when unknown."},
			{Name: "data_loss_window", Doc: "The same, in words."},
			{Name: "files_skipped", Doc: "Files and sets not applied (already applied, other databases, not log backups, unreadable, …)."},
			{Name: "skipped", Doc: "\"file: reason\" of each (at most 100, then a count)."},
			{Name: "gap", Doc: "With allow_gap: the break in the chain that stopped it; \"\" when none."},
			{Name: "server_utc_offset", Doc: "The server's offset from UTC used to convert its dates (+01:00)."},
		},
		Idempotent: true,
	}, applyAction{})
}

// Validate checks the folders, the mode and the database guard.
func (applyAction) Validate(p *ApplyParams) error { return validateApply(p) }

func validateApply(p *ApplyParams) error {
	switch {
	case strings.TrimSpace(p.Database) == "":
		return errors.New("database must not be empty")
	case p.Dir == "" && len(p.Dirs) == 0:
		return errors.New("give dir (or dirs): the folder of the log backups as SQL Server sees it")
	case p.Dir != "" && len(p.Dirs) > 0:
		return errors.New("give dir or dirs, not both")
	case p.LocalDir != "" && p.Dir == "":
		return errors.New("local_dir goes with dir; with dirs, give local_dirs")
	case len(p.LocalDirs) > 0 && len(p.LocalDirs) != len(p.Dirs):
		return fmt.Errorf("local_dirs has %d folder(s), dirs %d: give one local folder per folder, in the same order", len(p.LocalDirs), len(p.Dirs))
	case p.Mode == "STANDBY" && p.UndoFile == "":
		return errors.New("mode STANDBY needs undo_file: where SQL Server keeps the undo file between restores")
	case p.Mode != "STANDBY" && p.UndoFile != "":
		return errors.New("undo_file goes with mode: STANDBY")
	}
	for i, d := range p.Dirs {
		if strings.TrimSpace(d) == "" {
			return fmt.Errorf("dirs item %d is empty", i+1)
		}
	}
	if p.Pattern != "" && (strings.ContainsAny(p.Pattern, `/\`) || !doublestar.ValidatePattern(p.Pattern)) {
		return fmt.Errorf("pattern %q must be a glob of file names (no folders), such as mgc_*.trn", p.Pattern)
	}
	return guardDatabase(p)
}

// guardDatabase refuses the compliance database unless allowed.
func guardDatabase(p *ApplyParams) error {
	if p.AllowComplianceDatabase {
		return nil
	}
	for _, db := range []string{p.Database, p.SourceDatabase} {
		for _, c := range complianceDatabases {
			if strings.EqualFold(db, c) {
				return fmt.Errorf("logship.apply refuses %s: it is Persistent Chat's compliance database, which the runbook never fails over (its content is transient); set allow_compliance_database: true if you mean it", db)
			}
		}
	}
	return nil
}

// Preview shows the statements a run sends and what they are sent for.
func (applyAction) Preview(_ *actions.Env, p *ApplyParams) (string, error) {
	dirs := folders(p)
	var b strings.Builder
	fmt.Fprintf(&b, "RESTORE HEADERONLY FROM DISK = @path\n  for each file matching %s in %s\n", patternOf(p), joinSQLDirs(dirs))
	fmt.Fprintf(&b, "%s\n  @db = %s; for each log backup set of %s that continues the chain from redo_start_lsn, in LSN order",
		restoreStatement(p.Mode, false), sqlserver.Literal(p.Database), sourceOf(p))
	if p.Mode == "STANDBY" {
		fmt.Fprintf(&b, "; @undo = %s", sqlserver.Literal(p.UndoFile))
	}
	return b.String(), nil
}

// Run applies once: every log backup the database still needs.
func (applyAction) Run(ctx context.Context, env *actions.Env, p *ApplyParams) (map[string]any, error) {
	a, err := newApplier(ctx, env, p)
	if err != nil {
		return nil, err
	}
	defer a.close()
	return a.run(ctx)
}

// folders pairs dir(s) with the folders where they are listed.
func folders(p *ApplyParams) []dirPair {
	if p.Dir != "" {
		local := p.LocalDir
		if local == "" {
			local = p.Dir
		}
		return []dirPair{{SQL: p.Dir, Local: local}}
	}
	out := make([]dirPair, len(p.Dirs))
	for i, d := range p.Dirs {
		out[i] = dirPair{SQL: d, Local: d}
		if i < len(p.LocalDirs) {
			out[i].Local = p.LocalDirs[i]
		}
	}
	return out
}

func joinSQLDirs(dirs []dirPair) string {
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = d.SQL
	}
	return strings.Join(names, ", ")
}

// sourceOf is the database name the headers must carry.
func sourceOf(p *ApplyParams) string {
	if p.SourceDatabase != "" {
		return p.SourceDatabase
	}
	return p.Database
}

// patternOf is the file name pattern: <source_database>_*.trn unless
// given.
func patternOf(p *ApplyParams) string {
	if p.Pattern != "" {
		return p.Pattern
	}
	return sourceOf(p) + "_*.trn"
}

// headerCacheOf is the run's header cache, kept in the Pool.
func headerCacheOf(pool *sqlserver.Pool) *headerCache {
	return pool.Shared(cacheKeyName, func() any { return newHeaderCache() }).(*headerCache)
}

package logship

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
	"github.com/failover-dev/failover/internal/lsn"
)

// maxScans bounds the re-scans of one run: a live primary writing a new
// log backup every few minutes must not keep the step running forever.
const maxScans = 20

// applyCheckpoint is what logship.apply journals after each set applied:
// the step's totals and where the database got. A resumed step needs no
// more: the database's restore point says which sets are applied.
type applyCheckpoint struct {
	// StartLSN is where the database stood when the step began: sets
	// ending after it and already applied were applied by the step.
	StartLSN   string `json:"start_lsn"`
	Applied    int64  `json:"applied"`
	LastLSN    string `json:"last_lsn"`
	LastFile   string `json:"last_file"`
	LastFinish string `json:"last_finish,omitempty"`
}

// applier is one call of logship.apply (run, probe or inspect).
type applier struct {
	env   *actions.Env
	p     *ApplyParams
	pool  *sqlserver.Pool
	conn  *sql.Conn
	dirs  []dirPair
	cache *headerCache
	clock serverClock
	// started is when the call began: the data-loss window is measured
	// to it.
	started time.Time
	base    applyCheckpoint
	applied []backupSet
	// startLSN is the restore point when the step began (from the
	// checkpoint of an earlier attempt, else this attempt's first scan).
	startLSN lsn.LSN
}

// newApplier opens the pinned session (in master) and reads the
// server's clock offset and the step's last checkpoint.
func newApplier(ctx context.Context, env *actions.Env, p *ApplyParams) (*applier, error) {
	pool, err := sqlserver.PoolOf(env)
	if err != nil {
		return nil, actions.MarkPermanent(err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	a := &applier{env: env, p: p, pool: pool, conn: conn, dirs: folders(p), cache: headerCacheOf(pool), started: env.Clock()}
	if a.clock, err = readServerClock(ctx, conn); err != nil {
		conn.Close()
		return nil, err
	}
	if _, err := env.LastCheckpoint(&a.base); err != nil {
		conn.Close()
		return nil, err
	}
	return a, nil
}

func (a *applier) close() { a.conn.Close() }

// scanResult is one look at the folders from a restore point.
type scanResult struct {
	point      restorePoint
	plan       chainPlan
	unreadable []skipped
	files      int
}

// scan reads the restore point, lists the folders, reads the headers
// and plans the chain.
func (a *applier) scan(ctx context.Context) (scanResult, error) {
	rp, err := readRestorePoint(ctx, a.conn, a.p.Database)
	if err != nil {
		return scanResult{}, err
	}
	cands, err := listCandidates(a.dirs, patternOf(a.p))
	if err != nil {
		return scanResult{}, actions.MarkPermanent(err)
	}
	sets, unreadable, err := readHeaders(ctx, a.pool.DB(), a.cache, cands)
	if err != nil {
		// What was read is kept: plan --check says it when the login
		// may not read the headers.
		return scanResult{point: rp, files: len(cands)}, err
	}
	plan := planChain(rp.Redo, rp.Fork, sourceOf(a.p), sets)
	return scanResult{point: rp, plan: plan, unreadable: unreadable, files: len(cands)}, nil
}

// run applies the chain, then looks at the folders again for backups
// that arrived meanwhile, until a look finds nothing more to apply.
func (a *applier) run(ctx context.Context) (map[string]any, error) {
	var sc scanResult
	for pass := 0; pass < maxScans; pass++ {
		var err error
		if sc, err = a.scan(ctx); err != nil {
			return nil, err
		}
		a.noteStart(sc.point.Redo)
		if err := a.check(sc); err != nil {
			return nil, err
		}
		if len(sc.plan.Apply) == 0 {
			break
		}
		if err := a.applyPlan(ctx, sc.plan); err != nil {
			return nil, err
		}
		if sc.plan.Gap != nil {
			break // allow_gap: nothing past it can be applied
		}
	}
	out := a.outputs(sc)
	a.env.Log.Info().Int64("applied", out["files_applied"].(int64)).Str("last_lsn", out["last_lsn"].(string)).
		Str("last_file", out["last_file"].(string)).Str("last_backup_finish", out["last_backup_finish"].(string)).
		Int64("data_loss_seconds", out["data_loss_seconds"].(int64)).Msg("logs applied: " + out["data_loss_window"].(string))
	return out, nil
}

// check refuses what must not be applied to: a recovered database with
// logs it still needed, a chain with a gap (unless allow_gap).
func (a *applier) check(sc scanResult) error {
	rp, plan := sc.point, sc.plan
	if rp.State.Recovered() {
		return recoveredError(rp, plan, a.p.Database)
	}
	if plan.Gap != nil && !a.p.AllowGap {
		msg := plan.Gap.message(a.p.Database, sc.unreadable)
		if len(a.applied) == 0 {
			msg += "; nothing was applied. Find the missing backup (the primary's backup folder, the share) and run the step again, or accept the data loss with allow_gap: true"
		} else {
			msg += fmt.Sprintf("; %d set(s) were applied before it showed (new files arrived)", len(a.applied))
		}
		return actions.MarkPermanent(errors.New(msg))
	}
	return nil
}

// recoveredError is the answer for a recovered database: nothing to do
// when no file holds a log after the last one restored (by msdb), else
// an error that says what can no longer be applied.
func recoveredError(rp restorePoint, plan chainPlan, db string) error {
	switch {
	case !rp.FromHistory:
		return actions.MarkPermanent(fmt.Errorf("%s: it is recovered, and msdb has no restore history to tell whether logs were left unapplied (3117 for any RESTORE LOG)", rp.State))
	case len(plan.Apply) > 0 || plan.Gap != nil:
		first := plan.Gap.afterOr(plan.Apply)
		return actions.MarkPermanent(fmt.Errorf("%s: it is recovered, so no more logs can be applied (3117), but log backups newer than the last one restored (LSN %s by msdb) are there, the first %s: their data is lost unless the database is restored again from a full backup",
			rp.State, rp.Redo, first))
	}
	return nil
}

// afterOr names the first set past the restore point.
func (g *gapInfo) afterOr(apply []backupSet) string {
	if len(apply) > 0 {
		return apply[0].ref()
	}
	return g.After.ref()
}

// applyPlan restores the planned sets in order, re-reading the restore
// point after each: it must have moved to the set's LastLSN. A set found
// applied meanwhile (4326) ends the pass: the next scan plans afresh.
func (a *applier) applyPlan(ctx context.Context, plan chainPlan) error {
	total := int64(len(a.applied) + len(plan.Apply))
	for _, s := range plan.Apply {
		if err := ctx.Err(); err != nil {
			// Never begin a restore after the attempt ended: one cut
			// short would cost a RESTART.
			return err
		}
		a.report(int64(len(a.applied)), total, s)
		err := a.restoreSet(ctx, s)
		if errors.Is(err, errAlreadyApplied) {
			a.env.Log.Info().Str("file", s.ref()).Msg("already applied (4326): reading the restore point again")
			return nil
		}
		if err != nil {
			return err
		}
		rp, err := readRestorePoint(ctx, a.conn, a.p.Database)
		if err != nil {
			return err
		}
		if rp.Redo != s.LastLSN && !rp.State.Recovered() {
			return actions.MarkPermanent(fmt.Errorf("restored %s (LSN %s), but the database's redo_start_lsn is %s, not %s: stopping before anything else is applied",
				s.ref(), s.lsnRange(), rp.Redo, s.LastLSN))
		}
		a.applied = append(a.applied, s)
		if err := a.env.Checkpoint(a.checkpoint(s)); err != nil {
			return fmt.Errorf("journal the log applied: %w", err)
		}
		a.env.Log.Info().Str("file", s.ref()).Str("lsn", s.LastLSN.String()).Int("n", len(a.applied)).
			Int64("of", total).Msg("log backup applied")
	}
	a.report(int64(len(a.applied)), total, plan.Apply[len(plan.Apply)-1])
	return nil
}

func (a *applier) report(done, total int64, s backupSet) {
	a.env.Report(actions.Progress{Done: done, Total: total, Unit: "logs", Item: fmt.Sprintf("%s (LSN %s)", s.ref(), s.lsnRange())})
}

func (a *applier) checkpoint(s backupSet) applyCheckpoint {
	return applyCheckpoint{StartLSN: a.startLSN.String(), Applied: a.base.Applied + int64(len(a.applied)), LastLSN: s.LastLSN.String(),
		LastFile: s.ref(), LastFinish: utcText(a.clock.UTC(s.Finish))}
}

// utcText writes a UTC time in RFC 3339; "" for the zero time.
func utcText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/actions"
)

// RecoverParams are the parameters of db.recover.
type RecoverParams struct {
	Database string `param:"database,required" doc:"The database to bring online, e.g. mgc."`
	Rounds   int    `param:"rounds" default:"3" doc:"How often sessions that block the restore are listed and ended (see db.kill_sessions)."`
}

// recoverStatement is the one RESTORE db.recover sends; the database
// is a parameter.
const recoverStatement = "RESTORE DATABASE @db WITH RECOVERY"

// recoverCheckpoint is what db.recover journals: that it set the
// database SINGLE_USER, before it does, so that a resumed or repeated
// step puts MULTI_USER back, and never for a setting it found.
type recoverCheckpoint struct {
	SingleUserSet bool `json:"single_user_set"`
}

// recoverAction is db.recover.
type recoverAction struct{}

func recoverType() *actions.Type {
	return actions.Define[RecoverParams](actions.Type{
		Name: "db.recover",
		Kind: actions.KindAction,
		Doc: "Brings a restoring database online: RESTORE DATABASE … WITH RECOVERY, on a session in master. " +
			"A database already ONLINE (not in standby) is satisfied and left alone. Sessions that would block " +
			"the restore are ended first (lock holders, with KILL); a database in STANDBY with readers is set " +
			"SINGLE_USER WITH ROLLBACK IMMEDIATE first, and MULTI_USER again afterwards (only when this step " +
			"set it, as journaled before it did). After the restore the database must be ONLINE, else the step " +
			"fails. A connection lost during the restore is not trusted either way: the state is read again. " +
			"RECOVERY_PENDING, SUSPECT, OFFLINE and EMERGENCY are refused. Idempotent. Recovery is final: no " +
			"log backup can be applied afterwards, so gate it on the last log being applied.",
		Targets:    []string{"sqlserver"},
		Idempotent: true,
		Outputs: []actions.Output{
			{Name: "state", Doc: "The database's state afterwards: ONLINE."},
			{Name: "already_online", Doc: "True when the database was ONLINE already and nothing was restored."},
			{Name: "sessions_ended", Doc: "How many sessions were ended first."},
			{Name: "user_access", Doc: "MULTI_USER, or what the database had when this step did not change it."},
		},
	}, recoverAction{})
}

// Validate checks the database name and rounds.
func (recoverAction) Validate(p *RecoverParams) error {
	return killAction{}.Validate(&KillParams{Database: p.Database, Rounds: p.Rounds})
}

// Preview shows the statements a run sends.
func (recoverAction) Preview(_ *actions.Env, p *RecoverParams) (string, error) {
	q := mustQuote(p.Database)
	return fmt.Sprintf(`-- parameters: @db = %s
-- 1. the state: nothing to do when ONLINE and not in standby
%s
-- 2. sessions in the way: RESTORING, KILL <session_id> for each lock holder listed (db.kill_sessions);
--    STANDBY with readers: ALTER DATABASE %s SET SINGLE_USER WITH ROLLBACK IMMEDIATE
-- 3.
%s
-- 4. the state again: ONLINE, else the step fails; if step 2 set SINGLE_USER:
ALTER DATABASE %s SET MULTI_USER
`, Literal(p.Database), databaseStateQuery, q, recoverStatement, q), nil
}

// Probe: ONLINE and not in standby → done, unless this step set
// SINGLE_USER and it still is (a run puts MULTI_USER back).
func (recoverAction) Probe(ctx context.Context, env *actions.Env, p *RecoverParams) (actions.Probe, error) {
	pool, err := PoolOf(env)
	if err != nil {
		return actions.Probe{}, err
	}
	st, err := ReadDatabaseState(ctx, pool.DB(), p.Database)
	if err != nil {
		return actions.Probe{}, err
	}
	var cp recoverCheckpoint
	if _, err := env.LastCheckpoint(&cp); err != nil {
		return actions.Probe{}, err
	}
	switch {
	case st.Recovered() && cp.SingleUserSet && st.UserAccess == "SINGLE_USER":
		return actions.Probe{State: actions.ProbeNotDone, Detail: st.String() + ", set by this step: a run sets MULTI_USER"}, nil
	case st.Recovered():
		return actions.Probe{State: actions.ProbeDone, Detail: st.String() + " and not in standby: recovered",
			Outputs: recoverOutputs(st, true, 0)}, nil
	}
	return actions.Probe{State: actions.ProbeNotDone, Detail: st.String()}, nil
}

// Inspect says what a run would do now.
func (recoverAction) Inspect(ctx context.Context, env *actions.Env, p *RecoverParams) (actions.Inspection, error) {
	list, st, err := lookAtSessions(ctx, env, p.Database)
	if err != nil {
		return actions.Inspection{}, err
	}
	in := actions.Inspection{Change: actions.ChangeSome, Details: append([]string{st.String()}, sessionLines(list)...),
		Data: map[string]any{"database": st.Outputs(), "sessions": sessionOutputs(list)}}
	switch {
	case st.Recovered():
		in.Change, in.Summary, in.Outputs = actions.ChangeNone, st.String()+": nothing to recover", recoverOutputs(st, true, 0)
	case refusal(st) != nil:
		in.Summary = "would fail: " + refusal(st).Error()
	case st.Effective() == "STANDBY" && len(list) > 0:
		in.Summary = fmt.Sprintf("would set %s SINGLE_USER (%d session(s) read it), restore WITH RECOVERY, then MULTI_USER", p.Database, len(list))
	case len(list) > 0:
		in.Summary = fmt.Sprintf("would end %d session(s), then restore %s WITH RECOVERY", len(list), p.Database)
	default:
		in.Summary = fmt.Sprintf("would restore %s WITH RECOVERY: no log backup can be applied afterwards", p.Database)
	}
	return in, nil
}

// refusal says why a database cannot be recovered by this step.
func refusal(st DatabaseState) error {
	switch e := st.Effective(); {
	case !st.Exists:
		return errors.New(st.String())
	case e != "RESTORING" && e != "STANDBY" && !st.Recovered():
		return fmt.Errorf("%s: RESTORE … WITH RECOVERY needs it RESTORING or in STANDBY; escalate to a DBA", st)
	}
	return nil
}

// Run recovers the database.
func (recoverAction) Run(ctx context.Context, env *actions.Env, p *RecoverParams) (map[string]any, error) {
	pool, conn, err := sessionOf(ctx, env)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	r := &recoverer{env: env, pool: pool, conn: conn, p: p}
	if _, err := env.LastCheckpoint(&r.cp); err != nil {
		return nil, err
	}
	return r.run(ctx)
}

// recoverer does one attempt of db.recover on a session in master.
type recoverer struct {
	env  *actions.Env
	pool *Pool
	conn *sql.Conn
	p    *RecoverParams
	cp   recoverCheckpoint
	// ended counts the sessions this attempt ended.
	ended int
}

func (r *recoverer) run(ctx context.Context) (map[string]any, error) {
	st, err := ReadDatabaseState(ctx, r.conn, r.p.Database)
	if err != nil {
		return nil, err
	}
	if err := refusal(st); err != nil {
		return nil, actions.MarkPermanent(fmt.Errorf("recover on %s: %w", r.pool.Target(), err))
	}
	if st.Recovered() {
		r.env.Log.Info().Msg(st.String() + " and not in standby: already recovered, nothing to restore")
		return r.finish(ctx, st, true)
	}
	if err := r.clear(ctx, st); err != nil {
		return nil, err
	}
	if err := r.restore(ctx); err != nil {
		return nil, err
	}
	st, err = ReadDatabaseState(ctx, r.pool.DB(), r.p.Database)
	if err != nil {
		return nil, err
	}
	if !st.Recovered() {
		return nil, actions.MarkPermanent(fmt.Errorf("recover on %s: after %s, %s, not ONLINE", r.pool.Target(), recoverStatement, st))
	}
	return r.finish(ctx, st, false)
}

// clear gets the sessions out of the way: a STANDBY database with
// readers goes SINGLE_USER (journaled first); lock holders are ended.
func (r *recoverer) clear(ctx context.Context, st DatabaseState) error {
	list, err := ListSessions(ctx, r.conn, r.p.Database)
	if err != nil || len(list) == 0 {
		return err
	}
	if st.Effective() == "STANDBY" && st.UserAccess == "MULTI_USER" {
		r.cp.SingleUserSet = true
		if err := r.env.Checkpoint(r.cp); err != nil {
			return err
		}
		stmt := "ALTER DATABASE " + mustQuote(r.p.Database) + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE"
		if _, err := r.conn.ExecContext(ctx, stmt); err != nil {
			return r.pool.Errorf(err, "set %s SINGLE_USER", r.p.Database)
		}
		r.env.Log.Info().Int("sessions", len(list)).Msg("set " + r.p.Database + " SINGLE_USER WITH ROLLBACK IMMEDIATE")
		r.ended += len(list)
	}
	return r.endSessions(ctx)
}

// endSessions ends what still uses the database (db.kill_sessions).
func (r *recoverer) endSessions(ctx context.Context) error {
	k := &killer{env: r.env, pool: r.pool, conn: r.conn, db: r.p.Database}
	err := k.rounds(ctx, r.p.Rounds)
	r.ended += len(k.done.Ended)
	return err
}

// restore sends RESTORE … WITH RECOVERY; sessions that came back in
// between (3101) are ended once more and the restore tried again. A
// connection lost on the way leaves the outcome unknown: the state,
// read on another session, decides.
func (r *recoverer) restore(ctx context.Context) error {
	err := r.restoreOnce(ctx)
	if Has(err, 3101) {
		r.env.Log.Warn().Msg("sessions came back before the restore (3101): ending them again")
		if err := r.endSessions(ctx); err != nil {
			return err
		}
		err = r.restoreOnce(ctx)
	}
	switch {
	case err == nil:
		return nil
	case Has(err, 3153):
		return nil // recovered meanwhile: the state read next says so
	case Has(err, 4319):
		return actions.MarkPermanent(fmt.Errorf("%w: a RESTORE LOG was interrupted: apply the logs again (logship.apply restarts that file) before recovering", err))
	case Numbers(err) == nil && ctx.Err() == nil:
		st, serr := ReadDatabaseState(ctx, r.pool.DB(), r.p.Database)
		if serr == nil && st.Recovered() {
			r.env.Log.Warn().Err(err).Msg("the connection was lost after RESTORE … WITH RECOVERY was sent; " + st.String() + ": it was recovered")
			return nil
		}
	}
	return err
}

// restoreOnce sends the RESTORE, logging its messages with the step.
func (r *recoverer) restoreOnce(ctx context.Context) error {
	_, err := r.pool.Batch(ctx, r.conn, recoverStatement, []any{sql.Named("db", r.p.Database)}, func(m mssql.Error, isError bool) {
		ev := r.env.Log.Info()
		if isError {
			ev = r.env.Log.Warn().Int32("error", m.Number)
		}
		ev.Msg(m.Message)
	})
	return r.pool.Errorf(err, "restore %s with recovery", r.p.Database)
}

// finish puts MULTI_USER back when this step set SINGLE_USER.
func (r *recoverer) finish(ctx context.Context, st DatabaseState, already bool) (map[string]any, error) {
	if r.cp.SingleUserSet && st.UserAccess == "SINGLE_USER" {
		stmt := "ALTER DATABASE " + mustQuote(r.p.Database) + " SET MULTI_USER"
		if _, err := r.pool.DB().ExecContext(ctx, stmt); err != nil {
			return nil, r.pool.Errorf(err, "set %s MULTI_USER again", r.p.Database)
		}
		r.env.Log.Info().Msg("set " + r.p.Database + " MULTI_USER again")
		st.UserAccess = "MULTI_USER"
	}
	if r.cp.SingleUserSet {
		r.cp.SingleUserSet = false
		if err := r.env.Checkpoint(r.cp); err != nil {
			return nil, err
		}
	}
	return recoverOutputs(st, already, r.ended), nil
}

// recoverOutputs renders the outcome.
func recoverOutputs(st DatabaseState, already bool, ended int) map[string]any {
	return map[string]any{"state": st.Effective(), "already_online": already, "sessions_ended": int64(ended), "user_access": st.UserAccess}
}

package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// KillParams are the parameters of db.kill_sessions.
type KillParams struct {
	Database string `param:"database,required" doc:"The database whose sessions are ended, e.g. mgc."`
	Rounds   int    `param:"rounds" default:"3" doc:"How often the sessions are listed and ended: Lync services reconnect at once, so sessions that came back are ended again, up to this many rounds."`
}

// maxEndedKept bounds the ended sessions a checkpoint holds.
const maxEndedKept = 200

// killAction is db.kill_sessions.
type killAction struct{}

func killType() *actions.Type {
	return actions.Define[KillParams](actions.Type{
		Name: "db.kill_sessions",
		Kind: actions.KindAction,
		Doc: "Ends the sessions that use a database: those whose current database it is and those holding a " +
			"lock on it from another database (sys.dm_exec_sessions, sys.dm_tran_locks; sys.sysprocesses " +
			"before SQL Server 2012), with KILL. Never our own session, nor any session whose program_name " +
			"starts with failover/. A session that ended meanwhile (6106) counts as ended; a system process " +
			"(6107) is skipped. Sessions that come back are ended again, up to `rounds` times; any still there " +
			"fail the attempt (retryable). Idempotent. A RESTORING database has no session inside it, only " +
			"lock holders; clear the Persistent Chat active servers first so that Lync does not reconnect.",
		Targets:    []string{"sqlserver"},
		Idempotent: true,
		Outputs: []actions.Output{
			{Name: "ended", Doc: "The sessions ended: a list of {session_id, login, host, program, holds_lock}."},
			{Name: "ended_count", Doc: "How many sessions were ended."},
			{Name: "skipped", Doc: "System sessions that cannot be ended (6107), as ended lists them."},
		},
	}, killAction{})
}

// Validate checks the database name and rounds.
func (killAction) Validate(p *KillParams) error {
	if err := CheckName(p.Database); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if p.Rounds < 1 || p.Rounds > 100 {
		return fmt.Errorf("rounds must be from 1 to 100, got %d", p.Rounds)
	}
	return nil
}

// Preview shows the query that lists the sessions and the KILL each gets.
func (killAction) Preview(_ *actions.Env, p *KillParams) (string, error) {
	return fmt.Sprintf("-- parameters: @db = %s\n%s\n-- then, for each session listed, up to %d rounds:\nKILL <session_id>\n",
		Literal(p.Database), sessionsQuery, p.Rounds), nil
}

// killCheckpoint is what db.kill_sessions journals after each round.
type killCheckpoint struct {
	Ended   []Session `json:"ended"`
	Skipped []Session `json:"skipped"`
}

// Probe: no session uses the database → done.
func (killAction) Probe(ctx context.Context, env *actions.Env, p *KillParams) (actions.Probe, error) {
	list, st, err := lookAtSessions(ctx, env, p.Database)
	switch {
	case err != nil:
		return actions.Probe{}, err
	case !st.Exists:
		return actions.Probe{State: actions.ProbeNotDone, Detail: st.String()}, nil
	case len(list) > 0:
		return actions.Probe{State: actions.ProbeNotDone, Detail: fmt.Sprintf("%d session(s) use %s", len(list), p.Database)}, nil
	}
	var cp killCheckpoint
	if _, err := env.LastCheckpoint(&cp); err != nil {
		return actions.Probe{}, err
	}
	return actions.Probe{State: actions.ProbeDone, Detail: "no session uses " + p.Database, Outputs: killOutputs(cp)}, nil
}

// Inspect lists the sessions a run would end.
func (killAction) Inspect(ctx context.Context, env *actions.Env, p *KillParams) (actions.Inspection, error) {
	list, st, err := lookAtSessions(ctx, env, p.Database)
	switch {
	case err != nil:
		return actions.Inspection{}, err
	case !st.Exists:
		return actions.Inspection{Change: actions.ChangeSome, Summary: "would fail: " + st.String()}, nil
	case len(list) == 0:
		return actions.Inspection{Change: actions.ChangeNone, Summary: fmt.Sprintf("no session uses %s (%s)", p.Database, st.Effective()),
			Outputs: killOutputs(killCheckpoint{})}, nil
	}
	return actions.Inspection{Change: actions.ChangeSome, Summary: fmt.Sprintf("would end %d session(s) using %s", len(list), p.Database),
		Details: sessionLines(list), Data: map[string]any{"sessions": sessionOutputs(list)}}, nil
}

// lookAtSessions reads the database's state and the sessions using it.
func lookAtSessions(ctx context.Context, env *actions.Env, db string) ([]Session, DatabaseState, error) {
	_, conn, err := sessionOf(ctx, env)
	if err != nil {
		return nil, DatabaseState{}, err
	}
	defer conn.Close()
	st, err := ReadDatabaseState(ctx, conn, db)
	if err != nil || !st.Exists {
		return nil, st, err
	}
	list, err := ListSessions(ctx, conn, db)
	return list, st, err
}

// Run ends the sessions.
func (killAction) Run(ctx context.Context, env *actions.Env, p *KillParams) (map[string]any, error) {
	pool, conn, err := sessionOf(ctx, env)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st, err := ReadDatabaseState(ctx, conn, p.Database)
	switch {
	case err != nil:
		return nil, err
	case !st.Exists:
		return nil, actions.MarkPermanent(errors.New(st.String()))
	}
	var cp killCheckpoint
	if _, err := env.LastCheckpoint(&cp); err != nil {
		return nil, err
	}
	k := &killer{env: env, pool: pool, conn: conn, db: p.Database, done: cp}
	if err := k.rounds(ctx, p.Rounds); err != nil {
		return nil, err
	}
	return killOutputs(k.done), nil
}

// killer ends the sessions of one database on a pinned session.
type killer struct {
	env  *actions.Env
	pool *Pool
	conn *sql.Conn
	db   string
	// done holds what was ended and skipped, also by earlier attempts.
	done killCheckpoint
}

// rounds lists and ends the sessions up to n times, until none is left
// but system ones; it fails (retryable) when some are still there.
func (k *killer) rounds(ctx context.Context, n int) error {
	own, err := ownSPID(ctx, k.conn)
	if err != nil {
		return k.pool.Errorf(err, "read our session id")
	}
	var left []Session
	for round := 1; round <= n; round++ {
		list, err := ListSessions(ctx, k.conn, k.db)
		if err != nil {
			return k.pool.Errorf(err, "list sessions")
		}
		if left = k.withoutSkipped(list); len(left) == 0 {
			return nil
		}
		if err := k.endAll(ctx, left, own); err != nil {
			return err
		}
	}
	list, err := ListSessions(ctx, k.conn, k.db)
	if err != nil {
		return k.pool.Errorf(err, "list sessions")
	}
	if left = k.withoutSkipped(list); len(left) > 0 {
		return actions.MarkRetryable(fmt.Errorf("end the sessions using %s on %s: %d still there after %d rounds (do Lync servers reconnect? clear the active servers first): %s",
			k.db, k.pool.Target(), len(left), n, strings.Join(sessionLines(left), "; ")))
	}
	return nil
}

// endAll ends each session once and journals who was ended.
func (k *killer) endAll(ctx context.Context, list []Session, own int64) error {
	for _, s := range list {
		outcome, err := killSession(ctx, k.conn, s.ID, own)
		if err != nil {
			return k.pool.Errorf(err, "end %s", s)
		}
		switch outcome {
		case killSkipped:
			k.done.Skipped = append(k.done.Skipped, s)
			k.env.Log.Warn().Int64("session", s.ID).Msg("skipped " + s.String() + ": a system process cannot be ended")
		default:
			k.done.Ended = append(k.done.Ended, s)
			k.env.Log.Info().Int64("session", s.ID).Bool("already_gone", outcome == killGone).Msg("ended " + s.String())
		}
	}
	if len(k.done.Ended) > maxEndedKept {
		k.done.Ended = k.done.Ended[len(k.done.Ended)-maxEndedKept:]
	}
	return k.env.Checkpoint(k.done)
}

// withoutSkipped drops the sessions KILL refused as system ones.
func (k *killer) withoutSkipped(list []Session) []Session {
	var out []Session
	for _, s := range list {
		skipped := false
		for _, x := range k.done.Skipped {
			skipped = skipped || x.ID == s.ID
		}
		if !skipped {
			out = append(out, s)
		}
	}
	return out
}

// killOutputs renders what was ended as outputs.
func killOutputs(cp killCheckpoint) map[string]any {
	return map[string]any{"ended": sessionOutputs(cp.Ended), "ended_count": int64(len(cp.Ended)), "skipped": sessionOutputs(cp.Skipped)}
}

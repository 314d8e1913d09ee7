package logship

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/sqlserver"
)

// restoreStatement is the RESTORE LOG of one set. Every value is a
// parameter (sent with sp_executesql): the database, the device, the set
// and the undo file. It runs on the pinned session in master, never in a
// transaction (3021), and with the step's context only: no short
// deadline cuts a long restore (an interrupted one costs a RESTART).
func restoreStatement(mode string, restart bool) string {
	s := "RESTORE LOG @db FROM DISK = @path WITH FILE = @position, "
	if mode == "STANDBY" {
		s += "STANDBY = @undo"
	} else {
		s += "NORECOVERY"
	}
	if restart {
		s += ", RESTART"
	}
	return s
}

// errAlreadyApplied says SQL Server found the set applied meanwhile
// (4326): someone else restored it, so the plan is read again.
var errAlreadyApplied = errors.New("already applied (4326)")

// restoreSet restores one set. 4319 (a restore of this file was
// interrupted) gets the same file once more WITH RESTART; 3101 (others
// use the database) ends their sessions once and tries again.
func (a *applier) restoreSet(ctx context.Context, s backupSet) error {
	restart, killed := false, false
	for {
		_, err := a.conn.ExecContext(ctx, restoreStatement(a.p.Mode, restart), a.restoreArgs(s)...)
		switch {
		case err == nil:
			return nil
		case sqlserver.Has(err, 4319) && !restart:
			a.env.Log.Warn().Str("file", s.ref()).Msg("a previous restore was interrupted (4319): restoring the same set again WITH RESTART")
			restart = true
		case sqlserver.Has(err, 3101) && !killed:
			killed = true
			n, kerr := a.endSessions(ctx)
			if kerr != nil {
				return kerr
			}
			a.env.Log.Warn().Int("sessions", n).Str("database", a.p.Database).Msg("exclusive access refused (3101): ended the other sessions, restoring again")
		case sqlserver.Has(err, 4326):
			return errAlreadyApplied
		default:
			return a.restoreError(s, err)
		}
	}
}

func (a *applier) restoreArgs(s backupSet) []any {
	args := []any{sql.Named("db", a.p.Database), sql.Named("path", s.Path), sql.Named("position", s.Position)}
	if a.p.Mode == "STANDBY" {
		args = append(args, sql.Named("undo", a.p.UndoFile))
	}
	return args
}

// restoreError names a failed restore for the operator.
func (a *applier) restoreError(s backupSet, err error) error {
	what := fmt.Sprintf("restore %s (LSN %s) to %s", s.ref(), s.lsnRange(), a.p.Database)
	switch {
	case sqlserver.Has(err, 3117):
		return actions.MarkPermanent(fmt.Errorf("%s: the database was recovered meanwhile (3117): no more logs can be applied: %w", what, err))
	case sqlserver.Has(err, 4305, 4349):
		return actions.MarkPermanent(fmt.Errorf("%s: SQL Server says the chain breaks before it (4305): %w", what, err))
	case sqlserver.Has(err, 4330):
		return actions.MarkPermanent(fmt.Errorf("%s: the set is on another recovery fork than the database (4330): %w", what, err))
	case sqlserver.Has(err, 3203, 3208):
		return actions.MarkRetryable(fmt.Errorf("%s: the file is incomplete, a partial copy or still being written (3203): %w", what, err))
	case sqlserver.Has(err, 3201):
		c := candidate{SQLPath: s.Path}
		_, _, ferr := cannotOpen(c, err)
		if ferr == nil {
			return actions.MarkRetryable(fmt.Errorf("%s: the file is in use or gone (3201): %w", what, err))
		}
		return ferr
	}
	return a.pool.Errorf(err, "%s", what)
}

// endSessions ends every other session in the database, listed on the
// pinned session (so @@SPID, the one to spare, is left out) as
// db.kill_sessions lists them. A session already gone (6106) or a
// system one (6107) is not an error. It returns how many ended.
func (a *applier) endSessions(ctx context.Context) (int, error) {
	list, err := sqlserver.ListSessions(ctx, a.conn, a.p.Database)
	if err != nil {
		return 0, a.pool.Errorf(err, "end the sessions in %s", a.p.Database)
	}
	n := 0
	for _, s := range list {
		if s.ID <= 0 {
			continue
		}
		// KILL takes no parameter; the id is an integer the server gave.
		_, err := a.conn.ExecContext(ctx, fmt.Sprintf("KILL %d", s.ID))
		switch {
		case err == nil:
			n++
			a.env.Log.Info().Int64("session", s.ID).Str("database", a.p.Database).Msg("ended " + s.String() + " before RESTORE")
		case sqlserver.Has(err, 6106, 6107, 6104):
		default:
			return n, a.pool.Errorf(err, "end %s in %s", s, a.p.Database)
		}
	}
	return n, nil
}

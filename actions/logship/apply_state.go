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

// restorePoint is where the database stands for logship.apply: its
// state, and the LSN and fork the next log backup must continue from.
type restorePoint struct {
	State sqlserver.DatabaseState
	Redo  lsn.LSN
	Fork  string
	// FromHistory: Redo comes from msdb's restore history (the database
	// is recovered, or sys.master_files showed no redo LSN).
	FromHistory bool
	// HistoryFile is the device of the last restore in msdb ("" unknown).
	HistoryFile string
}

// readRestorePoint reads the database's state and restore point. A
// database that does not exist, or is in a state no log can be applied
// to (RECOVERY_PENDING, SUSPECT, OFFLINE, …), is a permanent error. For
// a recovered database (or a standby one without a redo LSN) the point
// is the last restore in msdb's history, if it has one.
func readRestorePoint(ctx context.Context, q sqlserver.Querier, db string) (restorePoint, error) {
	st, err := sqlserver.ReadDatabaseState(ctx, q, db)
	if err != nil {
		return restorePoint{}, err
	}
	rp := restorePoint{State: st, Fork: st.RedoStartForkGUID}
	switch {
	case !st.Exists:
		return rp, actions.MarkPermanent(fmt.Errorf("database %s does not exist on this server", db))
	case st.State != "RESTORING" && st.State != "ONLINE":
		return rp, actions.MarkPermanent(fmt.Errorf("%s: no log can be applied in this state; it needs a person (domain: RECOVERY_PENDING, SUSPECT and OFFLINE abort a failover)", st))
	}
	if st.RedoStartLSN != "" {
		// Scan, not Parse: the text is the driver's rendering of a
		// numeric(25,0), which may carry a zero fraction.
		if err := rp.Redo.Scan(st.RedoStartLSN); err != nil {
			return rp, fmt.Errorf("read redo_start_lsn of %s: %w", db, err)
		}
		return rp, nil
	}
	if st.State == "RESTORING" {
		return rp, actions.MarkPermanent(fmt.Errorf("%s but sys.master_files shows no redo_start_lsn: no restore point to continue from", st))
	}
	last, device, ok, err := lastRestored(ctx, q, db)
	if err != nil {
		return rp, err
	}
	if ok {
		rp.Redo, rp.FromHistory, rp.HistoryFile = last, true, device
	}
	return rp, nil
}

// lastRestoredQuery is the last restore of @db in msdb (domain.md B.2):
// a cross-check only, as history can be cleaned up.
const lastRestoredQuery = `SELECT TOP (1) bs.last_lsn, bmf.physical_device_name
FROM msdb.dbo.restorehistory AS rh
JOIN msdb.dbo.backupset AS bs ON bs.backup_set_id = rh.backup_set_id
JOIN msdb.dbo.backupmediafamily AS bmf ON bmf.media_set_id = bs.media_set_id
WHERE rh.destination_database_name = @db
ORDER BY rh.restore_history_id DESC`

// lastRestored returns the LastLSN and device of the last backup set
// restored to db, by msdb; false when msdb has none.
func lastRestored(ctx context.Context, q sqlserver.Querier, db string) (lsn.LSN, string, bool, error) {
	var last lsn.LSN
	var device sql.NullString
	err := q.QueryRowContext(ctx, lastRestoredQuery, sql.Named("db", db)).Scan(&last, &device)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return lsn.LSN{}, "", false, nil
	case err != nil:
		return lsn.LSN{}, "", false, sqlserver.Classify(fmt.Errorf("read the restore history of %s in msdb: %w", db, err))
	}
	return last, device.String, true, nil
}

// serverClock converts the server's local wall-clock times (RESTORE
// HEADERONLY's dates, GETDATE) to UTC with the server's current offset.
// A backup taken on the other side of a daylight-saving change is off by
// that change; HEADERONLY gives no zone to do better.
type serverClock struct {
	offset time.Duration
}

// readServerClock asks the server for its local and UTC time at once.
func readServerClock(ctx context.Context, q sqlserver.Querier) (serverClock, error) {
	var local, utc time.Time
	if err := q.QueryRowContext(ctx, "SELECT SYSDATETIME(), SYSUTCDATETIME()").Scan(&local, &utc); err != nil {
		return serverClock{}, sqlserver.Classify(fmt.Errorf("read the server's time zone offset: %w", err))
	}
	wall := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	}
	// Every zone's offset is a multiple of 15 minutes.
	return serverClock{offset: wall(local).Sub(wall(utc)).Round(15 * time.Minute)}, nil
}

// UTC converts a server-local wall-clock time to UTC; zero stays zero.
func (c serverClock) UTC(local time.Time) time.Time {
	if local.IsZero() {
		return local
	}
	wall := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), local.Nanosecond(), time.UTC)
	return wall.Add(-c.offset)
}

// String writes the offset as +01:00.
func (c serverClock) String() string {
	sign, d := "+", c.offset
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(d.Hours()), int(d.Minutes())%60)
}

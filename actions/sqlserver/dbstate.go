package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"
)

// Querier is what ReadDatabaseState and the other readers query through:
// a *sql.DB, a pinned *sql.Conn or a *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// DatabaseState is what sys.databases and sys.master_files say about a
// database (domain.md B.2).
type DatabaseState struct {
	Name string
	// Exists is false when there is no such database; the rest is then
	// empty.
	Exists bool
	// State is sys.databases.state_desc: ONLINE, RESTORING, RECOVERING,
	// RECOVERY_PENDING, SUSPECT, EMERGENCY, OFFLINE, …
	State string
	// InStandby: ONLINE and read-only between log restores (STANDBY).
	InStandby bool
	// UserAccess is MULTI_USER, SINGLE_USER or RESTRICTED_USER.
	UserAccess    string
	RecoveryModel string
	// RedoStartLSN is where the next log backup must start, as decimal
	// digits (numeric(25,0) does not fit in 64 bits); "" when NULL (the
	// database is not restoring).
	RedoStartLSN string
	// RedoStartForkGUID is the recovery fork the next log backup must be
	// on, upper case with dashes; "" when NULL.
	RedoStartForkGUID string
}

// Effective is the state as plans name it: STANDBY for a database ONLINE
// in standby, else State.
func (s DatabaseState) Effective() string {
	if s.State == "ONLINE" && s.InStandby {
		return "STANDBY"
	}
	return s.State
}

// Recovered reports a database ONLINE and not in standby: no log can be
// restored to it any more, and RESTORE … WITH RECOVERY has nothing to do.
func (s DatabaseState) Recovered() bool { return s.Exists && s.State == "ONLINE" && !s.InStandby }

// String says it for people: "mgc is RESTORING (redo from LSN 1903…)".
func (s DatabaseState) String() string {
	if !s.Exists {
		return fmt.Sprintf("database %s does not exist", s.Name)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s", s.Name, s.Effective())
	if s.UserAccess != "" && s.UserAccess != "MULTI_USER" {
		fmt.Fprintf(&b, ", %s", s.UserAccess)
	}
	if s.RedoStartLSN != "" {
		fmt.Fprintf(&b, " (redo from LSN %s)", s.RedoStartLSN)
	}
	return b.String()
}

// Outputs returns the state as step outputs.
func (s DatabaseState) Outputs() map[string]any {
	return map[string]any{
		"database": s.Name, "exists": s.Exists, "state": s.Effective(), "state_desc": s.State,
		"in_standby": s.InStandby, "user_access": s.UserAccess, "recovery_model": s.RecoveryModel,
		"redo_start_lsn": s.RedoStartLSN, "redo_start_fork_guid": s.RedoStartForkGUID,
	}
}

// databaseStateQuery reads the state and the restore point of @db (the
// data file, file_id 1, holds the redo LSN).
const databaseStateQuery = `SELECT d.name, d.state_desc, d.is_in_standby, d.user_access_desc, d.recovery_model_desc,
       mf.redo_start_lsn, mf.redo_start_fork_guid
FROM sys.databases AS d
LEFT JOIN sys.master_files AS mf ON mf.database_id = d.database_id AND mf.file_id = 1
WHERE d.name = @db`

// ReadDatabaseState reads the state of database db through q. A database
// that does not exist is not an error: Exists is false.
func ReadDatabaseState(ctx context.Context, q Querier, db string) (DatabaseState, error) {
	s := DatabaseState{Name: db}
	var (
		name, state, access, model sql.NullString
		standby                    sql.NullBool
		lsn                        sql.NullString
		fork                       mssql.NullUniqueIdentifier
	)
	err := q.QueryRowContext(ctx, databaseStateQuery, sql.Named("db", db)).
		Scan(&name, &state, &standby, &access, &model, &lsn, &fork)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s, nil
	case err != nil:
		return s, Classify(fmt.Errorf("read the state of database %s: %w", db, err))
	}
	s.Exists = true
	s.Name = name.String
	s.State, s.InStandby, s.UserAccess, s.RecoveryModel = state.String, standby.Bool, access.String, model.String
	s.RedoStartLSN = lsn.String
	if fork.Valid {
		s.RedoStartForkGUID = fork.UUID.String()
	}
	return s, nil
}

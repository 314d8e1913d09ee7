package lyncshell

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/internal/lab"
)

// sqlTimeout bounds the SQL work of one cmdlet call (a lab that stops
// answering fails the call rather than hanging it; the lab's backups and
// restores take milliseconds).
const sqlTimeout = 2 * time.Minute

// appName is the application name the cmdlets' sessions show in the
// lab's session views and statement log.
const appName = "Lync Server Management Shell (failover lab)"

// sqlConn is a cmdlet's session with one lab SQL instance, as the real
// cmdlets open one to each SQL server they manage.
type sqlConn struct {
	db *sql.DB
	// cmd is the cmdlet, server the SQL server's topology name (for
	// error records).
	cmd, server string
	// sent lists the statements that succeeded, for -Report.
	sent *[]string
}

// connect opens a session with the lab instance playing server. The
// lab must be running: a real cmdlet cannot reach a SQL Server that is
// down either.
func (sh *shell) connect(ctx context.Context, cmd, instance, server string, sent *[]string) (*sqlConn, error) {
	fail := func(err error) error {
		return cmdletError(cmd, "SqlConnectionFailed", "ConnectionError", server, "System.Data.SqlClient.SqlException",
			"Cannot connect to SQL Server %s: %v (lab: instance %s; is the lab running? failover-lab up --dir %s)", server, err, instance, sh.labDir)
	}
	dsn, err := lab.ClientDSN(sh.labDir, instance, appName)
	if err != nil {
		return nil, fail(err)
	}
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		return nil, fail(err)
	}
	db.SetMaxOpenConns(1) // one session per server, as the statement log shows it
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fail(err)
	}
	return &sqlConn{db: db, cmd: cmd, server: server, sent: sent}, nil
}

func (c *sqlConn) close() { c.db.Close() }

// exec runs one statement; an error becomes the cmdlet's error record
// with every message SQL Server sent.
func (c *sqlConn) exec(ctx context.Context, query string, args ...any) error {
	if _, err := c.db.ExecContext(ctx, query, args...); err != nil {
		return c.failed(query, err)
	}
	*c.sent = append(*c.sent, c.server+": "+query)
	return nil
}

// failed is the error record of a statement SQL Server refused.
func (c *sqlConn) failed(query string, err error) error {
	return cmdletError(c.cmd, "SqlCommandFailed", "InvalidOperation", c.server, "System.Data.SqlClient.SqlException",
		"SQL Server %s refused %s: %s", c.server, firstWords(query), sqlMessages(err))
}

// sqlMessages lists every message of a SQL Server error, with its
// number (go-mssqldb's Number is only the last: 3013 after the cause).
func sqlMessages(err error) string {
	var me mssql.Error
	if !errors.As(err, &me) {
		return err.Error()
	}
	all := me.All
	if len(all) == 0 {
		all = []mssql.Error{me}
	}
	parts := make([]string, len(all))
	for i, e := range all {
		parts[i] = fmt.Sprintf("%s (%d)", e.Message, e.Number)
	}
	return strings.Join(parts, " ")
}

// sqlNumber is the first error number of err, 0 for none.
func sqlNumber(err error) int32 {
	var me mssql.Error
	if !errors.As(err, &me) {
		return 0
	}
	if len(me.All) > 0 {
		return me.All[0].Number
	}
	return me.Number
}

// firstWords names a statement by its first three words (ALTER
// DATABASE mgc): the error record's message stays one line.
func firstWords(query string) string {
	f := strings.Fields(query)
	return strings.Join(f[:min(3, len(f))], " ")
}

// databaseState is a database's state_desc and recovery model, exists
// false when there is none.
func (c *sqlConn) databaseState(ctx context.Context, db string) (state, model string, exists bool, err error) {
	const q = "SELECT d.state_desc, d.recovery_model_desc FROM sys.databases AS d WHERE d.name = @db"
	err = c.db.QueryRowContext(ctx, q, sql.Named("db", db)).Scan(&state, &model)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", "", false, nil
	case err != nil:
		return "", "", false, c.failed(q, err)
	}
	return state, model, true, nil
}

// session is a database's mirroring session as sys.database_mirroring
// shows it; role is "" when it has none.
type session struct {
	role, partner, state string
}

// mirroring reads the database's session.
func (c *sqlConn) mirroring(ctx context.Context, db string) (session, error) {
	const q = `SELECT m.mirroring_role_desc, m.mirroring_partner_instance, m.mirroring_state_desc
FROM sys.database_mirroring AS m WHERE m.database_id = DB_ID(@db)`
	var role, partner, state sql.NullString
	err := c.db.QueryRowContext(ctx, q, sql.Named("db", db)).Scan(&role, &partner, &state)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return session{}, c.failed(q, err)
	}
	return session{role: role.String, partner: partner.String, state: state.String}, nil
}

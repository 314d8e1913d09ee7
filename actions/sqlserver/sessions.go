package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// Session is a session that uses a database: its current database is
// the database, or it holds a lock on it from another (domain.md C.1).
type Session struct {
	ID      int64
	Login   string
	Host    string
	Program string
	// HoldsLock: its current database is another; it holds a lock on
	// this one.
	HoldsLock bool
}

// String names the session for people.
func (s Session) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "session %d", s.ID)
	if s.Login != "" {
		fmt.Fprintf(&b, " %s", s.Login)
	}
	if s.Host != "" {
		fmt.Fprintf(&b, " on %s", s.Host)
	}
	if s.Program != "" {
		fmt.Fprintf(&b, " (%s)", s.Program)
	}
	if s.HoldsLock {
		b.WriteString(", holding a lock from another database")
	}
	return b.String()
}

// Output is the session as a step output.
func (s Session) Output() map[string]any {
	return map[string]any{"session_id": s.ID, "login": s.Login, "host": s.Host, "program": s.Program, "holds_lock": s.HoldsLock}
}

// sessionsQuery lists, as two result sets, the user sessions inside @db
// and those holding a lock on it from anywhere, except our own (@@SPID)
// and every session of failover (program_name failover/…). SQL Server
// 2012 and later (sys.dm_exec_sessions.database_id).
const sessionsQuery = `SELECT s.session_id, ISNULL(s.login_name, N'') AS login_name, ISNULL(s.host_name, N'') AS host_name,
       ISNULL(s.program_name, N'') AS program_name
FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(@db) AND s.is_user_process = 1 AND s.session_id <> @@SPID
  AND ISNULL(s.program_name, N'') NOT LIKE N'failover/%'
ORDER BY s.session_id;
SELECT DISTINCT s.session_id, ISNULL(s.login_name, N'') AS login_name, ISNULL(s.host_name, N'') AS host_name,
       ISNULL(s.program_name, N'') AS program_name
FROM sys.dm_tran_locks AS l
JOIN sys.dm_exec_sessions AS s ON s.session_id = l.request_session_id
WHERE l.resource_database_id = DB_ID(@db) AND l.request_session_id <> @@SPID AND s.is_user_process = 1
  AND ISNULL(s.program_name, N'') NOT LIKE N'failover/%'
ORDER BY s.session_id;`

// sessionsQueryOld is sessionsQuery for SQL Server 2008 R2, whose
// sys.dm_exec_sessions has no database_id (a Lync 2013 back end may
// run it): sys.sysprocesses instead, its nchar columns trimmed.
const sessionsQueryOld = `SELECT p.spid, RTRIM(p.loginame) AS login_name, RTRIM(p.hostname) AS host_name,
       RTRIM(p.program_name) AS program_name
FROM sys.sysprocesses AS p
WHERE p.dbid = DB_ID(@db) AND p.spid > 50 AND p.spid <> @@SPID
  AND ISNULL(p.program_name, N'') NOT LIKE N'failover/%'
ORDER BY p.spid;
SELECT DISTINCT p.spid, RTRIM(p.loginame) AS login_name, RTRIM(p.hostname) AS host_name,
       RTRIM(p.program_name) AS program_name
FROM sys.dm_tran_locks AS l
JOIN sys.sysprocesses AS p ON p.spid = l.request_session_id
WHERE l.resource_database_id = DB_ID(@db) AND l.request_session_id <> @@SPID AND p.spid > 50
  AND ISNULL(p.program_name, N'') NOT LIKE N'failover/%'
ORDER BY p.spid;`

// ListSessions lists the sessions that use database db, seen from q (a
// pinned session: @@SPID is excluded), one per session: a session
// inside the database is not also listed as a lock holder.
func ListSessions(ctx context.Context, q Querier, db string) ([]Session, error) {
	list, err := querySessions(ctx, q, sessionsQuery, db)
	if Has(err, 207) { // invalid column database_id: before SQL Server 2012
		list, err = querySessions(ctx, q, sessionsQueryOld, db)
	}
	if err != nil {
		return nil, Classify(fmt.Errorf("list the sessions using %s: %w", db, err))
	}
	return list, nil
}

func querySessions(ctx context.Context, q Querier, query, db string) ([]Session, error) {
	rows, err := q.QueryContext(ctx, query, sql.Named("db", db))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	seen := map[int64]bool{}
	for set := 0; ; set++ {
		for rows.Next() {
			var s Session
			if err := rows.Scan(&s.ID, &s.Login, &s.Host, &s.Program); err != nil {
				return nil, err
			}
			if seen[s.ID] {
				continue // inside and holding a lock: listed as inside
			}
			seen[s.ID] = true
			s.HoldsLock = set == 1
			out = append(out, s)
		}
		if set == 1 || !rows.NextResultSet() {
			break
		}
	}
	return out, rows.Err()
}

// killOutcome is what KILL did to one session.
type killOutcome int

const (
	killEnded   killOutcome = iota // KILL succeeded
	killGone                       // 6106: it had ended already
	killSkipped                    // 6107 (a system process) or 6104 (our own)
)

// killSession ends one session with KILL on conn. KILL takes no
// variable, so its statement is built here, only from a validated
// positive integer that is not our own session.
func killSession(ctx context.Context, conn *sql.Conn, id, own int64) (killOutcome, error) {
	if id <= 0 || id == own {
		return killSkipped, nil
	}
	_, err := conn.ExecContext(ctx, "KILL "+strconv.FormatInt(id, 10))
	switch {
	case err == nil:
		return killEnded, nil
	case Has(err, 6106):
		return killGone, nil
	case Has(err, 6107, 6104):
		return killSkipped, nil
	}
	return killEnded, err
}

// ownSPID returns the session id of conn.
func ownSPID(ctx context.Context, conn *sql.Conn) (int64, error) {
	var id int64
	err := conn.QueryRowContext(ctx, "SELECT @@SPID").Scan(&id)
	return id, err
}

// sessionLines renders sessions one a line, for details.
func sessionLines(list []Session) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.String()
	}
	return out
}

// sessionOutputs renders sessions as an output list.
func sessionOutputs(list []Session) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s.Output()
	}
	return out
}

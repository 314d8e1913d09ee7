package lab

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// sessionsQuery is domain.md C.1's query: the sessions in a database and
// the lock holders from other databases.
const sessionsQuery = `SELECT s.session_id FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(@db) AND s.is_user_process = 1 AND s.session_id <> @@SPID
UNION
SELECT l.request_session_id FROM sys.dm_tran_locks AS l
WHERE l.resource_database_id = DB_ID(@db) AND l.request_session_id <> @@SPID
ORDER BY session_id`

// views is what each session view says about the users of a database.
type views struct {
	inside  []int // sys.dm_exec_sessions.database_id
	procs   []int // sys.sysprocesses.dbid
	who2    []int // sp_who2's DBName
	locks   []int // sys.dm_tran_locks.resource_database_id
	holders []int // domain.md C.1's union
}

// readViews reads every session view over the wire (the lab's own
// client session is left out where the query can leave it out).
func readViews(t *testing.T, db *sql.DB, name string) views {
	t.Helper()
	var v views
	ints := func(q string, args ...any) []int {
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var n int
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	arg := sql.Named("db", name)
	v.inside = ints("SELECT session_id FROM sys.dm_exec_sessions WHERE database_id = DB_ID(@db) AND session_id <> @@SPID ORDER BY session_id", arg)
	v.procs = ints("SELECT spid FROM sys.sysprocesses WHERE dbid = DB_ID(@db) AND spid <> @@SPID ORDER BY spid", arg)
	v.locks = ints("SELECT request_session_id FROM sys.dm_tran_locks WHERE resource_database_id = DB_ID(@db) AND request_session_id <> @@SPID ORDER BY request_session_id", arg)
	v.holders = ints(sessionsQuery, arg)
	rows, err := db.Query("EXEC sp_who2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if dbName, _ := vals[5].(string); dbName == name {
			var spid int
			if _, err := fmtSscan(vals[0], &spid); err == nil {
				v.who2 = append(v.who2, spid)
			}
		}
	}
	return v
}

// TestRoundTripNoSessionInsideARestoringDatabase: while mgc is RESTORING
// nobody is inside it; a lock holder in master blocks RESTORE WITH
// RECOVERY (3101) and KILL ends it; the Lync sessions connect the moment
// mgc is ONLINE, so a second RESTORE WITH RECOVERY gets 3101, not 3153.
// Every session view agrees at each point.
func TestRoundTripNoSessionInsideARestoringDatabase(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{Count: 2, LockHolders: 1}
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	v := readViews(t, db, "mgc")
	if len(v.inside)+len(v.procs)+len(v.who2) != 0 || !reflect.DeepEqual(v.locks, []int{300}) || !reflect.DeepEqual(v.holders, []int{300}) {
		t.Fatalf("restoring mgc: %+v; want nobody inside, lock holder 300", v)
	}
	if m := readViews(t, db, "master"); !slices.Contains(m.inside, 300) || !slices.Contains(m.procs, 300) || !slices.Contains(m.who2, 300) {
		t.Errorf("the lock holder 300 is not in master in every view: %+v", m)
	}
	wantErrors(t, db, "RESTORE DATABASE mgc WITH RECOVERY", 3101, 3013)
	mustExec(t, db, "KILL 300")
	mustExec(t, db, "RESTORE DATABASE mgc WITH RECOVERY")
	v = readViews(t, db, "mgc")
	want := []int{301, 302}
	if !reflect.DeepEqual(v, views{inside: want, procs: want, who2: want, locks: want, holders: want}) {
		t.Fatalf("online mgc: %+v; want the Lync sessions 301 and 302 inside, in every view", v)
	}
	// Recovery happened; the sessions that came back make a retry fail
	// with 3101, as on a real server (a probe must read the state).
	wantErrors(t, db, "RESTORE DATABASE mgc WITH RECOVERY", 3101, 3013)
	mustExec(t, db, "KILL 301")
	mustExec(t, db, "EXEC(N'KILL ' + CAST(@s AS nvarchar(11)))", sql.Named("s", 302))
	wantErrors(t, db, "RESTORE DATABASE mgc WITH RECOVERY", 3153, 3013)
	wantErrors(t, db, "KILL 302", 6106)
}

// TestRoundTripKillRightBeforeRestore: a lock holder that reconnects
// after a delay is killed in the same batch as the RESTORE, which gets
// through; once the delay is over it is back and the next RESTORE gets
// 3101.
func TestRoundTripKillRightBeforeRestore(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{LockHolders: 1, Reconnect: true, ReconnectAfter: 5 * time.Second}
	sl := serveTestLab(t, cfg)
	clock := newFakeClock()
	sl.lab.setClock(clock.now)
	db := sl.db(t, "BACKUP")
	mustExec(t, db, "KILL 300\nRESTORE DATABASE mgc WITH NORECOVERY")
	clock.advance(5 * time.Second)
	if v := readViews(t, db, "mgc"); !reflect.DeepEqual(v.holders, []int{301}) {
		t.Fatalf("after the delay: %+v, want the lock holder back as 301", v)
	}
	wantErrors(t, db, "RESTORE DATABASE mgc WITH RECOVERY", 3101, 3013)
}

// TestRoundTripStandbySessions: a STANDBY database may have sessions
// inside it; they block RESTORE until killed, and one that reconnects
// while the database is RESTORING waits for it to come ONLINE.
func TestRoundTripStandbySessions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Instances[1].Databases[0].State = "STANDBY"
	cfg.Scenario.UserSessions = UserSessions{Count: 1, Reconnect: true, ReconnectAfter: time.Second}
	sl := serveTestLab(t, cfg)
	clock := newFakeClock()
	sl.lab.setClock(clock.now)
	db := sl.db(t, "BACKUP")
	if v := readViews(t, db, "mgc"); !reflect.DeepEqual(v.inside, []int{300}) || !reflect.DeepEqual(v.locks, []int{300}) {
		t.Fatalf("standby mgc: %+v, want session 300 inside", v)
	}
	wantErrors(t, db, "RESTORE DATABASE mgc WITH NORECOVERY", 3101, 3013)
	mustExec(t, db, "KILL 300\nRESTORE DATABASE mgc WITH NORECOVERY")
	clock.advance(time.Second)
	if v := readViews(t, db, "mgc"); len(v.holders)+len(v.inside) != 0 {
		t.Fatalf("restoring mgc after the delay: %+v, want the session waiting outside", v)
	}
	mustExec(t, db, "RESTORE DATABASE mgc WITH RECOVERY")
	if v := readViews(t, db, "mgc"); !reflect.DeepEqual(v.inside, []int{301}) {
		t.Errorf("online mgc: %+v, want the session back inside as 301", v)
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// wantErrors runs q and checks every error number it sends, in order.
func wantErrors(t *testing.T, db *sql.DB, q string, want ...int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := db.ExecContext(ctx, q)
	if err == nil {
		t.Fatalf("%s: no error, want %v", q, want)
	}
	me := asMSSQL(t, err)
	var got []int32
	for _, e := range me.All {
		got = append(got, e.Number)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: errors %v, want %v (%v)", q, got, want, err)
	}
}

// fmtSscan reads an integer from a scanned value (sp_who2's SPID is text).
func fmtSscan(v any, n *int) (int, error) {
	switch s := v.(type) {
	case string:
		return fmt.Sscan(strings.TrimSpace(s), n)
	case []byte:
		return fmt.Sscan(strings.TrimSpace(string(s)), n)
	}
	return 0, fmt.Errorf("not text: %T", v)
}

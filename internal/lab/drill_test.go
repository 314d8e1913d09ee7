package lab

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/failover-dev/failover/internal/labfile"
	"github.com/failover-dev/failover/internal/lsn"
)

// header is the part of a HEADERONLY row a failover needs.
type header struct {
	path        string
	pos, typ    int
	db          string
	first, last lsn.LSN
}

// TestRoundTripWholeFailover runs the runbook against a lab with every
// chain scenario switched on, as the SQL actions will: remove log
// shipping, copy, read headers, apply by LSN (skipping 4326 and 4330,
// stopping at nothing else), kill the sessions, recover.
func TestRoundTripWholeFailover(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario = Scenario{MultiSetFile: true, EmptyLogBackup: true, ForeignFiles: true, ForkMismatch: true,
		Truncated: true, UserSessions: UserSessions{LockHolders: 2}}
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	ctx := context.Background()
	var rs mssql.ReturnStatus
	if _, err := db.ExecContext(ctx, "master.dbo.sp_delete_log_shipping_secondary_database", sql.Named("secondary_database", "mgc"), &rs); err != nil || rs != 0 {
		t.Fatalf("remove log shipping: %v (status %d)", err, rs)
	}
	copyShare(t, sl.share(), sl.copyDir())
	killUsers(t, db, "mgc")
	sets := readHeaders(t, db, sl.copyDir())
	applied, stale := applyLogs(t, db, sets)
	var redo lsn.LSN
	if err := db.QueryRow("SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(@db) AND file_id = 1",
		sql.Named("db", "mgc")).Scan(&redo); err != nil {
		t.Fatal(err)
	}
	for _, h := range sets {
		if h.last.Cmp(redo) > 0 && h != stale {
			t.Errorf("set %s:%d ends at %s, after the restore point %s: not applied", filepath.Base(h.path), h.pos, h.last, redo)
		}
	}
	if applied < 2 {
		t.Errorf("applied %d sets, want the remaining chain", applied)
	}
	if _, err := db.Exec("RESTORE DATABASE mgc WITH RECOVERY"); err != nil {
		t.Fatalf("recovery: %v", err)
	}
	var state string
	if err := db.QueryRow("SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil || state != "ONLINE" {
		t.Errorf("mgc is %s (%v) after the failover", state, err)
	}
}

func copyShare(t *testing.T, share, dst string) {
	t.Helper()
	entries, err := os.ReadDir(share)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(share, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func killUsers(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	// domain.md C.1: the sessions in the database and the lock holders
	// from other databases (mgc is RESTORING: only lock holders).
	rows, err := db.Query(`SELECT s.session_id FROM sys.dm_exec_sessions AS s
WHERE s.database_id = DB_ID(@db) AND s.is_user_process = 1 AND s.session_id <> @@SPID
UNION
SELECT l.request_session_id FROM sys.dm_tran_locks AS l
WHERE l.resource_database_id = DB_ID(@db) AND l.request_session_id <> @@SPID`, sql.Named("db", name))
	if err != nil {
		t.Fatal(err)
	}
	var spids []int
	for rows.Next() {
		var id int
		rows.Scan(&id)
		spids = append(spids, id)
	}
	rows.Close()
	if len(spids) != 2 {
		t.Errorf("sessions in %s: %v, want the 2 simulated ones", name, spids)
	}
	for _, id := range spids {
		if _, err := db.Exec("EXEC(N'KILL ' + CAST(@spid AS nvarchar(11)))", sql.Named("spid", id)); err != nil {
			t.Errorf("kill %d: %v", id, err)
		}
	}
}

// readHeaders reads every file's headers, keeping mgc log backups;
// unreadable files (the truncated one) are skipped.
func readHeaders(t *testing.T, db *sql.DB, dir string) []header {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []header
	skipped := 0
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		rows, err := db.Query("RESTORE HEADERONLY FROM DISK = @p", sql.Named("p", path))
		if err != nil {
			var me mssql.Error
			if !errors.As(err, &me) || (me.All[0].Number != 3203 && me.All[0].Number != 3241) {
				t.Fatalf("headers of %s: %v", e.Name(), err)
			}
			skipped++
			continue
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			h := header{path: path}
			dest := make([]any, len(cols))
			for i, c := range cols {
				switch c {
				case "Position":
					dest[i] = &h.pos
				case "BackupType":
					dest[i] = &h.typ
				case "DatabaseName":
					dest[i] = &h.db
				case "FirstLSN":
					dest[i] = &h.first
				case "LastLSN":
					dest[i] = &h.last
				default:
					dest[i] = new(any)
				}
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			if h.db == "mgc" && h.typ == labfile.TypeLog && h.first != h.last {
				out = append(out, h)
			}
		}
		rows.Close()
	}
	if skipped != 1 {
		t.Errorf("skipped %d unreadable files, want the truncated one", skipped)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := out[i].last.Cmp(out[j].last); c != 0 {
			return c < 0
		}
		return out[i].first.Cmp(out[j].first) < 0
	})
	return out
}

// applyLogs restores each set in LSN order; 4326 (applied) and 4330 (the
// stale fork) are skips, anything else fails the test. It returns the
// number applied and the stale fork's set.
func applyLogs(t *testing.T, db *sql.DB, sets []header) (int, header) {
	t.Helper()
	applied, forks := 0, 0
	var stale header
	for _, h := range sets {
		_, err := db.Exec("RESTORE LOG @db FROM DISK = @p WITH FILE = @pos, NORECOVERY",
			sql.Named("db", "mgc"), sql.Named("p", h.path), sql.Named("pos", h.pos))
		var me mssql.Error
		switch {
		case err == nil:
			applied++
		case errors.As(err, &me) && me.All[0].Number == 4326:
		case errors.As(err, &me) && me.All[0].Number == 4330:
			forks++
			stale = h
		default:
			t.Fatalf("restore %s:%d: %v", filepath.Base(h.path), h.pos, err)
		}
	}
	if forks != 1 {
		t.Errorf("%d sets were of another fork, want the stale one", forks)
	}
	return applied, stale
}

// TestRoundTripGapStopsTheChain: with a log backup missing, applying in
// LSN order ends with 4305 naming the LSN the missing backup holds.
func TestRoundTripGapStopsTheChain(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.Gap = true
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	copyShare(t, sl.share(), sl.copyDir())
	var gapErr *mssql.Error
	for _, h := range readHeadersAll(t, sl.copyDir()) {
		_, err := db.Exec("RESTORE LOG mgc FROM DISK = @p WITH FILE = @pos, NORECOVERY", sql.Named("p", h.path), sql.Named("pos", h.pos))
		var me mssql.Error
		if errors.As(err, &me) && me.All[0].Number == 4305 {
			gapErr = &me
			break
		}
		if err != nil && !(errors.As(err, &me) && me.All[0].Number == 4326) {
			t.Fatalf("restore %s: %v", h.path, err)
		}
	}
	if gapErr == nil {
		t.Fatal("the chain with a gap restored to the end")
	}
	var redo string
	if err := db.QueryRow("SELECT redo_start_lsn FROM sys.master_files WHERE database_id = DB_ID(N'mgc') AND file_id = 1").Scan(&redo); err != nil {
		t.Fatal(err)
	}
	if want := "An earlier log backup that includes LSN " + redo + " can be restored."; !strings.HasSuffix(gapErr.All[0].Message, want) {
		t.Errorf("4305 = %q, want it to end with %q", gapErr.All[0].Message, want)
	}
}

// readHeadersAll reads the headers with labfile directly (the SQL path is
// tested by readHeaders).
func readHeadersAll(t *testing.T, dir string) []header {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var out []header
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		sets, err := labfile.ReadFile(path)
		if err != nil {
			continue
		}
		for _, s := range sets {
			if s.DatabaseName == "mgc" && s.BackupType == labfile.TypeLog {
				out = append(out, header{path: path, pos: s.Position, typ: s.BackupType, db: s.DatabaseName, first: s.FirstLSN, last: s.LastLSN})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].first.Cmp(out[j].first) < 0 })
	return out
}

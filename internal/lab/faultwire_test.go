package lab

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// pinned is one connection of db (one session), closed with the test.
func pinned(t *testing.T, db *sql.DB) *sql.Conn {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// mgcState reads mgc's state_desc on a fresh connection.
func mgcState(t *testing.T, sl *servedLab) string {
	t.Helper()
	var state string
	if err := sl.db(t, "BACKUP").QueryRow("SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil {
		t.Fatal(err)
	}
	return state
}

// TestRoundTripDropAfterRecovery: with a drop_after fault, RESTORE
// DATABASE … WITH RECOVERY completes (mgc is ONLINE, the statement log
// says it wrote) while the client sees only its connection drop
// (domain.md edge case 34). A plain drop fault on the same statement
// drops the connection before it runs: mgc stays RESTORING.
func TestRoundTripDropAfterRecovery(t *testing.T) {
	tests := []struct {
		name      string
		kind      FaultKind
		wantState string
		effect    string
	}{
		{"drop_after: recovered, answer lost", FaultDropAfter, "ONLINE", EffectWrite},
		{"drop: connection gone before it ran", FaultDrop, "RESTORING", EffectWriteFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sl := serveTestLab(t, DefaultConfig())
			if err := sl.lab.Inject(Fault{Match: `RESTORE DATABASE`, Kind: tt.kind}); err != nil {
				t.Fatal(err)
			}
			conn := pinned(t, sl.db(t, "BACKUP"))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := conn.ExecContext(ctx, "RESTORE DATABASE mgc WITH RECOVERY")
			var me mssql.Error
			if err == nil || errors.As(err, &me) {
				t.Fatalf("restore: %v, want a dropped connection (no answer)", err)
			}
			if got := mgcState(t, sl); got != tt.wantState {
				t.Errorf("mgc is %s after the fault, want %s", got, tt.wantState)
			}
			sl.lab.Close()
			line := logLine(t, sl.dir, "\tbatch\t", "RESTORE DATABASE mgc WITH RECOVERY")
			if f := strings.Split(line, "\t"); f[5] != tt.effect {
				t.Errorf("statement log effect %q, want %q: %s", f[5], tt.effect, line)
			}
		})
	}
}

// logLine returns the statement log's line that holds both parts.
func logLine(t *testing.T, dir string, parts ...string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, StatementLog))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return line
		}
	}
	t.Fatalf("no statement log line with %q:\n%s", parts, data)
	return ""
}

// TestRoundTripInjectedErrorsEndWhatSQLServerEnds: a deadlock victim
// (1205) has its transaction rolled back; a lock timeout (1222) ends
// only its statement: the batch goes on and the transaction stays open,
// unless SET XACT_ABORT ON, which rolls back and ends the batch.
func TestRoundTripInjectedErrorsEndWhatSQLServerEnds(t *testing.T) {
	tests := []struct {
		name      string
		setup     string
		err       int32
		batch     string
		wantDB    string
		wantTrans int
	}{
		{name: "1205 rolls the victim back", err: 1205, batch: "SELECT 2 AS x\nUSE mgccomp", wantDB: "master", wantTrans: 0},
		{name: "1222 ends only the statement", err: 1222, batch: "SELECT 2 AS x\nUSE mgccomp", wantDB: "mgccomp", wantTrans: 1},
		{name: "1222 with XACT_ABORT ON", setup: "SET XACT_ABORT ON", err: 1222, batch: "SELECT 2 AS x\nUSE mgccomp", wantDB: "master", wantTrans: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sl := serveTestLab(t, DefaultConfig())
			if err := sl.lab.Inject(Fault{Match: `^SELECT 2 AS x$`, Kind: FaultError, Error: tt.err}); err != nil {
				t.Fatal(err)
			}
			conn := pinned(t, sl.db(t, "BACKUP"))
			ctx := context.Background()
			if tt.setup != "" {
				if _, err := conn.ExecContext(ctx, tt.setup); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := conn.ExecContext(ctx, "BEGIN TRAN"); err != nil {
				t.Fatal(err)
			}
			_, err := conn.ExecContext(ctx, tt.batch)
			if me := asMSSQL(t, err); me.Number != tt.err {
				t.Fatalf("batch: %v, want %d", err, tt.err)
			}
			var db string
			var trans int
			if err := conn.QueryRowContext(ctx, "SELECT DB_NAME(), @@TRANCOUNT").Scan(&db, &trans); err != nil {
				t.Fatal(err)
			}
			if db != tt.wantDB || trans != tt.wantTrans {
				t.Errorf("after the batch: database %s, @@TRANCOUNT %d; want %s, %d", db, trans, tt.wantDB, tt.wantTrans)
			}
		})
	}
}

package lab

import (
	"context"
	"database/sql"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestRoundTripEveryErrorOfTheIssue sends, through go-mssqldb and
// database/sql, a statement for each error the actions must tell apart,
// and checks mssql.Error: every message in All (the cause, then 3013 for
// RESTORE), Number (the last one) and the cause's real text.
func TestRoundTripEveryErrorOfTheIssue(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions = UserSessions{Count: 1, Database: "mgccomp"}
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	st, err := loadState(statePath(sl.dir, "BACKUP"))
	if err != nil {
		t.Fatal(err)
	}
	r := st.database("mgc").Restore
	applied := writeSets(t, sl.testLab, "applied.trn", logSet("mgc", lsnPlus(t, r.RedoStartLSN, -20), lsnPlus(t, r.RedoStartLSN, -10), r.RedoStartForkID))
	gap := writeSets(t, sl.testLab, "gap.trn", logSet("mgc", lsnPlus(t, r.RedoStartLSN, 10), lsnPlus(t, r.RedoStartLSN, 20), r.RedoStartForkID))
	newChain := logSet("mgc", lsnPlus(t, r.RedoStartLSN, 10), lsnPlus(t, r.RedoStartLSN, 20), r.RedoStartForkID)
	newChain.BeginsLogChain = true
	broken := writeSets(t, sl.testLab, "newchain.trn", newChain)
	fork := writeSets(t, sl.testLab, "fork.trn", logSet("mgc", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 10), uuid.New()))
	comp := writeSets(t, sl.testLab, "comp.trn", logSet("mgccomp", r.RedoStartLSN, lsnPlus(t, r.RedoStartLSN, 10), r.RedoStartForkID))
	junk := sl.path("junk.trn")
	if err := os.WriteFile(junk, []byte("not a backup, not even close to one"), 0o644); err != nil {
		t.Fatal(err)
	}
	restoreLog := "RESTORE LOG @db FROM DISK = @path WITH FILE = 1, NORECOVERY"
	primary := onPrimary{}
	tests := []struct {
		name string
		sql  string
		args []any
		want []int32
		text string // in the first message
	}{
		{"4326 already applied", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", applied)}, []int32{4326, 3013}, "which is too early to apply to the database"},
		{"4305 gap", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", gap)}, []int32{4305, 3013}, "which is too recent to apply to the database"},
		{"4312 new chain", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", broken)}, []int32{4312, 3013}, "a gap in the log chain was created"},
		{"4330 fork", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", fork)}, []int32{4330, 3013}, "recovery path that is inconsistent"},
		{"3154 other database", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", comp)}, []int32{3154, 3013}, "other than the existing 'mgc' database"},
		{"3201 missing file", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", sl.path("nope.trn"))}, []int32{3201, 3013}, "Operating system error 2(The system cannot find the file specified.)"},
		{"3241 not a backup", "RESTORE HEADERONLY FROM DISK = @path", []any{sql.Named("path", junk)}, []int32{3241, 3013}, "is incorrectly formed"},
		// On PRIMARY, where mgc is ONLINE (recovered).
		{"3117 recovered database", restoreLog, []any{sql.Named("db", "mgc"), sql.Named("path", applied), primary}, []int32{3117, 3013}, "no files are ready to rollforward"},
		{"3153 recovered again", "RESTORE DATABASE @db WITH RECOVERY", []any{sql.Named("db", "mgc"), primary}, []int32{3153, 3013}, "already fully recovered"},
		{"3101 sessions in the database", "RESTORE DATABASE mgccomp WITH RECOVERY", nil, []int32{3101, 3013}, "Exclusive access could not be obtained"},
		{"911 no database", "RESTORE DATABASE nodb WITH RECOVERY", nil, []int32{911, 3013}, "Database 'nodb' does not exist"},
		{"927 restoring database", "USE mgc", nil, []int32{927}, "It is in the middle of a restore."},
		{"6106 no such session", "KILL 999", nil, []int32{6106}, "Process ID 999 is not an active process ID."},
		{"6107 system session", "KILL 5", nil, []int32{6107}, "Only user processes can be killed."},
		{"32014 no secondary", "sp_delete_log_shipping_secondary_database", []any{sql.Named("secondary_database", "mgccomp")}, []int32{32014}, "Database mgccomp does not exist as log shipping secondary."},
		{"5052 alter restoring", "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE", nil, []int32{5052, 5069}, "not permitted while a database is in the Restoring state"},
		{"unsupported statement", "DROP DATABASE mgc", nil, []int32{UnsupportedNumber}, "does not support this statement"},
		{"3031 norecovery and standby", "RESTORE LOG @db FROM DISK = @path WITH FILE = 1, NORECOVERY, STANDBY = @path",
			[]any{sql.Named("db", "mgc"), sql.Named("path", applied)}, []int32{3031},
			"Option 'norecovery' conflicts with option(s) 'standby'. Remove the conflicting option and reissue the statement."},
		{"3031 recovery and norecovery", "RESTORE DATABASE mgc WITH RECOVERY, NORECOVERY", nil, []int32{3031},
			"Option 'recovery' conflicts with option(s) 'norecovery'."},
		{"3031 standby and recovery", "RESTORE DATABASE mgc WITH STANDBY = N'x.tuf', RECOVERY", nil, []int32{3031},
			"Option 'standby' conflicts with option(s) 'recovery'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			on, args := db, tt.args
			if n := len(args); n > 0 && args[n-1] == any(primary) {
				on, args = sl.db(t, "PRIMARY"), args[:n-1]
			}
			_, err := on.ExecContext(ctx, tt.sql, args...)
			me := asMSSQL(t, err)
			var got []int32
			for _, e := range me.All {
				got = append(got, e.Number)
			}
			if !reflect.DeepEqual(got, tt.want) || me.Number != tt.want[len(tt.want)-1] {
				t.Fatalf("All = %v, Number %d; want %v (%v)", got, me.Number, tt.want, err)
			}
			if !strings.Contains(me.All[0].Message, tt.text) {
				t.Errorf("message %q lacks %q", me.All[0].Message, tt.text)
			}
		})
	}
	// The refused restores changed nothing.
	var state string
	if err := db.QueryRow("SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil || state != "RESTORING" {
		t.Errorf("mgc is %s (%v) after the refusals, want RESTORING", state, err)
	}
	// An OUTPUT parameter would keep its old value (no RETURNVALUE): an
	// error, never a silent success.
	out := int64(-1)
	_, err = db.Exec("SET @x = 5", sql.Named("x", sql.Out{Dest: &out}))
	if me := asMSSQL(t, err); me.Number != UnsupportedNumber || !strings.Contains(me.Message, "OUTPUT parameter (@x)") {
		t.Errorf("OUTPUT parameter: %d %q", me.Number, me.Message)
	}
	// 6104: a session cannot KILL itself (one pinned connection).
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var spid int
	if err := conn.QueryRowContext(context.Background(), "SELECT @@SPID").Scan(&spid); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(context.Background(), "KILL "+itoa(spid))
	if me := asMSSQL(t, err); me.Number != 6104 || me.Message != "Cannot use KILL to kill your own process." {
		t.Errorf("KILL of its own session: %d %q, want 6104", me.Number, me.Message)
	}
}

// onPrimary, last in a case's args, sends it to PRIMARY.
type onPrimary struct{}

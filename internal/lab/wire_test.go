package lab

import (
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/shopspring/decimal"
)

func TestRoundTripLogin(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	tests := []struct {
		name string
		dsn  string
		want []int32
	}{
		{"wrong password", strings.Replace(sl.dsn("BACKUP", ""), url.QueryEscape(DefaultPassword), "nope", 1), []int32{18456}},
		// As SQL Server: the reason, then 18456 (Number is the last).
		{"restoring database", strings.Replace(sl.dsn("BACKUP", ""), "database=master", "database=mgc", 1), []int32{4060, 18456}},
		{"lab CA", sl.dsn("BACKUP", "&encrypt=true&certificate="+url.QueryEscape(filepath.Join(sl.dir, TLSDir, "ca.pem"))), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := strings.Replace(tt.dsn, "encrypt=disable&", "", 1)
			if tt.want != nil {
				dsn = tt.dsn
			}
			db, err := sql.Open("sqlserver", dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Ping()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("ping: %v", err)
				}
				return
			}
			me := asMSSQL(t, err)
			var got []int32
			for _, e := range me.All {
				got = append(got, e.Number)
			}
			if !reflect.DeepEqual(got, tt.want) || me.Number != 18456 {
				t.Errorf("login errors = %v (Number %d), want %v", got, me.Number, tt.want)
			}
		})
	}
	log, err := os.ReadFile(filepath.Join(sl.dir, StatementLog))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "\tfailover\tlogin-failed\t-\tuser=\"failover\" app=") ||
		!strings.Contains(string(log), `database="mgc" reason="database mgc is RESTORING"`) {
		t.Errorf("the statement log lacks the failed logins:\n%s", log)
	}
}

func TestRoundTripParameterTypes(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "PRIMARY")
	var (
		i     int64
		s     string
		b     bool
		lsn   string
		null  sql.NullString
		count int
	)
	err := db.QueryRow("SELECT @i + 1 AS i, @s AS s, @b AS b, CAST(@lsn AS numeric(25,0)) AS lsn, @n AS n, (SELECT 1) AS c",
		sql.Named("i", 41), sql.Named("s", "héllo"), sql.Named("b", true),
		sql.Named("lsn", "1903345000083031000001"), sql.Named("n", nil)).Scan(&i, &s, &b, &lsn, &null, &count)
	// Sub-queries are not part of the lab's T-SQL: the error says so.
	if me := asMSSQL(t, err); me.Number != UnsupportedNumber {
		t.Fatalf("sub-query: %d %q", me.Number, me.Message)
	}
	err = db.QueryRow("SELECT @i + 1 AS i, @s AS s, @b AS b, CAST(@lsn AS numeric(25,0)) AS lsn, @n AS n",
		sql.Named("i", 41), sql.Named("s", "héllo"), sql.Named("b", true),
		sql.Named("lsn", "1903345000083031000001"), sql.Named("n", nil)).Scan(&i, &s, &b, &lsn, &null)
	if err != nil {
		t.Fatal(err)
	}
	if i != 42 || s != "héllo" || !b || lsn != "1903345000083031000001" || null.Valid {
		t.Errorf("got %d %q %v %s %v", i, s, b, lsn, null)
	}
}

// TestRoundTripParameterValues: each parameter type go-mssqldb sends for
// sp_executesql comes back as the value that was sent.
func TestRoundTripParameterValues(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	lsn := "3985726000000913600001"
	tests := []struct {
		name string
		arg  any
		dest any
		want any
	}{
		{name: "nvarchar", arg: "Grüße", dest: new(string), want: "Grüße"},
		{name: "int", arg: int32(-7), dest: new(int32), want: int32(-7)},
		{name: "bigint beyond int", arg: int64(1) << 60, dest: new(int64), want: int64(1) << 60},
		{name: "bit", arg: true, dest: new(bool), want: true},
		{name: "datetime", arg: mssql.DateTime1(time.Date(2026, 11, 26, 4, 5, 6, 7e6, time.UTC)), dest: new(time.Time),
			want: time.Date(2026, 11, 26, 4, 5, 6, 7e6, time.UTC)},
		{name: "datetime2 keeps 100 ns", arg: time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.UTC), dest: new(time.Time),
			want: time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.UTC)},
		{name: "datetimeoffset keeps its instant", arg: time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.FixedZone("CET", 3600)), dest: new(time.Time),
			want: time.Date(2026, 11, 26, 4, 5, 6, 123456700, time.FixedZone("CET", 3600))},
		{name: "uniqueidentifier", arg: mssql.UniqueIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
			dest: new(mssql.UniqueIdentifier), want: mssql.UniqueIdentifier{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
		{name: "numeric(25,0) LSN beyond uint64", arg: decimal.RequireFromString(lsn), dest: new(string), want: lsn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.QueryRow("SELECT @p AS v", sql.Named("p", tt.arg)).Scan(tt.dest); err != nil {
				t.Fatal(err)
			}
			got := reflect.ValueOf(tt.dest).Elem().Interface()
			if gt, ok := got.(time.Time); ok {
				if !gt.Equal(tt.want.(time.Time)) {
					t.Errorf("got %v, want %v", gt, tt.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
	var now time.Time
	var typ string
	rows, err := db.Query("SELECT GETDATE() AS d, SYSDATETIME() AS d2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, _ := rows.ColumnTypes()
	typ = cts[0].DatabaseTypeName()
	if rows.Next() {
		var d2 time.Time
		rows.Scan(&now, &d2)
	}
	if typ != "DATETIME" || !onDateTimeTick(now) {
		t.Errorf("GETDATE() is %s %v, want a DATETIME on a 1/300 s tick", typ, now)
	}
	// CAST to numeric(25,0) is a NUMERIC(25,0) column, as an LSN.
	lr, err := db.Query("SELECT CAST(@p AS numeric(25,0)) AS lsn", sql.Named("p", lsn))
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Close()
	lcts, _ := lr.ColumnTypes()
	if p, sc, ok := lcts[0].DecimalSize(); !ok || p != 25 || sc != 0 {
		t.Errorf("CAST to numeric(25,0) is DECIMAL(%d,%d), want (25,0)", p, sc)
	}
}

func TestRoundTripRunTimeFaultAndStatementLog(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	if _, err := AddFault(sl.dir, Fault{Match: `sys\.databases`, Kind: FaultError, Error: 1205, Times: 1}); err != nil {
		t.Fatal(err)
	}
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM sys.databases").Scan(&n)
	if me := asMSSQL(t, err); me.Number != 1205 {
		t.Fatalf("faulted query: %d %q, want 1205", me.Number, me.Message)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM sys.databases").Scan(&n); err != nil || n != 6 {
		t.Fatalf("second query: %d, %v", n, err)
	}
	sl.lab.Close()
	data, err := os.ReadFile(filepath.Join(sl.dir, StatementLog))
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	for _, want := range []string{"\tBACKUP\t", "SELECT COUNT(*) FROM sys.databases", "\tfailover\tfault\t-\tf1: error 1205", "\tfailover\tlogin\t-\tuser=\"failover\" app=\"lab-test\""} {
		if !strings.Contains(log, want) {
			t.Errorf("statement log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, DefaultPassword) {
		t.Error("the statement log holds the password")
	}
}

func TestRoundTripEveryTableEncodes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Scenario.UserSessions.Count = 2
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	backup := sl.lab.instances[1]
	for key, build := range tableBuilders {
		name := strings.Replace(key, "msdb.", "msdb.dbo.", 1)
		backup.mu.Lock()
		var names []string
		for _, c := range build(backup).cols {
			names = append(names, "["+c.Name+"]")
		}
		backup.mu.Unlock()
		t.Run(name, func(t *testing.T) {
			rows, err := db.Query("SELECT " + strings.Join(names, ", ") + " FROM " + name)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("after %d rows: %v", n, err)
			}
		})
	}
	for _, proc := range []string{"sp_who2", "sys.sp_help_log_shipping_monitor"} {
		if _, err := db.Exec(proc); err != nil {
			t.Errorf("%s: %v", proc, err)
		}
	}
	_, err := db.Exec("RESTORE HEADERONLY FROM DISK = @p", sql.Named("p", nextCopiedFile(t, sl)))
	if err != nil {
		t.Errorf("headeronly: %v", err)
	}
}

func TestRoundTripConfigFaultSurvivesFaultsFileEdits(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Faults = []Fault{{Match: `^SELECT 2$`, Kind: FaultError, Error: 1222, Times: -1}}
	sl := serveTestLab(t, cfg)
	db := sl.db(t, "BACKUP")
	if _, err := AddFault(sl.dir, Fault{Match: `^SELECT 3$`, Kind: FaultError, Error: 1205}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sql  string
		want int32
	}{{"SELECT 2", 1222}, {"SELECT 3", 1205}, {"SELECT 3", 0}, {"SELECT 2", 1222}} {
		var n int
		err := db.QueryRow(tc.sql).Scan(&n)
		switch {
		case tc.want == 0 && err != nil:
			t.Errorf("%s: %v", tc.sql, err)
		case tc.want != 0 && asMSSQL(t, err).Number != tc.want:
			t.Errorf("%s: %v, want %d", tc.sql, err, tc.want)
		}
	}
}

func TestRoundTripDownFaultStopsAnInstance(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "PRIMARY")
	db.SetMaxIdleConns(0)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	if _, err := AddFault(sl.dir, Fault{Kind: FaultDown, Instance: "PRIMARY"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return db.Ping() != nil })
	backup := sl.db(t, "BACKUP")
	if err := backup.Ping(); err != nil {
		t.Errorf("the backup instance went down too: %v", err)
	}
	if _, err := ClearFaults(sl.dir, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return db.Ping() == nil })
	if got := sl.lab.Addrs()["PRIMARY"]; !strings.Contains(sl.dsn("PRIMARY", ""), got) {
		t.Errorf("address changed to %s", got)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRoundTripRestoreInsideSQLTx(t *testing.T) {
	sl := serveTestLab(t, DefaultConfig())
	db := sl.db(t, "BACKUP")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	_, err = tx.Exec("RESTORE DATABASE mgc WITH RECOVERY")
	if me := asMSSQL(t, err); len(me.All) != 2 || me.All[0].Number != 3021 || me.Number != 3013 {
		t.Errorf("restore in a transaction: %+v", me.All)
	}
	var state string
	if err := tx.QueryRow("SELECT state_desc FROM sys.databases WHERE name = 'mgc'").Scan(&state); err != nil || state != "RESTORING" {
		t.Errorf("mgc %s (%v), want still RESTORING", state, err)
	}
}

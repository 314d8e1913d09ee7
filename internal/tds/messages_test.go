package tds

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"
)

func TestSeveralErrorsInOneStatement(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{ServerName: "PRIMARY"})
	db := openDB(t, dsn)
	_, err := db.Exec("RESTORE LOG mgc")
	var me mssql.Error
	if !errors.As(err, &me) {
		t.Fatalf("error = %v, want mssql.Error", err)
	}
	if me.Number != 3013 || me.Class != 16 || me.ServerName != "PRIMARY" {
		t.Errorf("last error = %d class %d from %q, want 3013 class 16 from PRIMARY", me.Number, me.Class, me.ServerName)
	}
	if len(me.All) != 2 || me.All[0].Number != 4305 || me.All[1].Number != 3013 {
		t.Errorf("All = %+v, want 4305 then 3013", me.All)
	}
}

func TestPanickingHandlerIsAnError(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	_, err := db.Exec("raise panic")
	var me mssql.Error
	if !errors.As(err, &me) || !strings.Contains(me.Message, "boom") || !strings.Contains(me.Message, "testHandler).statement server_test.go:") {
		t.Fatalf("error = %v, want the panic as an error", err)
	}
}

func TestInfoMessagesStream(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	ctx := ctxTimeout(t, 5*time.Second)
	var msgs sqlexp.ReturnMessage
	rows, err := db.QueryContext(ctx, "print progress", &msgs)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer rows.Close()
	var got []string
	for more := true; more; {
		switch m := msgs.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			e := m.Message.(mssql.Error)
			got = append(got, e.Message)
			if e.Number != 3211 {
				t.Errorf("notice number = %d, want 3211", e.Number)
			}
		case sqlexp.MsgError:
			t.Fatalf("error: %v", m.Error)
		case sqlexp.MsgNextResultSet:
			more = rows.NextResultSet()
		case sqlexp.MsgNext:
			for rows.Next() {
			}
		}
	}
	want := "10 percent processed.|20 percent processed.|30 percent processed."
	if strings.Join(got, "|") != want {
		t.Fatalf("notices = %q, want %q", got, want)
	}
}

func TestAttentionCancelsAndConnectionSurvives(t *testing.T) {
	srv, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	db.SetMaxOpenConns(1)
	var before int
	if err := db.QueryRow("select @@spid").Scan(&before); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.ExecContext(ctx, "waitfor delay")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want deadline exceeded", err)
	}
	// Without an acknowledgement the driver waits 5 s and drops the
	// connection; the same SPID afterwards proves it was kept.
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cancel took %v: attention not acknowledged", d)
	}
	var after int
	if err := db.QueryRow("select @@spid").Scan(&after); err != nil {
		t.Fatalf("after cancel: %v", err)
	}
	if after != before || len(srv.Sessions()) != 1 {
		t.Fatalf("spid %d then %d with %d sessions: connection not reused", before, after, len(srv.Sessions()))
	}
}

func TestEarlyCloseOnLargeResult(t *testing.T) {
	rows := make([][]any, 20000)
	for i := range rows {
		rows[i] = []any{int64(i), strings.Repeat("r", 100)}
	}
	fixtures["select big"] = ResultSet{Columns: []Column{{Name: "id", Type: TypeBigInt}, {Name: "pad", Type: TypeNVarChar}}, Rows: rows}
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	db.SetMaxOpenConns(1)
	for i := range 3 {
		var id int64
		var pad string
		if err := db.QueryRow("select big").Scan(&id, &pad); err != nil || id != 0 {
			t.Fatalf("round %d: id %d, %v", i, id, err)
		}
		var n int
		if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
			t.Fatalf("round %d: after early close: %v", i, err)
		}
	}
}

// TestFlushSendsWhileTheRequestRuns proves Flush streams: the handler
// blocks until the test has received the first INFO message.
func TestFlushSendsWhileTheRequestRuns(t *testing.T) {
	h := newTestHandler()
	h.gate = make(chan struct{})
	_, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	ctx := ctxTimeout(t, 5*time.Second)
	var msgs sqlexp.ReturnMessage
	rows, err := db.QueryContext(ctx, "progress gate", &msgs)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	defer rows.Close()
	var got []int32
	for more := true; more; {
		switch m := msgs.Message(ctx).(type) {
		case sqlexp.MsgNotice:
			got = append(got, m.Message.(mssql.Error).Number)
			if len(got) == 1 {
				close(h.gate)
			}
		case sqlexp.MsgError:
			t.Fatalf("error: %v", m.Error)
		case sqlexp.MsgNextResultSet:
			more = rows.NextResultSet()
		}
	}
	if len(got) != 2 || got[0] != 3211 || got[1] != 3014 {
		t.Fatalf("notices = %v, want [3211 3014]", got)
	}
}

package tds

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// testHandler answers a few fixed statements and records what arrived.
type testHandler struct {
	mu     sync.Mutex
	logins []Login
	params map[string][]Param // by statement text or proc name
	opened []int
	closed []int
	// rejectPassword refuses logins with this password.
	rejectPassword string
	// rejectDatabase refuses logins to this database (4060).
	rejectDatabase string
	// gate holds "progress gate" after its first flushed message.
	gate chan struct{}
}

func newTestHandler() *testHandler {
	return &testHandler{params: map[string][]Param{}}
}

func (h *testHandler) Authenticate(l Login) *Message {
	h.mu.Lock()
	h.logins = append(h.logins, l)
	h.mu.Unlock()
	if l.Password == h.rejectPassword {
		return &Message{Number: 18456, State: 1, Class: 14, Text: fmt.Sprintf("Login failed for user '%s'.", l.User)}
	}
	if h.rejectDatabase != "" && l.Database == h.rejectDatabase {
		return &Message{Number: 4060, State: 1, Class: 11, Text: fmt.Sprintf("Cannot open database \"%s\" requested by the login. The login failed.", l.Database)}
	}
	return nil
}

func (h *testHandler) Open(s Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opened = append(h.opened, s.SPID())
}

func (h *testHandler) Close(s Session) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = append(h.closed, s.SPID())
}

func (h *testHandler) lastParams(key string) []Param {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.params[key]
}

func (h *testHandler) Batch(ctx context.Context, s Session, text string, w ResponseWriter) {
	h.statement(ctx, s, strings.TrimSuffix(strings.TrimSpace(text), ";"), nil, w)
}

func (h *testHandler) RPC(ctx context.Context, s Session, proc string, params []Param, w ResponseWriter) {
	if proc == "sp_executesql" && len(params) >= 2 {
		text, _ := params[0].Value.(string)
		h.mu.Lock()
		h.params[text] = params[2:]
		h.mu.Unlock()
		h.statement(ctx, s, text, params[2:], w)
		return
	}
	h.mu.Lock()
	h.params[proc] = params
	h.mu.Unlock()
	h.procedure(proc, params, w)
}

func (h *testHandler) procedure(proc string, params []Param, w ResponseWriter) {
	switch proc {
	case "dbo.usp_status":
		w.Rows(ResultSet{Columns: []Column{{Name: "n", Type: TypeInt}}, Rows: [][]any{{int64(1)}}})
		if ow, ok := w.(OutputWriter); ok {
			for _, p := range params {
				if p.Output {
					ow.OutputParam(p.Name, Column{Type: TypeNumeric, Precision: 25}, "12345678901234567890123")
				}
			}
		}
		w.ReturnStatus(7)
	default:
		w.Error(Message{Number: 2812, State: 62, Class: 16, Text: fmt.Sprintf("Could not find stored procedure '%s'.", proc)})
	}
}

func (h *testHandler) statement(ctx context.Context, s Session, text string, params []Param, w ResponseWriter) {
	switch strings.ToLower(text) {
	case "select 1":
		w.Rows(ResultSet{Columns: []Column{{Type: TypeInt}}, Rows: [][]any{{int64(1)}}})
	case "select @v":
		w.Rows(ResultSet{Columns: []Column{{Name: "v", Type: params[0].Type}}, Rows: [][]any{{params[0].Value}}})
	case "select @@spid":
		w.Rows(ResultSet{Columns: []Column{{Type: TypeSmallInt}}, Rows: [][]any{{int64(s.SPID())}}})
	case "select db_name()":
		w.Rows(ResultSet{Columns: []Column{{Type: TypeNVarChar}}, Rows: [][]any{{s.Database()}}})
	case "use msdb":
		s.SetDatabase("msdb")
		w.Done(-1)
	case "restore log mgc":
		w.Error(Message{Number: 4305, State: 1, Class: 16, Text: "The log in this backup set begins at LSN 1, which is too recent."})
		w.Error(Message{Number: 3013, State: 1, Class: 16, Text: "RESTORE LOG is terminating abnormally."})
		w.Done(-1)
	case "print progress":
		for i := range 3 {
			w.Info(Message{Number: 3211, State: 1, Class: 0, Text: fmt.Sprintf("%d percent processed.", 10*(i+1))})
			w.Flush()
		}
		w.Done(-1)
	case "progress gate":
		w.Info(Message{Number: 3211, State: 1, Text: "10 percent processed."})
		if err := w.Flush(); err != nil {
			w.Error(Message{Number: 50000, Text: err.Error()})
		}
		select {
		case <-h.gate:
		case <-ctx.Done():
		}
		w.Info(Message{Number: 3014, State: 1, Text: "RESTORE LOG successfully processed."})
		w.Done(-1)
	case "waitfor delay":
		<-ctx.Done()
		w.Done(-1)
	case "kill me":
		s.Kill()
		<-ctx.Done()
	case "update three":
		w.Done(3)
	case "begin tran":
		s.SetTransaction(true)
		w.Done(-1)
	case "commit":
		s.SetTransaction(false)
		w.Done(-1)
	case "select @@trancount":
		n := int64(0)
		if s.InTransaction() {
			n = 1
		}
		w.Rows(ResultSet{Columns: []Column{{Type: TypeInt}}, Rows: [][]any{{n}}})
	case "raise panic":
		panic("boom")
	default:
		if rs, ok := fixtures[text]; ok {
			w.Rows(rs)
			return
		}
		w.Error(Message{Number: 50000, State: 1, Class: 16, Text: "the lab does not support: " + text})
	}
}

var fixtures = map[string]ResultSet{}

// startServer starts a server with the handler and returns it and a DSN.
func startServer(t *testing.T, h Handler, cfg Config) (*Server, string) {
	t.Helper()
	srv := NewServer(cfg, h)
	addr, err := srv.Start()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, "sqlserver://sa:secret@" + addr + "?database=master&encrypt=disable&dial+timeout=5"
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestPingAndLogin(t *testing.T) {
	h := newTestHandler()
	_, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn+"&app+name=drill")
	if err := db.PingContext(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("ping: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1 = %d, %v", n, err)
	}
	h.mu.Lock()
	l := h.logins[0]
	h.mu.Unlock()
	want := Login{User: "sa", Password: "secret", Database: "master", AppName: "drill", HostName: l.HostName, Server: l.Server}
	if l != want {
		t.Errorf("login = %+v, want %+v", l, want)
	}
	if !strings.HasPrefix(l.Server, "127.0.0.1") {
		t.Errorf("server name = %q", l.Server)
	}
}

func TestLoginFailure(t *testing.T) {
	tests := []struct {
		name    string
		replace [2]string
		want    []int32
	}{
		{name: "bad password", replace: [2]string{"sa:secret", "sa:bad"}, want: []int32{18456}},
		// SQL Server follows the reason with 18456, as SqlClient shows it.
		{name: "database that cannot be opened", replace: [2]string{"database=master", "database=mgc"}, want: []int32{4060, 18456}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHandler()
			h.rejectPassword, h.rejectDatabase = "bad", "mgc"
			_, dsn := startServer(t, h, Config{})
			db := openDB(t, strings.Replace(dsn, tt.replace[0], tt.replace[1], 1))
			err := db.PingContext(ctxTimeout(t, 5*time.Second))
			var me mssql.Error
			if !errorsAs(err, &me) || me.Number != 18456 {
				t.Fatalf("ping error = %v, want mssql.Error 18456", err)
			}
			var got []int32
			for _, e := range me.All {
				got = append(got, e.Number)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("All = %v, want %v", got, tt.want)
			}
		})
	}
}

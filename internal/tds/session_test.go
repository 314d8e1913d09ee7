package tds

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"
)

func TestConcurrentSessionsHaveDistinctSPIDs(t *testing.T) {
	srv, dsn := startServer(t, newTestHandler(), Config{})
	const n = 12
	conns := make([]*sql.Conn, n)
	spids := make([]int, n)
	db := openDB(t, dsn)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := db.Conn(context.Background())
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
			errs <- c.QueryRowContext(context.Background(), "select @@spid").Scan(&spids[i])
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Ints(spids)
	for i, id := range spids {
		if id != firstSPID+i {
			t.Fatalf("spids = %v, want %d… consecutive from 51", spids, firstSPID)
		}
	}
	if got := len(srv.Sessions()); got != n {
		t.Errorf("server lists %d sessions, want %d", got, n)
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestKillDropsTheConnection(t *testing.T) {
	h := newTestHandler()
	srv, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var spid int
	if err := c.QueryRowContext(context.Background(), "select @@spid").Scan(&spid); err != nil {
		t.Fatal(err)
	}
	s, _ := srv.Session(spid)
	s.Kill()
	err = c.QueryRowContext(context.Background(), "select @@spid").Scan(&spid)
	if err == nil {
		t.Fatal("query on a killed session succeeded")
	}
	waitFor(t, func() bool { _, ok := srv.Session(spid); return !ok })
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if len(closed) != 1 || closed[0] != spid {
		t.Errorf("Close called for %v, want [%d]", closed, spid)
	}
}

func TestKillDuringRequest(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	_, err := db.ExecContext(ctxTimeout(t, 5*time.Second), "kill me")
	if err == nil {
		t.Fatal("killed request succeeded")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("client waited for the timeout instead of seeing the drop: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not reached in 2 s")
}

func TestTransactions(t *testing.T) {
	srv, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	db.SetMaxOpenConns(1)
	tests := []struct {
		name string
		end  func(*sql.Tx) error
	}{
		{"commit", (*sql.Tx).Commit},
		{"rollback", (*sql.Tx).Rollback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := db.Begin()
			if err != nil {
				t.Fatalf("begin: %v", err)
			}
			var n, spid int
			if err := tx.QueryRow("select @@trancount").Scan(&n); err != nil || n != 1 {
				t.Fatalf("@@trancount in tx = %d, %v", n, err)
			}
			res, err := tx.Exec("update three")
			if err != nil {
				t.Fatal(err)
			}
			if rows, _ := res.RowsAffected(); rows != 3 {
				t.Errorf("rows affected = %d, want 3", rows)
			}
			tx.QueryRow("select @@spid").Scan(&spid)
			if err := tt.end(tx); err != nil {
				t.Fatalf("end: %v", err)
			}
			s, _ := srv.Session(spid)
			if s.InTransaction() {
				t.Fatal("transaction still open after end")
			}
		})
	}
}

func TestTransactionInBatch(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var n int
	steps := []struct {
		sql  string
		want int
	}{{"begin tran", 1}, {"commit", 0}}
	for _, st := range steps {
		if _, err := c.ExecContext(ctx, st.sql); err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
		if err := c.QueryRowContext(ctx, "select @@trancount").Scan(&n); err != nil || n != st.want {
			t.Fatalf("after %s: @@trancount = %d, %v", st.sql, n, err)
		}
	}
	_, err = c.ExecContext(ctx, "commit")
	if err != nil {
		t.Fatalf("commit outside a transaction is the handler's business: %v", err)
	}
}

func TestUseAndConnectionReset(t *testing.T) {
	_, dsn := startServer(t, newTestHandler(), Config{})
	db := openDB(t, dsn)
	db.SetMaxOpenConns(1)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var name string
	ctx := context.Background()
	if _, err := c.ExecContext(ctx, "use msdb"); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRowContext(ctx, "select db_name()").Scan(&name); err != nil || name != "msdb" {
		t.Fatalf("after USE: %q, %v", name, err)
	}
	c.Close()
	// The pool resets the connection on reuse: back to the login database.
	if err := db.QueryRow("select db_name()").Scan(&name); err != nil || name != "master" {
		t.Fatalf("after reset: %q, %v", name, err)
	}
}

func TestCloseEndsSessions(t *testing.T) {
	h := newTestHandler()
	srv, dsn := startServer(t, h, Config{})
	db := openDB(t, dsn)
	done := make(chan error, 1)
	go func() {
		_, err := db.Exec("waitfor delay")
		done <- err
	}()
	waitFor(t, func() bool { return len(srv.Sessions()) == 1 })
	if err := srv.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("request survived Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("request still running 5 s after Close")
	}
	if len(srv.Sessions()) != 0 {
		t.Fatal("sessions left after Close")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	tests := []struct {
		name, addr string
		ok         bool
	}{
		{"any address", ":0", false},
		{"all interfaces", "0.0.0.0:0", false},
		{"ipv4 loopback", "127.0.0.1:0", true},
		{"localhost", "localhost:0", true},
		{"garbage", "nonsense", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(Config{Addr: tt.addr}, newTestHandler())
			defer srv.Close()
			addr, err := srv.Start()
			if (err == nil) != tt.ok {
				t.Fatalf("Start(%q) = %q, %v", tt.addr, addr, err)
			}
			if tt.ok && srv.Addr() != addr {
				t.Errorf("Addr() = %q, want %q", srv.Addr(), addr)
			}
		})
	}
}

func TestReadTimeoutClosesIdleSession(t *testing.T) {
	srv, dsn := startServer(t, newTestHandler(), Config{ReadTimeout: 100 * time.Millisecond})
	db := openDB(t, dsn)
	var n int
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return len(srv.Sessions()) == 0 })
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
		t.Logf("first query after the idle close: %v (the pool retries)", err)
	}
	if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
		t.Fatalf("no new session after the idle close: %v", err)
	}
}

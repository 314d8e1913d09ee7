package tds

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
)

// TestRequestOverTheLimitIsRefused sends a batch longer than the limit
// through go-mssqldb: it is answered with error 50000 and the same
// connection goes on serving.
func TestRequestOverTheLimitIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		limit int // Config.MaxRequestSize
		chars int // of the batch, two bytes each on the wire
	}{
		{"configured limit", 64 << 10, 40 << 10},
		{"default limit", 0, defaultMaxRequestSize/2 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, dsn := startServer(t, newTestHandler(), Config{MaxRequestSize: tt.limit})
			ctx := ctxTimeout(t, 30*time.Second)
			conn, err := openDB(t, dsn).Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, err = conn.ExecContext(ctx, "select 1 -- "+strings.Repeat("x", tt.chars))
			var me mssql.Error
			if !errors.As(err, &me) || me.Number != 50000 || !strings.Contains(me.Message, "does not support requests of more than") {
				t.Fatalf("error = %v, want error 50000 refusing the request's size", err)
			}
			var n int
			if err := conn.QueryRowContext(ctx, "select 1").Scan(&n); err != nil || n != 1 {
				t.Fatalf("the next request on the connection: %d, %v", n, err)
			}
		})
	}
}

// TestHalfSentRequestIsDropped sends the first packet of a batch and no
// more: the server closes the connection at the request timeout and
// frees the session, though the idle timeout is off.
func TestHalfSentRequestIsDropped(t *testing.T) {
	srv, _ := startServer(t, newTestHandler(), Config{RequestTimeout: 50 * time.Millisecond})
	rc := dialRaw(t, srv.Addr())
	if len(srv.Sessions()) != 1 {
		t.Fatalf("%d sessions after login, want 1", len(srv.Sessions()))
	}
	rc.c.SetDeadline(time.Now().Add(time.Minute)) // far past the request timeout: failing on it is the test failing
	if _, err := rc.c.Write(packet(pktBatch, 0, make([]byte, 1000))); err != nil {
		t.Fatal(err)
	}
	n, err := rc.c.Read(make([]byte, 1))
	var ne net.Error
	if n != 0 || err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("read after half a request = %d, %v; want the server to close the connection", n, err)
	}
	waitFor(t, func() bool { return len(srv.Sessions()) == 0 })
}

// packet builds one TDS packet.
func packet(typ, status byte, payload []byte) []byte {
	p := make([]byte, headerSize, headerSize+len(payload))
	p[0], p[1] = typ, status
	binary.BigEndian.PutUint16(p[2:], uint16(headerSize+len(payload)))
	return append(p, payload...)
}

// deadlineConn records the read deadlines set on a connection.
type deadlineConn struct {
	net.Conn
	read []time.Time
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.read = append(c.read, t)
	return nil
}

// TestReadDeadlines checks the deadline each state of a session sets:
// the request timeout inside a request, none while it runs (the reader
// waits for ATTENTION as long as the handler takes), the idle timeout
// once it is answered.
func TestReadDeadlines(t *testing.T) {
	const idle, request = time.Hour, time.Minute
	conn := &deadlineConn{}
	s := &session{srv: NewServer(Config{ReadTimeout: idle, RequestTimeout: request}, nil), raw: conn}
	steps := []struct {
		name string
		do   func()
		want time.Duration // from now; 0: no deadline
	}{
		{"a request begins", s.requestBegun, request},
		{"its next packet", s.requestBegun, request},
		{"it is read whole", s.requestRead, 0},
		{"an ATTENTION arrives", func() { s.requestBegun(); s.attention() }, 0},
		{"it is answered", func() { s.attentionAcked(); s.refreshDeadline() }, idle},
	}
	for _, st := range steps {
		before := time.Now()
		st.do()
		got := conn.read[len(conn.read)-1]
		switch {
		case st.want == 0 && !got.IsZero():
			t.Fatalf("%s: deadline %v, want none", st.name, got)
		case st.want != 0 && (got.Before(before.Add(st.want)) || got.After(time.Now().Add(st.want))):
			t.Fatalf("%s: deadline %v from now, want %v", st.name, got.Sub(before), st.want)
		}
	}
}

// sendUnending logs in on a raw connection and sends size bytes of a
// batch without its end; with eom, it then ends the batch and returns
// the error numbers of the answer, else it waits for the server to close
// the connection. Usable from any goroutine.
func sendUnending(addr string, size int, eom bool) ([]int32, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Minute))
	hello := append(packet(pktPrelogin, statusEOM, mustHex("0100060001ff02")), packet(pktLogin7, statusEOM, login7Message("sa", "secret", "master"))...)
	if _, err := c.Write(hello); err != nil {
		return nil, err
	}
	for range 2 { // the PRELOGIN answer, the login response
		if _, err := readMessage(c, maxMessageSize); err != nil {
			return nil, err
		}
	}
	chunk := packet(pktBatch, 0, make([]byte, 32000))
	for sent := 0; sent < size; sent += 32000 {
		if _, err := c.Write(chunk); err != nil {
			return nil, err // the server may close on a client too slow under load: still bounded
		}
	}
	if !eom {
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, errors.New("the server kept a half-sent request open")
		}
		return nil, nil
	}
	if _, err := c.Write(packet(pktBatch, statusEOM, ucs2("x"))); err != nil {
		return nil, err
	}
	m, err := readMessage(c, maxMessageSize)
	if err != nil {
		return nil, err
	}
	return errorNumbersIn(m.data), nil
}

// errorNumbersIn lists the numbers of the ERROR tokens of a response
// made of ERROR and DONE tokens.
func errorNumbersIn(d []byte) []int32 {
	var out []int32
	for len(d) > 0 {
		switch d[0] {
		case tokError, tokInfo:
			n := int(binary.LittleEndian.Uint16(d[1:]))
			if d[0] == tokError {
				out = append(out, int32(binary.LittleEndian.Uint32(d[3:])))
			}
			d = d[3+n:]
		case tokDone:
			d = d[13:]
		default:
			return append(out, -1)
		}
	}
	return out
}

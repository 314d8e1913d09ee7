package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net"
	"sync"
	"time"
)

// Why connections are tracked: a batch whose messages are read through
// sqlexp.ReturnMessage (runBatch) learns of everything the server sends
// through the message queue, except one thing. When the connection
// breaks before the first packet of the answer (the server died, or
// dropped us, while the statement ran: a RESTORE that finished just
// before the drop), go-mssqldb hands the read error only to the rows,
// and the queue stays silent for ever. So each connection's socket is
// wrapped, and a failed read closes the connection's broken channel,
// which ends the wait.

// tracker follows one connection of the pool.
type tracker struct {
	once   sync.Once
	broken chan struct{} // closed when a read on the socket failed

	mu     sync.Mutex // guards forget
	forget func()     // removes the tracker from the pool's map
}

func newTracker() *tracker { return &tracker{broken: make(chan struct{})} }

func (t *tracker) markBroken() { t.once.Do(func() { close(t.broken) }) }

// closed forgets the tracker once its connection is closed.
func (t *tracker) closed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.forget != nil {
		t.forget()
		t.forget = nil
	}
}

// trackerKey carries a connection's tracker from Connect to the dialer.
type trackerKey struct{}

// trackingDialer dials TCP as go-mssqldb's default dialer does (with
// keep-alive) and wraps the socket so that a failed read is noticed.
type trackingDialer struct {
	d net.Dialer
}

// DialContext dials addr; a TCP socket dialled for a tracked connect
// reports its failed reads to the tracker in ctx.
func (td *trackingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := td.d.DialContext(ctx, network, addr)
	if err != nil || network != "tcp" {
		return c, err // the SQL Browser's UDP is not the connection
	}
	if t, ok := ctx.Value(trackerKey{}).(*tracker); ok {
		return &trackedConn{Conn: c, t: t}, nil
	}
	return c, nil
}

// trackedConn is a socket whose failed reads mark its tracker.
type trackedConn struct {
	net.Conn
	t *tracker
}

// Read reads; a failure other than a deadline marks the connection
// broken.
func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			c.t.markBroken()
		}
	}
	return n, err
}

// Close closes the socket and forgets its tracker.
func (c *trackedConn) Close() error {
	c.t.closed()
	return c.Conn.Close()
}

// trackedConnector opens connections within the connect timeout and
// records each one's tracker by its driver connection. The timeout is a
// context around the connect: go-mssqldb's own "connection timeout"
// would also cut every later read that waits longer, a long RESTORE's.
type trackedConnector struct {
	driver.Connector
	timeout  time.Duration
	trackers *sync.Map // driver.Conn → *tracker
}

// Connect opens one connection.
func (c trackedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	t := newTracker()
	dc, err := c.Connector.Connect(context.WithValue(ctx, trackerKey{}, t))
	if err != nil {
		return dc, err
	}
	c.trackers.Store(dc, t)
	t.mu.Lock()
	t.forget = func() { c.trackers.Delete(dc) }
	t.mu.Unlock()
	return dc, nil
}

// brokenCh returns the channel closed when conn's socket fails a read;
// nil (never closed) for a connection not tracked.
func (p *Pool) brokenCh(conn *sql.Conn) <-chan struct{} {
	var ch <-chan struct{}
	_ = conn.Raw(func(dc any) error {
		if t, ok := p.trackers.Load(dc); ok {
			ch = t.(*tracker).broken
		}
		return nil
	})
	return ch
}

// discardIfBroken takes conn out of the pool when its socket failed: the
// driver does not notice a failure it handed only to the message queue,
// and would give the dead connection to the next step.
func (p *Pool) discardIfBroken(conn *sql.Conn, broken <-chan struct{}) {
	select {
	case <-broken:
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	default:
	}
}

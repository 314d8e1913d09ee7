package etcdtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to one address until Cut, after which
// it is a black hole: connections stay open and nothing goes through,
// as when a network partition drops every packet.
type Proxy struct {
	// Addr is where clients connect, host:port.
	Addr   string
	to     string
	l      net.Listener
	mu     sync.Mutex // guards the fields below
	cut    bool
	ups    []net.Conn // connections to the member, closed by Cut
	downs  []net.Conn // connections from clients, closed by close
	closed bool
}

// NewProxy starts a proxy to addr and stops it when the test ends.
func NewProxy(t testing.TB, addr string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: l.Addr().String(), to: addr, l: l}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *Proxy) handle(c net.Conn) {
	p.mu.Lock()
	cut, closed := p.cut, p.closed
	p.downs = append(p.downs, c)
	p.mu.Unlock()
	if closed {
		c.Close()
		return
	}
	if cut {
		drain(c)
		return
	}
	up, err := net.Dial("tcp", p.to)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.ups = append(p.ups, up)
	if p.cut || p.closed {
		up.Close()
	}
	p.mu.Unlock()
	go func() {
		_, _ = io.Copy(c, up)
		// Upstream ended: cut or the member stopped. The client side
		// stays open and silent when cut.
		p.mu.Lock()
		cut := p.cut
		p.mu.Unlock()
		if !cut {
			c.Close()
		}
	}()
	_, _ = io.Copy(up, c)
	up.Close()
	drain(c)
}

// drain reads and drops what c sends until it closes.
func drain(c net.Conn) {
	_, _ = io.Copy(io.Discard, c)
	c.Close()
}

// Cut stops all traffic: every forwarded connection's upstream side is
// closed, its client side left open and unanswered.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for _, c := range p.ups {
		c.Close()
	}
}

func (p *Proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.l.Close()
	for _, c := range append(p.ups, p.downs...) {
		c.Close()
	}
}

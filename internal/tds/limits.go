package tds

import (
	"fmt"
	"time"
)

// The request limits when Config leaves them zero.
const (
	// defaultMaxRequestSize is far below SQL Server's own limit (65,536 ×
	// the packet size, 256 MiB at the default 4,096) and far above any
	// statement the lab simulates; 40 clients sending a request each
	// without end hold at most 160 MiB.
	defaultMaxRequestSize = 4 << 20
	// defaultRequestTimeout is how long the lab waits for the next packet
	// of a request whose first packet arrived.
	defaultRequestTimeout = 30 * time.Second
)

func (s *Server) maxRequestSize() int {
	if s.cfg.MaxRequestSize > 0 {
		return s.cfg.MaxRequestSize
	}
	return defaultMaxRequestSize
}

func (s *Server) requestTimeout() time.Duration {
	if s.cfg.RequestTimeout > 0 {
		return s.cfg.RequestTimeout
	}
	return defaultRequestTimeout
}

// tooLarge is the error that answers a request over the size limit.
func tooLarge(size, limit int) Message {
	return Message{Number: 50000, State: 1, Class: 16, Text: fmt.Sprintf(
		"the lab does not support requests of more than %d bytes (this one has %d); "+
			"SQL Server accepts up to 65,536 × the packet size", limit, size)}
}

// requestBegun is called while a request is read, before each read after
// its first header: the client has that long to send more. A client that
// stops in the middle of a request would otherwise hold the memory of
// what it sent for as long as the connection lasts.
func (s *session) requestBegun() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = true
	s.setDeadline()
}

// requestRead is called once a whole request has been read: it is in
// flight until answered, and the reader waits only for ATTENTION.
func (s *session) requestRead() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial, s.inFlight = false, true
	s.setDeadline()
}

// refreshDeadline sets the read deadline the session's state calls for,
// after a request is answered.
func (s *session) refreshDeadline() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setDeadline()
}

// setDeadline sets the socket's read deadline from the state: inside a
// request, the request timeout; while a request runs, none (the reader
// waits for ATTENTION as long as the handler takes); idle, the
// ReadTimeout (0: none). The reader goroutine and the request loop both
// change the state, so the deadline is set only under s.mu, from the state
// as it is then: the last one set always matches the state.
func (s *session) setDeadline() {
	var d time.Time
	switch {
	case s.partial:
		d = time.Now().Add(s.srv.requestTimeout())
	case s.inFlight:
	case s.srv.cfg.ReadTimeout > 0:
		d = time.Now().Add(s.srv.cfg.ReadTimeout)
	}
	s.raw.SetReadDeadline(d)
}

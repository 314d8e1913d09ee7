package tds

import (
	"bufio"
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// session is one logged-in connection. One goroutine runs requests (the
// handler is called from it); a second reads the socket, so ATTENTION is
// seen while a request runs.
type session struct {
	srv    *Server
	spid   int
	login  Login
	raw    net.Conn
	rd     io.Reader // packets from the client (plain or TLS)
	pw     packetWriter
	ctx    context.Context // ends with the session
	cancel context.CancelFunc
	attn   atomic.Bool // ATTENTION arrived for the request in flight
	// encryption is how the connection was secured: "" (not), "login"
	// (LOGIN7 only), "full" or "strict" (TDS 8.0).
	encryption string
	// tlsVersion is the TLS version negotiated (0: none); like
	// encryption, set before the session is registered, then read only.
	tlsVersion uint16

	mu        sync.Mutex // guards the fields below
	db        string
	inTx      bool
	tranID    uint64
	values    map[string]any
	inFlight  bool               // a request was read and is not fully answered
	partial   bool               // the reader is inside a request: its first packet arrived, not its last
	reqCancel context.CancelFunc // cancels the running handler's ctx
	w         *responseWriter    // the running request's writer
}

// item is what the reader goroutine hands to the request loop.
type item struct {
	msg message
	err error
	// acked: an ATTENTION that the response in flight acknowledges.
	acked bool
}

func (s *session) SPID() int    { return s.spid }
func (s *session) Login() Login { return s.login }

func (s *session) Database() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

// SetDatabase changes the database and, inside a request, tells the
// client with ENVCHANGE 1.
func (s *session) SetDatabase(name string) {
	s.mu.Lock()
	old, w := s.db, s.w
	s.db = name
	s.mu.Unlock()
	if w != nil && old != name {
		w.envChange(func(b *buf) { b.envChangeString(envDatabase, name, old) })
	}
}

func (s *session) InTransaction() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inTx
}

// SetTransaction opens (ENVCHANGE 8 with a new id) or commits (ENVCHANGE
// 9) the session's transaction.
func (s *session) SetTransaction(open bool) {
	if open {
		s.beginTran()
	} else {
		s.endTran(envCommitTran)
	}
}

func (s *session) beginTran() {
	s.mu.Lock()
	if s.inTx {
		s.mu.Unlock()
		return
	}
	s.inTx = true
	s.tranID++
	id, w := s.tranID, s.w
	s.mu.Unlock()
	if w != nil {
		w.envChange(func(b *buf) { b.envChangeBytes(envBeginTran, tranID(id), nil) })
	}
}

func (s *session) endTran(typ byte) {
	s.mu.Lock()
	if !s.inTx {
		s.mu.Unlock()
		return
	}
	s.inTx = false
	id, w := s.tranID, s.w
	s.mu.Unlock()
	if w != nil {
		w.envChange(func(b *buf) { b.envChangeBytes(typ, nil, tranID(id)) })
	}
}

// txStatus is the DONE INXACT bit while a transaction is open.
func (s *session) txStatus() uint16 {
	if s.InTransaction() {
		return doneInTx
	}
	return 0
}

// Kill closes the connection; the reader fails, the request loop ends,
// and a running handler's ctx is cancelled.
func (s *session) Kill() {
	s.cancel()
	s.raw.Close()
}

func (s *session) Value(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[key]
}

func (s *session) SetValue(key string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.values == nil {
		s.values = map[string]any{}
	}
	s.values[key] = v
}

// readLoop reads client messages until the connection fails. A request
// longer than the server's limit is read to its end without being kept,
// and handed on to be refused; one whose client stops sending in the
// middle fails at the request deadline.
func (s *session) readLoop(ch chan<- item) {
	br := bufio.NewReaderSize(s.rd, 8192)
	mr := messageReader{src: func(int) io.Reader { return br }, limit: s.srv.maxRequestSize(),
		discard: true, wait: s.requestBegun}
	for {
		m, err := mr.read()
		it := item{msg: m, err: err}
		switch {
		case err != nil:
		case m.typ == pktAttention:
			it.acked = s.attention()
		default:
			s.requestRead()
		}
		select {
		case ch <- it:
		case <-s.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

// attention cancels the request in flight; it reports whether that
// request's response will carry the acknowledgement.
func (s *session) attention() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = false
	s.setDeadline()
	if !s.inFlight {
		return false
	}
	s.attn.Store(true)
	if s.reqCancel != nil {
		s.reqCancel()
	}
	return true
}

// startRequest makes the handler's ctx; an ATTENTION that arrived before
// the handler started cancels it at once.
func (s *session) startRequest(w *responseWriter) context.Context {
	ctx, cancel := context.WithCancel(s.ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqCancel, s.w = cancel, w
	if s.attn.Load() {
		cancel()
	}
	return ctx
}

// endRequest is called just before the end-of-message packet: it reports
// true if an ATTENTION must be acknowledged in this response; otherwise
// the request is no longer in flight and a later ATTENTION gets its own
// acknowledgement.
func (s *session) endRequest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.attn.Load() {
		return true
	}
	s.clearRequest()
	return false
}

func (s *session) attentionAcked() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attn.Store(false)
	s.clearRequest()
}

func (s *session) clearRequest() {
	s.inFlight, s.w = false, nil
	if s.reqCancel != nil {
		s.reqCancel()
		s.reqCancel = nil
	}
}

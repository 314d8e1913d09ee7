package tds

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
)

// firstSPID is the first session id handed out, as on SQL Server (lower
// ids belong to system sessions there).
const firstSPID = 51

// defaultVersion is reported when Config.Version is zero: 16.0.1000
// (SQL Server 2022 RTM).
var defaultVersion = [4]byte{16, 0, 0x03, 0xE8}

// Server is a TDS server on a loopback address. Each connection runs in
// its own goroutines; the Handler gives the statements meaning.
type Server struct {
	cfg Config
	h   Handler
	tls *tls.Config // nil: encryption is refused

	ctx    context.Context // cancelled by Close; parent of every session
	cancel context.CancelFunc
	wg     sync.WaitGroup // accept loop, connections, readers

	mu       sync.Mutex // guards the fields below
	ln       net.Listener
	conns    map[net.Conn]struct{}
	sessions map[int]*session
	closed   bool
}

// NewServer makes a server; Start listens.
func NewServer(cfg Config, h Handler) *Server {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.ServerName == "" {
		cfg.ServerName = "LAB"
	}
	if cfg.Version == [4]byte{} {
		cfg.Version = defaultVersion
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{cfg: cfg, h: h, ctx: ctx, cancel: cancel,
		conns: map[net.Conn]struct{}{}, sessions: map[int]*session{}}
}

// Start listens on Config.Addr, which must be a loopback address, serves
// in the background and returns the address it listens on.
func (s *Server) Start() (string, error) {
	if err := checkLoopback(s.cfg.Addr); err != nil {
		return "", err
	}
	tc, err := tlsConfig(s.cfg.CertFile, s.cfg.KeyFile)
	if err != nil {
		return "", fmt.Errorf("load TLS certificate: %w", err)
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	s.mu.Lock()
	if s.closed || s.ln != nil {
		s.mu.Unlock()
		ln.Close()
		return "", errors.New("start server: already started or closed")
	}
	s.tls, s.ln = tc, ln
	s.mu.Unlock()
	s.wg.Add(1)
	go s.acceptLoop(ln)
	return ln.Addr().String(), nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("parse listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("listen on %q: the TDS server listens on loopback addresses only", addr)
	}
	return nil
}

// Addr is the address the server listens on ("" before Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops listening, closes every connection (running handlers see
// their ctx cancelled) and waits for the server's goroutines. A handler
// that ignores its ctx delays Close until it returns.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return err
}

// Session returns the live session with the given SPID.
func (s *Server) Session(spid int) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[spid]
	return ss, ok
}

// Sessions returns the live sessions ordered by SPID.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	spids := make([]int, 0, len(s.sessions))
	for id := range s.sessions {
		spids = append(spids, id)
	}
	sort.Ints(spids)
	out := make([]Session, len(spids))
	for i, id := range spids {
		out[i] = s.sessions[id]
	}
	return out
}

func (s *Server) name() string { return s.cfg.ServerName }

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return // closed
		}
		if !s.track(c) {
			c.Close()
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// addSession registers a session under the lowest free SPID from 51, as
// SQL Server reuses ids.
func (s *Server) addSession(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := firstSPID
	for s.sessions[id] != nil {
		id++
	}
	ss.spid = id
	ss.pw.spid = uint16(id)
	s.sessions[id] = ss
}

func (s *Server) removeSession(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, ss.spid)
}

package tds

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"
)

// handshakeTimeout bounds PRELOGIN, TLS and LOGIN7 when Config.ReadTimeout
// is zero, so a silent client cannot hold a goroutine forever.
const handshakeTimeout = 30 * time.Second

// serveConn runs one connection: handshake, login, requests.
func (s *Server) serveConn(c net.Conn) {
	limit := s.cfg.ReadTimeout
	if limit == 0 {
		limit = handshakeTimeout
	}
	c.SetDeadline(time.Now().Add(limit))
	ss, l, err := s.handshake(c)
	if err != nil {
		return
	}
	c.SetDeadline(time.Time{})
	if m := s.h.Authenticate(l.Login); m != nil {
		ss.pw.writePackets(pktReply, loginFailure(*m, l.Login.User, s.name()), true)
		return
	}
	s.addSession(ss)
	defer s.removeSession(ss)
	ss.ctx, ss.cancel = context.WithCancel(s.ctx)
	defer ss.cancel()
	ss.db = ss.loginDB()
	s.h.Open(ss)
	defer s.h.Close(ss)
	resp := loginResponse(ss.Database(), s.name(), s.cfg.Version, ss.pw.size)
	if ss.pw.writePackets(pktReply, resp, true) != nil {
		return
	}
	ss.refreshDeadline()
	ss.serve()
}

// handshake runs PRELOGIN, the optional TLS handshake and LOGIN7, and
// returns a session (not yet registered) that reads and writes through
// the negotiated transport.
func (s *Server) handshake(c net.Conn) (*session, login7, error) {
	br := bufio.NewReader(c)
	ss := &session{srv: s, raw: c, rd: br, pw: packetWriter{w: c, size: preloginPacketSize}}
	strict, err := s.startStrict(ss, br)
	if err != nil {
		return nil, login7{}, err
	}
	m, err := readMessage(ss.rd, 1<<16)
	if err != nil {
		return nil, login7{}, err
	}
	if m.typ != pktPrelogin {
		return nil, login7{}, fmt.Errorf("handshake: got packet type %#x, want PRELOGIN", m.typ)
	}
	opts, err := parsePrelogin(m.data)
	if err != nil {
		return nil, login7{}, err
	}
	enc := chooseEncryption(opts[preEncryption], s.tls != nil)
	if err := ss.pw.writePackets(pktReply, preloginAnswer(s.cfg.Version, enc), true); err != nil {
		return nil, login7{}, err
	}
	first := ss.rd // LOGIN7's first packet
	if !strict && enc != encryptNotSup {
		if first, err = s.startTLS(ss, br, enc == encryptOff); err != nil {
			return nil, login7{}, err
		}
	}
	l, err := readLogin(first, ss.rd)
	if err != nil {
		return nil, login7{}, err
	}
	ss.login = l.Login
	ss.pw.size = l.packetSize
	return ss, l, nil
}

// startStrict detects TDS 8.0: the client's first byte is a TLS
// handshake record (0x16) instead of a PRELOGIN packet (0x12).
func (s *Server) startStrict(ss *session, br *bufio.Reader) (bool, error) {
	b, err := br.Peek(1)
	if err != nil {
		return false, err
	}
	if b[0] != 0x16 {
		return false, nil
	}
	if s.tls == nil {
		return false, fmt.Errorf("handshake: TDS 8.0 client but no certificate")
	}
	tc := tls.Server(bufConn{Conn: ss.raw, br: br}, strictConfig(s.tls))
	if err := tc.Handshake(); err != nil {
		return false, fmt.Errorf("handshake: TLS: %w", err)
	}
	ss.rd, ss.pw.w, ss.encryption = tc, tc, "strict"
	ss.tlsVersion = tc.ConnectionState().Version
	return true, nil
}

// startTLS runs the TLS handshake inside PRELOGIN packets. With
// loginOnly (the client said OFF) only LOGIN7's first packet travels
// through TLS and everything after it is plain again; it returns the
// reader for that packet.
func (s *Server) startTLS(ss *session, br *bufio.Reader, loginOnly bool) (io.Reader, error) {
	hc := &handshakeConn{Conn: ss.raw, br: br, handshaking: true}
	tc := tls.Server(hc, s.tls)
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("handshake: TLS: %w", err)
	}
	if err := hc.flush(); err != nil {
		return nil, err
	}
	hc.handshaking = false
	ss.tlsVersion = tc.ConnectionState().Version
	if loginOnly {
		ss.encryption = "login"
		return tc, nil
	}
	ss.rd, ss.pw.w, ss.encryption = tc, tc, "full"
	return tc, nil
}

// readLogin reads LOGIN7: its first packet from first, any further
// packets from rest (they differ when only the login is encrypted).
func readLogin(first, rest io.Reader) (login7, error) {
	m, err := messageReader{src: func(i int) io.Reader {
		if i == 0 {
			return first
		}
		return rest
	}, limit: 1 << 16}.read()
	if err != nil {
		return login7{}, err
	}
	if m.typ != pktLogin7 {
		return login7{}, fmt.Errorf("handshake: got packet type %#x, want LOGIN7", m.typ)
	}
	return parseLogin7(m.data)
}

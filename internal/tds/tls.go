package tds

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
)

// handshakeConn runs a TLS handshake inside TDS PRELOGIN packets, as TDS
// 7.x requires, then passes bytes straight through (after the handshake,
// raw TLS records carry ordinary TDS packets).
//
// go-mssqldb reads each server handshake flight as one TDS message and
// stops at its end, so the server's writes are buffered and sent as one
// complete message when the TLS library next reads, and once more after
// Handshake returns (TLS 1.2 leaves the server's Finished pending).
type handshakeConn struct {
	net.Conn
	br          *bufio.Reader
	handshaking bool
	in          []byte // unread payload of the client's current message
	out         []byte // server handshake bytes not yet sent
}

func (h *handshakeConn) Read(p []byte) (int, error) {
	if !h.handshaking {
		return h.br.Read(p)
	}
	if err := h.flush(); err != nil {
		return 0, err
	}
	if len(h.in) == 0 {
		m, err := readMessage(h.br, 1<<16)
		if err != nil {
			return 0, err
		}
		if m.typ != pktPrelogin {
			return 0, io.ErrUnexpectedEOF
		}
		h.in = m.data
	}
	n := copy(p, h.in)
	h.in = h.in[n:]
	return n, nil
}

func (h *handshakeConn) Write(p []byte) (int, error) {
	if !h.handshaking {
		return h.Conn.Write(p)
	}
	h.out = append(h.out, p...)
	return len(p), nil
}

// flush sends the buffered handshake bytes as one TDS message.
func (h *handshakeConn) flush() error {
	if len(h.out) == 0 {
		return nil
	}
	pw := packetWriter{w: h.Conn, size: preloginPacketSize}
	err := pw.writePackets(pktPrelogin, h.out, true)
	h.out = nil
	return err
}

// bufConn reads through the connection's bufio.Reader, so a byte peeked
// to detect TDS 8.0 is not lost.
type bufConn struct {
	net.Conn
	br *bufio.Reader
}

func (b bufConn) Read(p []byte) (int, error) { return b.br.Read(p) }

// tlsConfig loads the certificate; nil when the server has none.
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		// TDS 7.x wraps the handshake in PRELOGIN packets, where SQL
		// Server (2014 to 2022) offers at most TLS 1.2; clients built for
		// it, FreeTDS among them, hang after login when offered TLS 1.3
		// there. Only strict encryption (TDS 8.0) raises the cap.
		MaxVersion: tls.VersionTLS12,
		// No session tickets: a post-handshake ticket write would land
		// outside the PRELOGIN-wrapped handshake.
		SessionTicketsDisabled: true,
	}, nil
}

// strictConfig is the TDS 8.0 variant: TLS first, ALPN "tds/8.0", and
// TLS 1.3 allowed, as SQL Server 2022 allows it for strict encryption.
func strictConfig(c *tls.Config) *tls.Config {
	s := c.Clone()
	s.NextProtos = []string{"tds/8.0"}
	s.MaxVersion = tls.VersionTLS13
	return s
}

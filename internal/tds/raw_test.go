package tds

import (
	"bytes"
	"encoding/binary"
	"net"
	"testing"
	"time"
)

// rawClient speaks TDS by hand, for requests database/sql cannot send.
type rawClient struct {
	t *testing.T
	c net.Conn
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	rc := &rawClient{t: t, c: c}
	rc.send(pktPrelogin, mustHex("0100060001ff02"))
	rc.send(pktLogin7, login7Message("sa", "secret", "master"))
	if toks := rc.tokens(); len(toks) == 0 || toks[len(toks)-1].id != tokDone {
		t.Fatalf("login response tokens = %v", toks)
	}
	return rc
}

func (rc *rawClient) send(typ byte, payload []byte) {
	rc.t.Helper()
	var b bytes.Buffer
	pw := packetWriter{w: &b, size: defaultPacketSize}
	pw.writePackets(typ, payload, true)
	if _, err := rc.c.Write(b.Bytes()); err != nil {
		rc.t.Fatal(err)
	}
}

type rawToken struct {
	id     byte
	number int32  // ERROR/INFO
	status uint16 // DONE family
}

// tokens reads one response and lists its tokens (the PRELOGIN answer
// has none).
func (rc *rawClient) tokens() []rawToken {
	rc.t.Helper()
	m, err := readMessage(rc.c, maxMessageSize)
	if err != nil {
		rc.t.Fatalf("read response: %v", err)
	}
	if m.data[0] == preVersion {
		m, err = readMessage(rc.c, maxMessageSize)
		if err != nil {
			rc.t.Fatalf("read response: %v", err)
		}
	}
	var out []rawToken
	for d := m.data; len(d) > 0; {
		tok := rawToken{id: d[0]}
		switch d[0] {
		case tokDone, tokDoneProc, tokDoneInProc:
			tok.status = binary.LittleEndian.Uint16(d[1:])
			d = d[13:]
		case tokReturnStatus:
			d = d[5:]
		case tokError, tokInfo, tokEnvChange, tokLoginAck:
			n := int(binary.LittleEndian.Uint16(d[1:]))
			if d[0] == tokError || d[0] == tokInfo {
				tok.number = int32(binary.LittleEndian.Uint32(d[3:]))
			}
			d = d[3+n:]
		default:
			rc.t.Fatalf("unexpected token %#x", d[0])
		}
		out = append(out, tok)
	}
	return out
}

func errorNumbers(toks []rawToken) []int32 {
	var out []int32
	for _, t := range toks {
		if t.id == tokError {
			out = append(out, t.number)
		}
	}
	return out
}

func TestRawRequestsAnsweredWithErrors(t *testing.T) {
	srv, _ := startServer(t, newTestHandler(), Config{})
	tm := func(kind byte, rest ...byte) []byte {
		return append(append(append([]byte{}, allHeaders...), kind, 0), rest...)
	}
	tests := []struct {
		name    string
		typ     byte
		payload []byte
		want    int32
	}{
		{"commit without transaction", pktTransMgr, tm(tmCommit, 0, 0), 3902},
		{"rollback without transaction", pktTransMgr, tm(tmRollback, 0, 0), 3903},
		{"save without transaction", pktTransMgr, tm(tmSave, 0), 628},
		{"unknown transaction request", pktTransMgr, tm(42), 50000},
		{"undecodable RPC", pktRPC, rpcMessage("02 40006e00 00 f3"), 50000},
		{"undecodable batch", pktBatch, mustHex("ff000000"), 50000},
		{"bulk load", 0x07, []byte{1}, 50000},
	}
	rc := dialRaw(t, srv.Addr())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc.send(tt.typ, tt.payload)
			toks := rc.tokens()
			got := errorNumbers(toks)
			last := toks[len(toks)-1]
			if len(got) != 1 || got[0] != tt.want || last.status&doneError == 0 || last.status&doneMore != 0 {
				t.Fatalf("errors %v, final status %#x; want [%d] with DONE_ERROR", got, last.status, tt.want)
			}
		})
	}
}

func TestAttentionWhenIdleGetsItsOwnAck(t *testing.T) {
	srv, _ := startServer(t, newTestHandler(), Config{})
	rc := dialRaw(t, srv.Addr())
	rc.send(pktAttention, nil)
	toks := rc.tokens()
	if len(toks) != 1 || toks[0].id != tokDone || toks[0].status != doneAttn {
		t.Fatalf("tokens = %+v, want one DONE(ATTN)", toks)
	}
	rc.send(pktBatch, append(append([]byte{}, allHeaders...), ucs2("SELECT 1")...))
	if m, err := readMessage(rc.c, maxMessageSize); err != nil || m.data[0] != tokColMetadata {
		t.Fatalf("after the ack: %x, %v", m.data, err)
	}
}

func TestSessionValues(t *testing.T) {
	s := &session{}
	if s.Value("k") != nil {
		t.Fatal("value before set")
	}
	s.SetValue("k", 42)
	if s.Value("k") != 42 {
		t.Fatalf("value = %v", s.Value("k"))
	}
}

func TestResetConnectionEndsTransaction(t *testing.T) {
	tests := []struct {
		name   string
		status byte
		inTx   bool
	}{
		{"reset", statusEOM | statusReset, false},
		{"reset keeping the transaction", statusEOM | statusResetSkip, true},
		{"no reset", statusEOM, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := startServer(t, newTestHandler(), Config{})
			rc := dialRaw(t, srv.Addr())
			rc.send(pktBatch, append(append([]byte{}, allHeaders...), ucs2("begin tran")...))
			rc.tokens()
			payload := append(append([]byte{}, allHeaders...), ucs2("update three")...)
			pkt := append([]byte{pktBatch, tt.status, 0, byte(headerSize + len(payload)), 0, 0, 1, 0}, payload...)
			rc.c.Write(pkt)
			rc.tokens()
			s, _ := srv.Session(firstSPID)
			if s.InTransaction() != tt.inTx {
				t.Fatalf("in transaction = %v, want %v", s.InTransaction(), tt.inTx)
			}
		})
	}
}

package tds

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

// parseAny runs the parser a message of its type goes to.
func parseAny(m message) {
	switch m.typ {
	case pktPrelogin:
		parsePrelogin(m.data)
	case pktLogin7:
		parseLogin7(m.data)
	case pktBatch:
		parseBatch(m.data)
	case pktRPC:
		parseRPC(m.data)
	case pktTransMgr:
		parseTransMgr(m.data)
	}
}

func packets(typ byte, payload []byte) []byte {
	var b bytes.Buffer
	pw := packetWriter{w: &b, size: 512}
	pw.writePackets(typ, payload, true)
	return b.Bytes()
}

func fuzzSeeds(f *testing.F) {
	f.Add(packets(pktPrelogin, preloginAnswer(defaultVersion, encryptOff)))
	f.Add(packets(pktBatch, append(append([]byte{}, allHeaders...), ucs2("select 1;")...)))
	f.Add(packets(pktRPC, rpcMessage("02 40006e00 00 6c 0d 19 00 0d 01 cb444271764eb6429d020000",
		"02 40006e00 00 e7 ffff 0904d00034 0400000000000000 02000000 6100 02000000 6200 00000000")))
	f.Add(packets(pktTransMgr, append(append([]byte{}, allHeaders...), 5, 0, 0, 0)))
	f.Add(packets(pktLogin7, login7Message("sa", "pw", "master")))
	f.Add(mustHex("06010008 00000100"))
}

// FuzzReadPacket feeds arbitrary bytes to the packet reader and to the
// parser of the message type: none may panic or allocate without bound.
func FuzzReadPacket(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		for {
			m, err := readMessage(r, 1<<20)
			if err != nil {
				return
			}
			parseAny(m)
		}
	})
}

// FuzzServeConn sends arbitrary bytes to a whole connection, first as a
// handshake, then after a real plain login: the server must neither panic
// nor hang.
func FuzzServeConn(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		srv := NewServer(Config{ReadTimeout: time.Second}, newTestHandler())
		client, server := net.Pipe()
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			srv.serveConn(server)
			server.Close()
		}()
		go io.Copy(io.Discard, client)
		client.SetDeadline(time.Now().Add(2 * time.Second))
		client.Write(packets(pktPrelogin, mustHex("0100060001ff02")))
		client.Write(packets(pktLogin7, login7Message("sa", "secret", "master")))
		client.Write(data)
		client.Close()
		select {
		case <-finished:
		case <-time.After(3 * time.Second):
			t.Fatal("server still serving 3 s after the client closed")
		}
	})
}

// login7Message builds a LOGIN7 payload as a client would.
func login7Message(user, password, db string) []byte {
	fixed := make([]byte, 94)
	copy(fixed[4:], []byte{0x04, 0x00, 0x00, 0x74})
	fixed[9] = 0x10 // packet size 4096
	var tail []byte
	field := func(at int, s string, scramble bool) {
		u := ucs2(s)
		if scramble {
			for i, b := range u {
				u[i] = (b<<4 | b>>4) ^ 0xA5
			}
		}
		off := 94 + len(tail)
		fixed[at], fixed[at+1] = byte(off), byte(off>>8)
		fixed[at+2], fixed[at+3] = byte(len(u)/2), byte(len(u)/2>>8)
		tail = append(tail, u...)
	}
	field(36, "host", false)
	field(40, user, false)
	field(44, password, true)
	field(48, "app", false)
	field(52, "srv", false)
	field(68, db, false)
	msg := append(fixed, tail...)
	msg[0], msg[1] = byte(len(msg)), byte(len(msg)>>8)
	return msg
}

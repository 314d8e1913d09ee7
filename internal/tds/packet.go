package tds

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Packet types (MS-TDS 2.2.3.1.1).
const (
	pktBatch     = 0x01
	pktRPC       = 0x03
	pktReply     = 0x04
	pktAttention = 0x06
	pktTransMgr  = 0x0E
	pktLogin7    = 0x10
	pktPrelogin  = 0x12
)

// Packet status bits.
const (
	statusEOM       = 0x01
	statusReset     = 0x08
	statusResetSkip = 0x10 // reset, but keep the transaction
)

const (
	headerSize = 8
	// defaultPacketSize is used until LOGIN7 negotiates another size.
	defaultPacketSize = 4096
	// preloginPacketSize splits messages sent before LOGIN7: the smallest
	// size a client may ask for, so no client buffer is ever overrun.
	preloginPacketSize = 512
	minPacketSize      = 512
	maxPacketSize      = 32767
	// maxRequestPackets is SQL Server's own bound on one request: 65,536
	// packets (65,536 × the packet size in bytes). A request past it is a
	// protocol violation and ends the connection.
	maxRequestPackets = 65536
)

var errMessageTooLarge = errors.New("message exceeds the size limit")

// message is one reassembled client message (all packets up to EOM).
type message struct {
	typ    byte
	status byte // status of the first packet (RESETCONNECTION lives here)
	data   []byte
	// size is the length of the whole payload. A request longer than the
	// limit it was read with is read to its end but not kept: its data is
	// nil and tooLarge is set.
	size     int
	tooLarge bool
}

// readHeader reads one packet header and returns type, status and payload
// length.
func readHeader(r io.Reader) (typ, status byte, n int, err error) {
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, 0, 0, err
	}
	size := int(binary.BigEndian.Uint16(h[2:4]))
	if size < headerSize {
		return 0, 0, 0, fmt.Errorf("read packet header: length %d is shorter than the header", size)
	}
	return h[0], h[1], size - headerSize, nil
}

// readMessage reads packets up to the one marked end-of-message and
// returns their payloads joined; a message longer than limit is
// errMessageTooLarge.
func readMessage(r io.Reader, limit int) (message, error) {
	return messageReader{src: func(int) io.Reader { return r }, limit: limit}.read()
}

// messageReader reads one message, packet by packet.
type messageReader struct {
	// src returns the reader of packet i (they differ when only LOGIN7's
	// first packet is encrypted).
	src func(i int) io.Reader
	// limit bounds the payload kept in memory.
	limit int
	// discard reads a message longer than limit to its end, keeping none
	// of it past the limit, and returns it with tooLarge set, so that the
	// client can be answered; without it such a message is an error.
	discard bool
	// wait, when set, is called once a message has begun, before each
	// further read: it sets the deadline of a half-sent request.
	wait func()
}

func (mr messageReader) read() (message, error) {
	var m message
	for i := 0; ; i++ {
		first, r := i == 0, mr.src(i)
		if !first {
			mr.waiting()
		}
		typ, status, n, err := readHeader(r)
		if err != nil {
			if !first && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return m, err
		}
		if first {
			m.typ, m.status = typ, status
			mr.waiting()
		} else if typ != m.typ {
			return m, fmt.Errorf("read message: packet type %#x inside a message of type %#x", typ, m.typ)
		}
		if err := mr.payload(&m, r, n, i); err != nil {
			return m, err
		}
		if status&statusEOM != 0 {
			return m, nil
		}
	}
}

func (mr messageReader) waiting() {
	if mr.wait != nil {
		mr.wait()
	}
}

// payload reads packet i's payload of n bytes into m, or past it when m
// is over the limit.
func (mr messageReader) payload(m *message, r io.Reader, n, i int) error {
	m.size += n
	switch {
	case m.size > mr.limit && !mr.discard, i >= maxRequestPackets:
		return errMessageTooLarge
	case m.size > mr.limit:
		m.data, m.tooLarge = nil, true // let the collector have it now
	}
	if m.tooLarge {
		if _, err := io.CopyN(io.Discard, r, int64(n)); err != nil {
			return fmt.Errorf("read packet payload: %w", noEOF(err))
		}
		return nil
	}
	start := len(m.data)
	m.data = grow(m.data, n, mr.limit)
	if _, err := io.ReadFull(r, m.data[start:]); err != nil {
		return fmt.Errorf("read packet payload: %w", noEOF(err))
	}
	return nil
}

// grow extends b by n bytes, doubling its capacity as append does but
// never past limit: a request just under the limit holds no more memory
// than the limit.
func grow(b []byte, n, limit int) []byte {
	need := len(b) + n
	if need > cap(b) {
		bigger := make([]byte, len(b), min(max(2*cap(b), need), max(limit, need)))
		copy(bigger, b)
		b = bigger
	}
	return b[:need]
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// packetWriter splits messages into packets of at most size bytes.
type packetWriter struct {
	w    io.Writer
	size int
	spid uint16
	seq  byte
}

// writePackets sends data as packets of type typ. Every packet but the
// last of a final write carries status 0: go-mssqldb treats any non-zero
// status as end of message.
func (pw *packetWriter) writePackets(typ byte, data []byte, final bool) error {
	max := pw.size - headerSize
	for {
		n := min(len(data), max)
		last := n == len(data)
		if last && !final && n == 0 {
			return nil
		}
		if err := pw.writePacket(typ, data[:n], last && final); err != nil {
			return err
		}
		data = data[n:]
		if last {
			return nil
		}
	}
}

func (pw *packetWriter) writePacket(typ byte, payload []byte, eom bool) error {
	buf := make([]byte, headerSize+len(payload))
	buf[0] = typ
	if eom {
		buf[1] = statusEOM
	}
	binary.BigEndian.PutUint16(buf[2:4], uint16(len(buf)))
	binary.BigEndian.PutUint16(buf[4:6], pw.spid)
	pw.seq++
	buf[6] = pw.seq
	copy(buf[headerSize:], payload)
	if eom {
		pw.seq = 0
	}
	_, err := pw.w.Write(buf)
	return err
}

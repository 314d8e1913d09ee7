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
	// maxMessageSize bounds one reassembled request, so a hostile client
	// cannot make the server allocate without limit.
	maxMessageSize = 64 << 20
)

var errMessageTooLarge = errors.New("message exceeds the size limit")

// message is one reassembled client message (all packets up to EOM).
type message struct {
	typ    byte
	status byte // status of the first packet (RESETCONNECTION lives here)
	data   []byte
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
// returns their payloads joined.
func readMessage(r io.Reader, limit int) (message, error) {
	return readPackets(func(int) io.Reader { return r }, limit)
}

// readPackets is readMessage reading packet i from src(i).
func readPackets(src func(i int) io.Reader, limit int) (message, error) {
	var m message
	for i := 0; ; i++ {
		first, r := i == 0, src(i)
		typ, status, n, err := readHeader(r)
		if err != nil {
			if !first && errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return m, err
		}
		if first {
			m.typ, m.status = typ, status
		} else if typ != m.typ {
			return m, fmt.Errorf("read message: packet type %#x inside a message of type %#x", typ, m.typ)
		}
		if len(m.data)+n > limit {
			return m, errMessageTooLarge
		}
		start := len(m.data)
		m.data = append(m.data, make([]byte, n)...)
		if _, err := io.ReadFull(r, m.data[start:]); err != nil {
			return m, fmt.Errorf("read packet payload: %w", noEOF(err))
		}
		if status&statusEOM != 0 {
			return m, nil
		}
	}
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

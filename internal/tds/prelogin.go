package tds

import (
	"encoding/binary"
	"fmt"
)

// PRELOGIN option tokens.
const (
	preVersion    = 0x00
	preEncryption = 0x01
	preInstOpt    = 0x02
	preThreadID   = 0x03
	preMARS       = 0x04
	preTerminator = 0xFF
)

// Encryption values of the PRELOGIN ENCRYPTION option.
const (
	encryptOff    = 0x00
	encryptOn     = 0x01
	encryptNotSup = 0x02
	encryptReq    = 0x03
)

// parsePrelogin returns the options of a client PRELOGIN. Offsets and
// lengths are big-endian and count from the payload start.
func parsePrelogin(data []byte) (map[byte][]byte, error) {
	opts := map[byte][]byte{}
	for i := 0; ; i += 5 {
		if i >= len(data) {
			return nil, fmt.Errorf("parse prelogin: option table has no terminator")
		}
		tok := data[i]
		if tok == preTerminator {
			return opts, nil
		}
		if i+5 > len(data) {
			return nil, fmt.Errorf("parse prelogin: option %#x truncated", tok)
		}
		off := int(binary.BigEndian.Uint16(data[i+1:]))
		n := int(binary.BigEndian.Uint16(data[i+3:]))
		if off+n > len(data) {
			return nil, fmt.Errorf("parse prelogin: option %#x beyond the payload", tok)
		}
		opts[tok] = data[off : off+n]
	}
}

// chooseEncryption answers the client's ENCRYPTION option like SQL Server
// without "force encryption": NOT_SUP stays plain, OFF encrypts the login
// only, ON and REQ encrypt everything. Without a certificate the answer is
// NOT_SUP, which a client that requires encryption refuses.
func chooseEncryption(client []byte, haveCert bool) byte {
	if !haveCert || len(client) == 0 {
		return encryptNotSup
	}
	switch client[0] {
	case encryptOff:
		return encryptOff
	case encryptOn, encryptReq:
		return encryptOn
	}
	return encryptNotSup
}

// preloginAnswer builds the server's PRELOGIN payload. No zero-length
// option comes last: go-mssqldb rejects an option whose offset equals the
// payload length.
func preloginAnswer(version [4]byte, encrypt byte) []byte {
	opts := []struct {
		tok  byte
		data []byte
	}{
		{preVersion, []byte{version[0], version[1], version[2], version[3], 0, 0}},
		{preEncryption, []byte{encrypt}},
		{preInstOpt, []byte{0}},
		{preMARS, []byte{0}},
	}
	off := 5*len(opts) + 1
	var table, values []byte
	for _, o := range opts {
		table = append(table, o.tok)
		table = binary.BigEndian.AppendUint16(table, uint16(off+len(values)))
		table = binary.BigEndian.AppendUint16(table, uint16(len(o.data)))
		values = append(values, o.data...)
	}
	return append(append(table, preTerminator), values...)
}

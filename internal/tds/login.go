package tds

import (
	"encoding/binary"
	"fmt"
)

// LOGIN7 OptionFlags2 bit for integrated security (SSPI).
const flagIntegrated = 0x80

// login7 is the decoded LOGIN7 with the negotiated packet size.
type login7 struct {
	Login
	tdsVersion uint32
	packetSize int
}

// parseLogin7 decodes LOGIN7: a 94-byte fixed part, then (offset, length)
// pairs into the payload; lengths count UTF-16 units.
func parseLogin7(data []byte) (login7, error) {
	var l login7
	if len(data) < 94 {
		return l, fmt.Errorf("parse LOGIN7: %d bytes, want at least 94", len(data))
	}
	l.tdsVersion = binary.LittleEndian.Uint32(data[4:])
	l.packetSize = clampPacketSize(int(binary.LittleEndian.Uint32(data[8:])))
	l.Integrated = data[25]&flagIntegrated != 0
	fields := []struct {
		at  int
		dst *string
	}{
		{36, &l.HostName}, {40, &l.User}, {48, &l.AppName},
		{52, &l.Server}, {68, &l.Database},
	}
	for _, f := range fields {
		s, err := loginField(data, f.at)
		if err != nil {
			return l, err
		}
		*f.dst = ucs2String(s)
	}
	pw, err := loginField(data, 44)
	if err != nil {
		return l, err
	}
	l.Password = ucs2String(unscramble(pw))
	return l, nil
}

func loginField(data []byte, at int) ([]byte, error) {
	off := int(binary.LittleEndian.Uint16(data[at:]))
	n := 2 * int(binary.LittleEndian.Uint16(data[at+2:]))
	if off+n > len(data) {
		return nil, fmt.Errorf("parse LOGIN7: field at %d points beyond the message", at)
	}
	return data[off : off+n], nil
}

// unscramble reverses LOGIN7's password obfuscation: per byte, XOR 0xA5
// then swap the nibbles.
func unscramble(b []byte) []byte {
	out := make([]byte, len(b))
	for i, x := range b {
		x ^= 0xA5
		out[i] = x<<4 | x>>4
	}
	return out
}

func clampPacketSize(n int) int {
	switch {
	case n == 0:
		return defaultPacketSize
	case n < minPacketSize:
		return minPacketSize
	case n > maxPacketSize:
		return maxPacketSize
	}
	return n
}

// loginResponse is what a successful login answers, in SQL Server's
// order: database, 5701, collation, language, LOGINACK, packet size, DONE.
func loginResponse(db, server string, version [4]byte, packetSize int) []byte {
	var b buf
	b.envChangeString(envDatabase, db, "master")
	b.message(tokInfo, Message{Number: 5701, State: 2, Class: 0,
		Text: "Changed database context to '" + db + "'."}, server)
	b.envChangeBytes(envCollation, collation, nil)
	b.envChangeString(envLanguage, "us_english", "")
	b.message(tokInfo, Message{Number: 5703, State: 1, Class: 0,
		Text: "Changed language setting to us_english."}, server)
	b.loginAck(version)
	b.envChangeString(envPacketSize, itoa(packetSize), itoa(packetSize))
	b.done(done{token: tokDone})
	return b
}

// loginFailure is a rejected login: the ERROR, then DONE with the error
// bit; the server closes the connection after sending it.
func loginFailure(m Message, user, server string) []byte {
	var b buf
	if m.Class == 0 {
		m.Class = 14
	}
	b.message(tokError, m, server)
	if m.Number != loginFailedNumber {
		// SQL Server follows a reason it tells the client (4060: the
		// login's database cannot be opened) with 18456, as SqlClient
		// shows: "Cannot open database … The login failed.\nLogin failed
		// for user 'u'." go-mssqldb then has 18456 in Number, both in All.
		b.message(tokError, Message{Number: loginFailedNumber, State: 1, Class: 14,
			Text: fmt.Sprintf("Login failed for user '%s'.", user)}, server)
	}
	b.done(done{token: tokDone, status: doneError})
	return b
}

// loginFailedNumber is SQL Server's "Login failed for user '%s'.".
const loginFailedNumber = 18456

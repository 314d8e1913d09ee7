package tds

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// BenchmarkSelectOneRoundTrip measures one small query through
// database/sql and go-mssqldb on a pooled connection.
func BenchmarkSelectOneRoundTrip(b *testing.B) {
	srv := NewServer(Config{}, newTestHandler())
	addr, err := srv.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	db := openBenchDB(b, "sqlserver://sa:secret@"+addr+"?encrypt=disable")
	var n int
	for b.Loop() {
		if err := db.QueryRow("SELECT 1").Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRows measures encoding a 1,000-row result set of the
// lab's typical columns (name, LSN, dates) into packets.
func BenchmarkEncodeRows(b *testing.B) {
	rs := ResultSet{Columns: []Column{
		{Name: "name", Type: TypeNVarChar}, {Name: "lsn", Type: TypeNumeric, Precision: 25},
		{Name: "at", Type: TypeDateTime2}, {Name: "id", Type: TypeBigInt},
	}}
	for i := range 1000 {
		rs.Rows = append(rs.Rows, []any{fmt.Sprintf("mgc_%d.trn", i), fmt.Sprintf("%022d", i*1000), time.Now(), int64(i)})
	}
	s := &session{pw: packetWriter{w: io.Discard, size: defaultPacketSize}}
	s.srv = NewServer(Config{}, nil)
	for b.Loop() {
		w := newResponseWriter(s, false)
		w.Rows(rs)
		s.inFlight = true
		w.finish()
	}
}

// BenchmarkParseRPC measures decoding an sp_executesql call with a
// statement and three parameters.
func BenchmarkParseRPC(b *testing.B) {
	msg := rpcMessage(
		"00 00 e7 ffff 0904d00034 0400000000000000 04000000 73656c65 00000000",
		"02 40006e00 00 6c 0d 19 00 0d 01 cb444271764eb6429d020000",
		"02 40006e00 00 26 08 08 0100000000000000",
		"02 40006e00 00 2a 07 08 0100000000 000000")
	var wire bytes.Buffer
	pw := packetWriter{w: &wire, size: defaultPacketSize}
	pw.writePackets(pktRPC, msg, true)
	for b.Loop() {
		m, err := readMessage(bytes.NewReader(wire.Bytes()), maxMessageSize)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parseRPC(m.data); err != nil {
			b.Fatal(err)
		}
	}
}

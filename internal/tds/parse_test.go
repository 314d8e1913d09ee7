package tds

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// allHeaders is what go-mssqldb sends: one transaction descriptor.
var allHeaders = mustHex("16000000 12000000 0200 0000000000000000 01000000")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// rpcMessage builds an RPC to proc id 10 with the given raw parameters.
func rpcMessage(params ...string) []byte {
	b := append([]byte{}, allHeaders...)
	b = append(b, 0xFF, 0xFF, 10, 0, 0, 0)
	for _, p := range params {
		b = append(b, mustHex(p)...)
	}
	return b
}

func TestParseRPCParamTypes(t *testing.T) {
	day1 := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		param string // name "@n" is 02 4000 6e00
		want  Param
	}{
		{"numeric(25,0) beyond uint64", "02 40006e00 00 6c 0d 19 00 0d 01 cb444271764eb6429d020000",
			Param{Name: "@n", Type: TypeNumeric, Value: "12345678901234567890123"}},
		{"negative decimal(5,2)", "02 40006e00 00 6a 05 05 02 05 00 e2040000",
			Param{Name: "@n", Type: TypeNumeric, Value: "-12.50"}},
		{"numeric fraction below one", "02 40006e00 00 6c 05 05 03 05 01 07000000",
			Param{Name: "@n", Type: TypeNumeric, Value: "0.007"}},
		{"null numeric", "02 40006e00 00 6c 11 26 00 00",
			Param{Name: "@n", Type: TypeNumeric, Value: nil}},
		{"money", "02 40006e00 00 6e 08 08 00000000 48e80100",
			Param{Name: "@n", Type: TypeNumeric, Value: "12.5000"}},
		{"fixed int4", "02 40006e00 00 38 feffffff",
			Param{Name: "@n", Type: TypeInt, Value: int64(-2)}},
		{"fixed bigint", "02 40006e00 00 7f 0100000000000080",
			Param{Name: "@n", Type: TypeBigInt, Value: int64(-9223372036854775807)}},
		{"output bit", "02 40006e00 01 68 01 01 01",
			Param{Name: "@n", Type: TypeBit, Value: true, Output: true}},
		{"datetime2(7)", "02 40006e00 00 2a 07 08 0100000000 000000",
			Param{Name: "@n", Type: TypeDateTime2, Value: day1.Add(100)}},
		{"date", "02 40006e00 00 28 03 010000",
			Param{Name: "@n", Type: TypeDateTime2, Value: day1.AddDate(0, 0, 1)}},
		{"datetime", "02 40006e00 00 6f 08 08 01000000 2c010000",
			Param{Name: "@n", Type: TypeDateTime, Value: time.Date(1900, 1, 2, 0, 0, 1, 0, time.UTC)}},
		{"varchar", "02 40006e00 00 a7 0a00 0904d00034 0300 616263",
			Param{Name: "@n", Type: TypeNVarChar, Value: "abc"}},
		{"nvarchar(max) in two chunks", "02 40006e00 00 e7 ffff 0904d00034 0400000000000000 02000000 6100 02000000 6200 00000000",
			Param{Name: "@n", Type: TypeNVarChar, Value: "ab"}},
		{"null nvarchar(max)", "02 40006e00 00 e7 ffff 0904d00034 ffffffffffffffff",
			Param{Name: "@n", Type: TypeNVarChar, Value: nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := parseRPC(rpcMessage(tt.param))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if req.proc != "sp_executesql" || len(req.params) != 1 || !paramEqual(req.params[0], tt.want) {
				t.Fatalf("got %q %#v, want [%#v]", req.proc, req.params, tt.want)
			}
		})
	}
}

func TestParseRPCErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want string
	}{
		{"empty", nil, "unexpected end"},
		{"headers longer than message", mustHex("ff000000"), "unexpected end"},
		{"headers shorter than themselves", mustHex("02000000"), "ALL_HEADERS length"},
		{"unknown proc id", append(append([]byte{}, allHeaders...), 0xFF, 0xFF, 99, 0, 0, 0), "unknown procedure id 99"},
		{"unsupported type", rpcMessage("02 40006e00 00 f3"), "unsupported parameter type 0xf3"},
		{"truncated value", rpcMessage("02 40006e00 00 26 08 08 0100"), "unexpected end"},
		{"bad int length", rpcMessage("02 40006e00 00 26 04 02 0100"), "integer of 2 bytes"},
		{"bad time scale", rpcMessage("02 40006e00 00 2a 09 00"), "time scale 9"},
		{"batched RPC", rpcMessage("02 40006e00 00 26 04 00", "80"), "batched RPCs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRPC(tt.msg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseRPCByName(t *testing.T) {
	msg := append(append([]byte{}, allHeaders...), mustHex("1100")...)
	msg = append(msg, ucs2("sys.sp_executesql")...)
	msg = append(msg, 0, 0)
	req, err := parseRPC(msg)
	if err != nil || req.proc != "sp_executesql" {
		t.Fatalf("proc = %q, %v; want sp_executesql", req.proc, err)
	}
}

func TestParseLogin7(t *testing.T) {
	l, err := parseLogin7(login7Message("sa", "pä𝄞ss", "mgc"))
	want := Login{User: "sa", Password: "pä𝄞ss", Database: "mgc", AppName: "app", HostName: "host", Server: "srv"}
	if err != nil || l.Login != want || l.packetSize != 4096 {
		t.Fatalf("login = %+v (packet size %d), %v; want %+v", l.Login, l.packetSize, err, want)
	}
}

func TestParseLogin7Errors(t *testing.T) {
	short := make([]byte, 93)
	beyond := make([]byte, 94)
	beyond[40], beyond[42] = 90, 10 // user name at 90, 10 chars
	for _, tt := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"short", short, "at least 94"},
		{"field beyond message", beyond, "beyond the message"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseLogin7(tt.msg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadMessageReassembles(t *testing.T) {
	var wire bytes.Buffer
	pw := packetWriter{w: &wire, size: 512}
	payload := bytes.Repeat([]byte("0123456789"), 200)
	if err := pw.writePackets(pktBatch, payload, true); err != nil {
		t.Fatal(err)
	}
	// The client marks EOM as 0x09 (EOM|RESET) on some packets: test the bit.
	raw := wire.Bytes()
	m, err := readMessage(bytes.NewReader(raw), maxMessageSize)
	if err != nil || m.typ != pktBatch || !bytes.Equal(m.data, payload) {
		t.Fatalf("reassembled %d bytes of type %#x, %v", len(m.data), m.typ, err)
	}
	tests := []struct {
		name  string
		input []byte
		limit int
		want  string
	}{
		{"truncated payload", raw[:600], maxMessageSize, "unexpected EOF"},
		{"over the limit", raw, 1000, "size limit"},
		{"length below header", mustHex("01010004 00000100"), maxMessageSize, "shorter than the header"},
		{"mixed types", append(mustHex("01000009 00000100 41"), mustHex("03010009 00000200 42")...), maxMessageSize, "inside a message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readMessage(bytes.NewReader(tt.input), tt.limit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNumericEncodingRefusesBadValues(t *testing.T) {
	tests := []struct {
		name, value string
		col         Column
		want        string
	}{
		{"too many fraction digits", "1.234", Column{Type: TypeNumeric, Precision: 10, Scale: 2}, "fraction digits"},
		{"beyond precision", "123456", Column{Type: TypeNumeric, Precision: 5}, "exceeds precision"},
		{"not a number", "12a", Column{Type: TypeNumeric, Precision: 5}, "not a number"},
		{"double sign", "--5", Column{Type: TypeNumeric, Precision: 5}, "not a number"},
		{"empty", "", Column{Type: TypeNumeric, Precision: 5}, "not a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b buf
			err := writeValue(&b, colInfo{Column: tt.col}, tt.value)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestGUIDFormat(t *testing.T) {
	const s = "00112233-4455-6677-8899-AABBCCDDEEFF"
	g, err := ParseGUID(s)
	if err != nil || hex.EncodeToString(g[:]) != "33221100554477668899aabbccddeeff" {
		t.Fatalf("ParseGUID = %x, %v", g, err)
	}
	if FormatGUID(g) != s {
		t.Fatalf("FormatGUID = %s", FormatGUID(g))
	}
	if _, err := ParseGUID("0011-2233"); err == nil {
		t.Fatal("short GUID accepted")
	}
}

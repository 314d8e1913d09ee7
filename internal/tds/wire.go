package tds

import (
	"encoding/binary"
	"errors"
	"unicode/utf16"
)

var errShort = errors.New("unexpected end of data")

// reader decodes little-endian fields from a message, remembering the
// first error so callers check once at the end (every read after an error
// returns zero values).
type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.pos {
		r.fail(errShort)
		return nil
	}
	b := r.b[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) u8() byte {
	if b := r.bytes(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.bytes(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *reader) rest() []byte { return r.bytes(len(r.b) - r.pos) }

// bVarchar reads a string with a one-byte length in UTF-16 units.
func (r *reader) bVarchar() string { return ucs2String(r.bytes(2 * int(r.u8()))) }

// ucs2String decodes UTF-16LE; an odd trailing byte is dropped.
func ucs2String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ucs2 encodes s as UTF-16LE.
func ucs2(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// buf builds tokens; the append helpers are little-endian.
type buf []byte

func (b *buf) u8(v byte)     { *b = append(*b, v) }
func (b *buf) u16(v uint16)  { *b = binary.LittleEndian.AppendUint16(*b, v) }
func (b *buf) u32(v uint32)  { *b = binary.LittleEndian.AppendUint32(*b, v) }
func (b *buf) u64(v uint64)  { *b = binary.LittleEndian.AppendUint64(*b, v) }
func (b *buf) raw(p []byte)  { *b = append(*b, p...) }
func (b *buf) setU16(at int) { binary.LittleEndian.PutUint16((*b)[at:], uint16(len(*b)-at-2)) }

// ucs2 appends s as UTF-16LE without an intermediate slice.
func (b *buf) ucs2(s string) {
	for _, r := range s {
		if utf16.RuneLen(r) == 2 {
			r1, r2 := utf16.EncodeRune(r)
			b.u16(uint16(r1))
			b.u16(uint16(r2))
			continue
		}
		b.u16(uint16(r))
	}
}

// bVarchar writes a string with a one-byte length in UTF-16 units,
// truncated to 255 units.
func (b *buf) bVarchar(s string) {
	u := ucs2(s)
	if len(u) > 510 {
		u = u[:510]
	}
	b.u8(byte(len(u) / 2))
	b.raw(u)
}

// usVarchar writes a string with a two-byte length in UTF-16 units.
func (b *buf) usVarchar(s string) {
	u := ucs2(s)
	if len(u) > 0xFFFE {
		u = u[:0xFFFE]
	}
	b.u16(uint16(len(u) / 2))
	b.raw(u)
}

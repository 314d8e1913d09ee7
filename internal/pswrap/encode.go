package pswrap

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// Encode returns script as -EncodedCommand wants it: base64 of UTF-16LE.
func Encode(script string) string {
	units := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Decode undoes Encode.
func Decode(encoded string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", fmt.Errorf("decode -EncodedCommand: %w", err)
	}
	if len(b)%2 != 0 {
		return "", fmt.Errorf("decode -EncodedCommand: %d bytes is not UTF-16", len(b))
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units)), nil
}

package tds

import (
	"encoding/hex"
	"fmt"
	"strings"
)

func writeGUID(b *buf, v any) error {
	var g [16]byte
	switch x := v.(type) {
	case [16]byte:
		g = x
	case []byte:
		if len(x) != 16 {
			return fmt.Errorf("uniqueidentifier of %d bytes", len(x))
		}
		copy(g[:], x)
	case string:
		var err error
		if g, err = ParseGUID(x); err != nil {
			return err
		}
	default:
		return fmt.Errorf("want a [16]byte or string, got %T", v)
	}
	b.u8(16)
	b.raw(g[:])
	return nil
}

// ParseGUID converts "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (braces
// optional) to SQL Server's byte order, where the first three groups are
// little-endian.
func ParseGUID(s string) ([16]byte, error) {
	var g [16]byte
	h := strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	raw, err := hex.DecodeString(h)
	if err != nil || len(raw) != 16 || len(strings.Trim(s, "{}")) != 36 {
		return g, fmt.Errorf("parse uniqueidentifier %q: not xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", s)
	}
	copy(g[:], raw)
	swapGUID(&g)
	return g, nil
}

// FormatGUID is the inverse of ParseGUID (upper-case, as SQL Server
// prints it).
func FormatGUID(g [16]byte) string {
	swapGUID(&g)
	h := strings.ToUpper(hex.EncodeToString(g[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func swapGUID(g *[16]byte) {
	g[0], g[1], g[2], g[3] = g[3], g[2], g[1], g[0]
	g[4], g[5] = g[5], g[4]
	g[6], g[7] = g[7], g[6]
}

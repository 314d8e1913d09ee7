package labfile

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxLSNDigits is the precision of numeric(25,0), the type SQL Server uses
// for LSNs in RESTORE HEADERONLY, sys.master_files and msdb.
const maxLSNDigits = 25

// LSN is a log sequence number as SQL Server shows it: a decimal of up to
// 25 digits (real ones have about 22), beyond the range of uint64. The zero
// value is LSN 0, which the lab also uses for "no LSN" (NULL).
//
// An LSN is a comparable value: two LSNs are == exactly when they are the
// same number, because the digits are kept without leading zeros.
type LSN struct {
	// digits without leading zeros; "" is zero.
	digits string
}

// ErrBadLSN is wrapped by the errors of ParseLSN and Scan.
var ErrBadLSN = errors.New("bad LSN")

// ParseLSN parses a decimal LSN: digits only, at most 25 of them.
func ParseLSN(s string) (LSN, error) {
	if s == "" {
		return LSN{}, fmt.Errorf("parse LSN %q: empty: %w", s, ErrBadLSN)
	}
	if len(s) > maxLSNDigits {
		return LSN{}, fmt.Errorf("parse LSN %q: more than %d digits: %w", s, maxLSNDigits, ErrBadLSN)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return LSN{}, fmt.Errorf("parse LSN %q: not a decimal number: %w", s, ErrBadLSN)
		}
	}
	return LSN{digits: strings.TrimLeft(s, "0")}, nil
}

// MustParseLSN is ParseLSN for constants in tests and generators; it panics
// on a malformed LSN.
func MustParseLSN(s string) LSN {
	l, err := ParseLSN(s)
	if err != nil {
		panic(err)
	}
	return l
}

// MakeLSN builds the decimal SQL Server shows for the log position
// vlf:block:slot, i.e. vlf*10^15 + block*10^5 + slot. Every uint32 vlf
// fits: the result has at most 25 digits.
func MakeLSN(vlf uint32, block uint32, slot uint16) LSN {
	s := fmt.Sprintf("%d%010d%05d", vlf, block, slot)
	return LSN{digits: strings.TrimLeft(s, "0")}
}

// Parts splits the LSN into vlf, block and slot, the inverse of MakeLSN.
// ok is false when the LSN is not of that shape (block or vlf out of range).
func (l LSN) Parts() (vlf uint32, block uint32, slot uint16, ok bool) {
	s := l.digits
	if len(s) < 15 {
		s = strings.Repeat("0", 15-len(s)) + s
	}
	n := len(s)
	v := uint64(0)
	var errV error
	if n > 15 {
		v, errV = strconv.ParseUint(s[:n-15], 10, 32)
	}
	b, errB := strconv.ParseUint(s[n-15:n-5], 10, 32)
	sl, errS := strconv.ParseUint(s[n-5:], 10, 16)
	if errV != nil || errB != nil || errS != nil {
		return 0, 0, 0, false
	}
	return uint32(v), uint32(b), uint16(sl), true
}

// String returns the decimal digits, "0" for the zero LSN.
func (l LSN) String() string {
	if l.digits == "" {
		return "0"
	}
	return l.digits
}

// IsZero reports whether the LSN is 0 (or unset).
func (l LSN) IsZero() bool { return l.digits == "" }

// Cmp compares two LSNs: -1 if l < o, 0 if equal, +1 if l > o.
func (l LSN) Cmp(o LSN) int {
	switch {
	case len(l.digits) < len(o.digits):
		return -1
	case len(l.digits) > len(o.digits):
		return 1
	}
	return strings.Compare(l.digits, o.digits)
}

// Big returns the LSN as a big.Int.
func (l LSN) Big() *big.Int {
	b, _ := new(big.Int).SetString(l.String(), 10)
	return b
}

// LSNFromBig converts a non-negative big.Int of at most 25 digits.
func LSNFromBig(b *big.Int) (LSN, error) {
	if b.Sign() < 0 {
		return LSN{}, fmt.Errorf("convert %s to LSN: negative: %w", b, ErrBadLSN)
	}
	return ParseLSN(b.String())
}

// MarshalText encodes the LSN as its decimal digits (JSON and YAML use it).
func (l LSN) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses decimal digits.
func (l *LSN) UnmarshalText(b []byte) error {
	p, err := ParseLSN(string(b))
	if err != nil {
		return err
	}
	*l = p
	return nil
}

// Scan reads an LSN from a numeric(25,0) column as go-mssqldb returns it
// ([]byte or string of digits); NULL scans as the zero LSN.
func (l *LSN) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*l = LSN{}
		return nil
	case []byte:
		return l.UnmarshalText(v)
	case string:
		return l.UnmarshalText([]byte(v))
	case int64:
		if v < 0 {
			return fmt.Errorf("scan LSN %d: negative: %w", v, ErrBadLSN)
		}
		return l.UnmarshalText([]byte(strconv.FormatInt(v, 10)))
	}
	return fmt.Errorf("scan LSN from %T: %w", src, ErrBadLSN)
}

// Value passes the LSN to a driver as its decimal string.
func (l LSN) Value() (driver.Value, error) { return l.String(), nil }

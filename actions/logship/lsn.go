package logship

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxLSNDigits is the precision of numeric(25,0), SQL Server's type for
// LSNs in RESTORE HEADERONLY, sys.master_files and msdb.
const maxLSNDigits = 25

// LSN is a log sequence number as SQL Server shows it: a decimal of up to
// 25 digits (real ones have about 22), beyond uint64. It is kept as its
// digits without leading zeros, so == and Cmp are exact; the zero value
// is LSN 0, which also stands for NULL.
type LSN struct {
	digits string
}

// errBadLSN is wrapped by the errors of ParseLSN and Scan.
var errBadLSN = errors.New("bad LSN")

// ParseLSN parses an LSN: decimal digits, at most 25 of them. A zero
// fraction (".0", as some drivers render numeric) is accepted.
func ParseLSN(s string) (LSN, error) {
	if i := strings.IndexByte(s, '.'); i >= 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	switch {
	case s == "":
		return LSN{}, fmt.Errorf("parse LSN %q: empty: %w", s, errBadLSN)
	case len(s) > maxLSNDigits:
		return LSN{}, fmt.Errorf("parse LSN %q: more than %d digits: %w", s, maxLSNDigits, errBadLSN)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return LSN{}, fmt.Errorf("parse LSN %q: not a whole decimal number: %w", s, errBadLSN)
		}
	}
	return LSN{digits: strings.TrimLeft(s, "0")}, nil
}

// MustParseLSN is ParseLSN for constants; it panics on a bad LSN.
func MustParseLSN(s string) LSN {
	l, err := ParseLSN(s)
	if err != nil {
		panic(err)
	}
	return l
}

// String returns the decimal digits, "0" for the zero LSN.
func (l LSN) String() string {
	if l.digits == "" {
		return "0"
	}
	return l.digits
}

// IsZero reports whether the LSN is 0 (or NULL).
func (l LSN) IsZero() bool { return l.digits == "" }

// Cmp compares two LSNs: -1 if l < o, 0 if equal, +1 if l > o. Without
// leading zeros a longer number is larger, and numbers of one length
// compare as strings.
func (l LSN) Cmp(o LSN) int {
	switch {
	case len(l.digits) < len(o.digits):
		return -1
	case len(l.digits) > len(o.digits):
		return 1
	}
	return strings.Compare(l.digits, o.digits)
}

// Less reports l < o.
func (l LSN) Less(o LSN) bool { return l.Cmp(o) < 0 }

// Big returns the LSN as a big.Int, for arithmetic.
func (l LSN) Big() *big.Int {
	b, _ := new(big.Int).SetString(l.String(), 10)
	return b
}

// Scan reads an LSN from a numeric(25,0) column as go-mssqldb returns it
// ([]byte or string of digits; int64 or float64 from other sources); NULL
// scans as the zero LSN.
func (l *LSN) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*l = LSN{}
		return nil
	case []byte:
		s = string(v)
	case string:
		s = v
	case int64:
		if v < 0 {
			return fmt.Errorf("scan LSN %d: negative: %w", v, errBadLSN)
		}
		s = strconv.FormatInt(v, 10)
	default:
		return fmt.Errorf("scan LSN from %T: %w", src, errBadLSN)
	}
	p, err := ParseLSN(s)
	if err != nil {
		return err
	}
	*l = p
	return nil
}

// MarshalText encodes the LSN as its digits (checkpoints are JSON).
func (l LSN) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses digits.
func (l *LSN) UnmarshalText(b []byte) error {
	p, err := ParseLSN(string(b))
	if err != nil {
		return err
	}
	*l = p
	return nil
}

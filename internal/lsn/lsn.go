// Package lsn is SQL Server's log sequence number: the decimal of up to 25
// digits that RESTORE HEADERONLY, sys.master_files and msdb show as
// numeric(25,0). The logship.apply action and the lab both use it; it
// depends on neither.
package lsn

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// maxDigits is the precision of numeric(25,0), SQL Server's type for LSNs
// in RESTORE HEADERONLY, sys.master_files and msdb.
const maxDigits = 25

// LSN is a log sequence number as SQL Server shows it: a decimal of up to
// 25 digits (real ones have about 22), beyond the range of uint64. The zero
// value is LSN 0, which also stands for NULL.
//
// An LSN is a comparable value: two LSNs are == exactly when they are the
// same number, because the digits are kept without leading zeros.
type LSN struct {
	// digits without leading zeros; "" is zero.
	digits string
}

// ErrBad is wrapped by the errors of Parse, FromBig, Scan and
// UnmarshalText.
var ErrBad = errors.New("bad LSN")

// Parse parses an LSN written as decimal digits only, at most 25 of them:
// the form String, checkpoints and the lab's files use. A fraction, even
// ".0", is an error here; Scan accepts the zero fraction a driver may
// render numeric(25,0) with.
func Parse(s string) (LSN, error) {
	switch {
	case s == "":
		return LSN{}, fmt.Errorf("parse LSN %q: empty: %w", s, ErrBad)
	case len(s) > maxDigits:
		return LSN{}, fmt.Errorf("parse LSN %q: more than %d digits: %w", s, maxDigits, ErrBad)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return LSN{}, fmt.Errorf("parse LSN %q: not a whole decimal number: %w", s, ErrBad)
		}
	}
	return LSN{digits: strings.TrimLeft(s, "0")}, nil
}

// MustParse is Parse for constants in tests and generators; it panics on a
// malformed LSN.
func MustParse(s string) LSN {
	l, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return l
}

// Make builds the decimal SQL Server shows for the log position
// vlf:block:slot, i.e. vlf*10^15 + block*10^5 + slot. Every uint32 vlf
// fits: the result has at most 25 digits.
func Make(vlf uint32, block uint32, slot uint16) LSN {
	s := fmt.Sprintf("%d%010d%05d", vlf, block, slot)
	return LSN{digits: strings.TrimLeft(s, "0")}
}

// FromBig converts a non-negative big.Int of at most 25 digits.
func FromBig(b *big.Int) (LSN, error) {
	if b.Sign() < 0 {
		return LSN{}, fmt.Errorf("convert %s to LSN: negative: %w", b, ErrBad)
	}
	return Parse(b.String())
}

// Parts splits the LSN into vlf, block and slot, the inverse of Make. ok is
// false when the LSN is not of that shape (block or vlf out of range).
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

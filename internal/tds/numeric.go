package tds

import (
	"fmt"
	"math/big"
	"strings"
)

// numericSize is the value length for a precision (MS-TDS 2.2.5.5.1.5).
func numericSize(p uint8) byte {
	switch {
	case p <= 9:
		return 5
	case p <= 19:
		return 9
	case p <= 28:
		return 13
	}
	return 17
}

func precisionOf(c Column) uint8 {
	if c.Precision == 0 || c.Precision > 38 {
		return 38
	}
	return c.Precision
}

// writeNumeric sends a decimal string as NUMERIC(p,s): sign byte, then the
// magnitude scaled by 10^s, little-endian. math/big keeps 22+-digit LSNs
// exact.
func writeNumeric(b *buf, c Column, v any) error {
	s, ok := v.(string)
	if !ok {
		n, isInt := toInt64(v)
		if !isInt {
			return fmt.Errorf("want a decimal string, got %T", v)
		}
		s = fmt.Sprint(n)
	}
	p := precisionOf(c)
	neg, mag, err := scaleDecimal(s, int(c.Scale), int(p))
	if err != nil {
		return err
	}
	size := numericSize(p)
	b.u8(size)
	if neg {
		b.u8(0)
	} else {
		b.u8(1)
	}
	le := make([]byte, size-1)
	be := mag.Bytes()
	for i, x := range be {
		le[len(be)-1-i] = x
	}
	b.raw(le)
	return nil
}

// scaleDecimal parses "-123.45" into sign and magnitude×10^scale,
// refusing more fraction digits than scale or more digits than precision.
func scaleDecimal(s string, scale, precision int) (bool, *big.Int, error) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if len(frac) > scale {
		return false, nil, fmt.Errorf("decimal %q has more than %d fraction digits", s, scale)
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", scale-len(frac)), "0")
	if digits == "" {
		digits = "0"
	}
	mag, ok := new(big.Int).SetString(digits, 10)
	if !ok || whole == "" && frac == "" || strings.ContainsAny(digits, "+-") {
		return false, nil, fmt.Errorf("decimal %q is not a number", s)
	}
	if len(digits) > precision {
		return false, nil, fmt.Errorf("decimal %q exceeds precision %d", s, precision)
	}
	return neg && mag.Sign() != 0, mag, nil
}

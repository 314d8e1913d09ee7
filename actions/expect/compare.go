package expect

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// equal compares an expected plain value with a value read: numbers by
// value (3, 3.0, "3" and a numeric column are equal), booleans with
// booleans or the text true/false in any case, null with null, text
// exactly.
func equal(want, got any) bool {
	if want == nil || got == nil {
		return want == nil && got == nil
	}
	if wb, ok := want.(bool); ok {
		switch g := got.(type) {
		case bool:
			return g == wb
		case string:
			return strings.EqualFold(g, strconv.FormatBool(wb))
		}
		return false
	}
	if _, isText := want.(string); !isText {
		if wn, ok := number(want); ok {
			gn, ok := number(got)
			return ok && wn.Cmp(gn) == 0
		}
	}
	if gb, isBool := got.(bool); isBool {
		return strings.EqualFold(text(want), strconv.FormatBool(gb))
	}
	return text(want) == text(got)
}

// compare applies a numeric comparison to n.
func (c *cond) compare(n *big.Rat) bool {
	d := n.Cmp(c.num)
	switch c.op {
	case "gt":
		return d > 0
	case "ge":
		return d >= 0
	case "lt":
		return d < 0
	case "le":
		return d <= 0
	case "eq":
		return d == 0
	case "ne":
		return d != 0
	}
	return false
}

// number reads a value as an exact number: Go numbers, json.Number,
// and text or bytes holding a decimal number (a numeric(25,0) LSN, a
// decimal column). Booleans are not numbers.
func number(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case int:
		return ratOf(int64(x)), true
	case int32:
		return ratOf(int64(x)), true
	case int64:
		return ratOf(x), true
	case uint:
		return new(big.Rat).SetUint64(uint64(x)), true
	case uint32:
		return new(big.Rat).SetUint64(uint64(x)), true
	case uint64:
		return new(big.Rat).SetUint64(x), true
	case float32:
		return floatRat(float64(x))
	case float64:
		return floatRat(x)
	case json.Number:
		return decimalRat(string(x))
	case string:
		return decimalRat(x)
	case []byte:
		return decimalRat(string(x))
	}
	return nil, false
}

func ratOf(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

func floatRat(f float64) (*big.Rat, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false
	}
	return new(big.Rat).SetFloat64(f), true
}

// decimalRat parses decimal text ("12", "-3.5", "1e3"), with surrounding
// spaces; not fractions ("1/2"), hexadecimal or Inf.
func decimalRat(s string) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.IndexFunc(s, notDecimal) >= 0 {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

func notDecimal(r rune) bool {
	return !(r >= '0' && r <= '9' || strings.ContainsRune("+-.eE", r))
}

// text renders a value read as text: numbers without exponent noise,
// bytes as text.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// describe names a plan value's type for a parse error.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprint(v)
}

package lab

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// compare orders two non-NULL values with SQL Server's implicit
// conversions: strings compare case-insensitively without trailing blanks,
// a string against a number converts to the number.
func compare(a, b any) (int, error) {
	if isNumber(a) || isNumber(b) {
		x, err := toRat(a)
		if err != nil {
			return 0, err
		}
		y, err := toRat(b)
		if err != nil {
			return 0, err
		}
		return x.Cmp(y), nil
	}
	if ta, ok := a.(time.Time); ok {
		if tb, ok := b.(time.Time); ok {
			return ta.Compare(tb), nil
		}
	}
	x := strings.ToUpper(strings.TrimRight(toText(a), " "))
	y := strings.ToUpper(strings.TrimRight(toText(b), " "))
	return strings.Compare(x, y), nil
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64, numeric, bool:
		return true
	}
	return false
}

func toRat(v any) (*big.Rat, error) {
	switch n := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(n), nil
	case float64:
		return new(big.Rat).SetFloat64(n), nil
	case bool:
		if n {
			return big.NewRat(1, 1), nil
		}
		return new(big.Rat), nil
	case numeric:
		return new(big.Rat).SetInt(toBig(n)), nil
	}
	s := strings.TrimSpace(toText(v))
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fail(msgConversion(s, "int"))
	}
	return r, nil
}

func toBig(n numeric) *big.Int {
	b, ok := new(big.Int).SetString(string(n), 10)
	if !ok {
		return new(big.Int)
	}
	return b
}

// toText converts a value to nvarchar as CAST would.
func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case numeric:
		if x == "" {
			return "0"
		}
		return string(x)
	case guid:
		return string(x)
	case time.Time:
		return x.Format("2006-01-02 15:04:05.000")
	}
	return fmt.Sprint(v)
}

func arith(op string, l, r any) (any, error) {
	if op == "+" && (isText(l) || isText(r)) {
		return toText(l) + toText(r), nil
	}
	li, lok := l.(int64)
	ri, rok := r.(int64)
	if lok && rok {
		switch op {
		case "+":
			return li + ri, nil
		case "-":
			return li - ri, nil
		case "*":
			return li * ri, nil
		}
		if ri == 0 {
			return nil, fail(msgDivideByZero())
		}
		if op == "/" {
			return li / ri, nil
		}
		return li % ri, nil
	}
	return arithRat(op, l, r)
}

func isText(v any) bool {
	switch v.(type) {
	case string, guid:
		return true
	}
	return false
}

func arithRat(op string, l, r any) (any, error) {
	x, err := toRat(l)
	if err != nil {
		return nil, err
	}
	y, err := toRat(r)
	if err != nil {
		return nil, err
	}
	z := new(big.Rat)
	switch op {
	case "+":
		z.Add(x, y)
	case "-":
		z.Sub(x, y)
	case "*":
		z.Mul(x, y)
	default:
		if y.Sign() == 0 {
			return nil, fail(msgDivideByZero())
		}
		z.Quo(x, y)
	}
	if z.IsInt() {
		return numeric(z.Num().String()), nil
	}
	f, _ := z.Float64()
	return f, nil
}

// like matches a LIKE pattern with % and _ (case-insensitively).
func like(s, pat string) bool {
	s, pat = strings.ToUpper(s), strings.ToUpper(pat)
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '%':
		for i := 0; i <= len(s); i++ {
			if like(s[i:], pat[1:]) {
				return true
			}
		}
		return false
	case '_':
		return s != "" && like(s[1:], pat[1:])
	}
	return s != "" && s[0] == pat[0] && like(s[1:], pat[1:])
}

// castTo converts for CAST/CONVERT.
func castTo(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "int", "bigint", "smallint", "tinyint":
		r, err := toRat(v)
		if err != nil {
			return nil, fail(msgConversion(toText(v), typ))
		}
		n := new(big.Int).Quo(r.Num(), r.Denom())
		return n.Int64(), nil
	case "bit":
		r, err := toRat(v)
		if err != nil {
			return nil, err
		}
		return r.Sign() != 0, nil
	case "numeric", "decimal":
		r, err := toRat(v)
		if err != nil {
			return nil, fail(msgConversion(toText(v), typ))
		}
		return numeric(new(big.Int).Quo(r.Num(), r.Denom()).String()), nil
	case "uniqueidentifier":
		return guid(strings.ToUpper(toText(v))), nil
	case "nvarchar", "varchar", "sysname", "nchar", "char":
		return toText(v), nil
	case "float", "real":
		r, err := toRat(v)
		if err != nil {
			return nil, fail(msgConversion(toText(v), typ))
		}
		f, _ := r.Float64()
		return f, nil
	case "datetime", "datetime2":
		// Only a time stays a time: a string would need SQL Server's
		// date formats, which the lab does not parse.
		if t, ok := v.(time.Time); ok {
			if typ == "datetime" {
				return dateTimeTick(t), nil
			}
			return dateTime2Tick(t), nil
		}
	}
	return nil, fail(msgUnsupported("CAST to " + typ))
}

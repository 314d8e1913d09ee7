package lab

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
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
	if op == "+" && isText(l) && isText(r) {
		return toText(l) + toText(r), nil
	}
	// A number beside a string converts the string (numbers take
	// precedence): 1 + '1' is 2, 'a' + 1 is error 245.
	l, r, err := numberBeside(l, r)
	if err != nil {
		return nil, err
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

// numberBeside converts a string operand next to an int to an int (next
// to any other number the rational arithmetic converts it).
func numberBeside(l, r any) (any, any, error) {
	conv := func(text, other any) (any, error) {
		if _, ok := other.(int64); !ok || !isText(text) {
			return text, nil
		}
		s := strings.TrimSpace(toText(text))
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fail(msgConversion(toText(text), "int"))
		}
		return n, nil
	}
	l, err := conv(l, r)
	if err != nil {
		return nil, nil, err
	}
	r, err = conv(r, l)
	return l, r, err
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

// like matches a LIKE pattern (case-insensitively, as the lab's
// collation): % any run, _ one character, [abc] [a-f] [^a] one of a set.
func like(s, pat string) bool {
	return likeRegexp(pat).MatchString(s)
}

// likeRegexp translates a LIKE pattern; an unclosed [ stands for itself.
func likeRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		case '[':
			end := slices.Index(rs[i+1:], ']')
			if end < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(likeClass(rs[i+1 : i+1+end]))
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// likeClass is a regexp class for the inside of a LIKE [...]: ^ first
// negates, a - between two characters is a range.
func likeClass(class []rune) string {
	var b strings.Builder
	b.WriteString("[")
	if len(class) > 0 && class[0] == '^' {
		b.WriteString("^")
		class = class[1:]
	}
	if len(class) == 0 {
		return "(?:[^\\x00-\\x{10FFFF}])" // [] matches nothing
	}
	for i, c := range class {
		if c == '-' && i > 0 && i < len(class)-1 {
			b.WriteRune('-')
			continue
		}
		if strings.ContainsRune(`\]^-[`, c) {
			b.WriteRune('\\')
		}
		b.WriteRune(c)
	}
	b.WriteString("]")
	return b.String()
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

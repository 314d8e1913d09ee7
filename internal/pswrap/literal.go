package pswrap

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Literal renders a plain value as a PowerShell literal: text
// single-quoted (Quote), integers as they are, other numbers in
// PowerShell's real syntax, negative numbers in parentheses (so that an
// argument -5 is not read as a parameter), booleans and null as $true,
// $false and $null, lists as @(…). Text must not hold a NUL character;
// mappings are not values a parameter takes here.
func Literal(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "$null", nil
	case bool:
		if x {
			return "$true", nil
		}
		return "$false", nil
	case string:
		if strings.ContainsRune(x, 0) {
			return "", fmt.Errorf("text holds a NUL character")
		}
		return Quote(x), nil
	case int:
		return number(strconv.Itoa(x)), nil
	case int64:
		return number(strconv.FormatInt(x, 10)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("%v is not a number PowerShell can be given", x)
		}
		return number(strconv.FormatFloat(x, 'g', -1, 64)), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if _, nested := e.([]any); nested {
				return "", fmt.Errorf("item %d: a list inside a list is not supported", i+1)
			}
			s, err := Literal(e)
			if err != nil {
				return "", fmt.Errorf("item %d: %w", i+1, err)
			}
			parts[i] = s
		}
		return "@(" + strings.Join(parts, ", ") + ")", nil
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return Literal(l)
	case map[string]any:
		return "", fmt.Errorf("a mapping is not supported (hashtables such as @{Add=…} are deltas: give the whole list, or null to clear)")
	}
	return "", fmt.Errorf("unsupported value of type %T", v)
}

func number(s string) string {
	if strings.HasPrefix(s, "-") {
		return "(" + s + ")"
	}
	return s
}

package expect

import (
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strings"
)

// Rule is a parsed expect: one or more conditions that must all hold.
type Rule struct {
	conds []cond
}

// cond is one condition of a rule.
type cond struct {
	op string // equals, one_of, matches, gt, ge, lt, le, eq, ne, count
	// value is the expected value of equals (a list for equals-list).
	value any
	// list holds one_of's values.
	list []any
	re   *regexp.Regexp
	// num is the number of a comparison.
	num *big.Rat
	// count is the comparison of count: an equality or a numeric one.
	count *cond
}

// compareOps are the numeric comparisons, in the order errors list them.
var compareOps = []string{"gt", "ge", "lt", "le", "eq", "ne"}

// ruleNames lists the keys of an expect mapping, for error messages.
const ruleNames = "equals, one_of, matches, gt, ge, lt, le, eq, ne, count"

// Parse reads an expect parameter as a plan gives it: a scalar (equals),
// a list (one of), or a mapping of rules. Errors name the rule at fault.
func Parse(v any) (Rule, error) {
	switch x := v.(type) {
	case nil:
		return Rule{}, fmt.Errorf("expect is empty: give a value, a list or a rule such as {equals: null}")
	case []any:
		c, err := parseOneOf(x)
		return Rule{conds: []cond{c}}, err
	case map[string]any:
		return parseMap(x)
	}
	if !scalar(v) {
		return Rule{}, fmt.Errorf("expect: want a value, a list or a mapping, got %T", v)
	}
	return Rule{conds: []cond{{op: "equals", value: v}}}, nil
}

func parseMap(m map[string]any) (Rule, error) {
	if len(m) == 0 {
		return Rule{}, fmt.Errorf("expect is an empty mapping: give a rule (%s)", ruleNames)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var r Rule
	for _, k := range keys {
		c, err := parseRule(k, m[k])
		if err != nil {
			return Rule{}, fmt.Errorf("expect %s: %w", k, err)
		}
		r.conds = append(r.conds, c)
	}
	return r, nil
}

func parseRule(op string, v any) (cond, error) {
	switch op {
	case "equals":
		if l, ok := v.([]any); ok {
			for i, e := range l {
				if !scalar(e) {
					return cond{}, fmt.Errorf("item %d: want a value, got %s", i+1, describe(e))
				}
			}
			return cond{op: "equals", value: l}, nil
		}
		if !scalar(v) {
			return cond{}, fmt.Errorf("want a value or a list, got %s", describe(v))
		}
		return cond{op: "equals", value: v}, nil
	case "one_of":
		l, ok := v.([]any)
		if !ok {
			return cond{}, fmt.Errorf("want a list, got %s", describe(v))
		}
		return parseOneOf(l)
	case "matches":
		s, ok := v.(string)
		if !ok {
			return cond{}, fmt.Errorf("want a regular expression, got %s", describe(v))
		}
		re, err := regexp.Compile(s)
		if err != nil {
			return cond{}, fmt.Errorf("%q is not a regular expression: %w", s, err)
		}
		return cond{op: "matches", value: s, re: re}, nil
	case "count":
		return parseCount(v)
	}
	if isCompare(op) {
		n, ok := number(v)
		if !ok {
			return cond{}, fmt.Errorf("want a number, got %s", describe(v))
		}
		return cond{op: op, value: v, num: n}, nil
	}
	return cond{}, fmt.Errorf("unknown rule (%s)", ruleNames)
}

func parseOneOf(l []any) (cond, error) {
	if len(l) == 0 {
		return cond{}, fmt.Errorf("expect: the list of allowed values is empty")
	}
	for i, e := range l {
		if !scalar(e) {
			return cond{}, fmt.Errorf("expect: item %d: want a value, got %s", i+1, describe(e))
		}
	}
	return cond{op: "one_of", list: l}, nil
}

// parseCount reads count: n or count: {op: n}.
func parseCount(v any) (cond, error) {
	if m, ok := v.(map[string]any); ok {
		if len(m) != 1 {
			return cond{}, fmt.Errorf("want one comparison such as {ge: 1}, got %d keys", len(m))
		}
		for op, n := range m {
			if !isCompare(op) {
				return cond{}, fmt.Errorf("%q is not a comparison (%s)", op, strings.Join(compareOps, ", "))
			}
			c, err := countNumber(op, n)
			if err != nil {
				return cond{}, err
			}
			return cond{op: "count", count: &c}, nil
		}
	}
	c, err := countNumber("eq", v)
	if err != nil {
		return cond{}, err
	}
	return cond{op: "count", count: &c}, nil
}

func countNumber(op string, v any) (cond, error) {
	n, ok := number(v)
	if !ok || !n.IsInt() || n.Sign() < 0 {
		return cond{}, fmt.Errorf("want a whole number of at least 0, got %s", describe(v))
	}
	return cond{op: op, value: v, num: n}, nil
}

func isCompare(op string) bool {
	for _, c := range compareOps {
		if c == op {
			return true
		}
	}
	return false
}

// scalar reports whether v is a plain value: text, number, bool or null.
func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, int, int32, int64, uint, uint32, uint64, float32, float64:
		return true
	}
	return false
}

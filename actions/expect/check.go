package expect

import (
	"fmt"
	"strings"
)

// Outcome is the result of applying a rule.
type Outcome struct {
	OK bool
	// Detail says what was expected and what came back: "expected
	// "FailedOver", got "Normal"", or on success what was seen.
	Detail string
}

// Check applies the rule to the values a check read; unit names them
// in the detail (row, value, object) and takes an s for several.
func (r Rule) Check(values []any, unit string) Outcome {
	for _, c := range r.conds {
		if ok, detail := c.check(values, unit); !ok {
			return Outcome{Detail: detail}
		}
	}
	return Outcome{OK: true, Detail: "got " + gotText(values, unit) + ", as expected (" + r.String() + ")"}
}

// String describes the rule: "equals "FailedOver"", "count ≥ 1".
func (r Rule) String() string {
	parts := make([]string, len(r.conds))
	for i, c := range r.conds {
		parts[i] = c.String()
	}
	return strings.Join(parts, " and ")
}

func (c cond) String() string {
	switch c.op {
	case "equals":
		if l, ok := c.value.([]any); ok {
			return "the values " + list(l)
		}
		return show(c.value)
	case "one_of":
		return "one of " + list(c.list)
	case "matches":
		return "a match for " + fmt.Sprintf("%q", c.value)
	case "count":
		return "count " + c.count.String()
	}
	return symbols[c.op] + " " + fmt.Sprint(c.value)
}

// symbols are the comparisons as people read them.
var symbols = map[string]string{"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "=", "ne": "≠"}

// check applies one condition.
func (c cond) check(values []any, unit string) (bool, string) {
	if c.op == "count" {
		n := int64(len(values))
		if c.count.holds(n) {
			return true, ""
		}
		return false, fmt.Sprintf("expected %s %s, got %d", countText(c.count), plural(unit), n)
	}
	if c.op == "equals" {
		if l, ok := c.value.([]any); ok {
			return c.checkList(l, values, unit)
		}
	}
	if len(values) != 1 {
		return false, fmt.Sprintf("expected one %s (%s), got %s", unit, c.String(), gotText(values, unit))
	}
	v := values[0]
	ok := false
	switch c.op {
	case "equals":
		ok = equal(c.value, v)
	case "one_of":
		for _, e := range c.list {
			ok = ok || equal(e, v)
		}
	case "matches":
		ok = v != nil && c.re.MatchString(text(v))
	default:
		n, isNum := number(v)
		if !isNum {
			return false, fmt.Sprintf("expected a number %s, got %s", c.String(), show(v))
		}
		ok = c.compare(n)
	}
	if ok {
		return true, ""
	}
	return false, fmt.Sprintf("expected %s, got %s", c.String(), show(v))
}

// checkList applies equals with a list: the values, in order.
func (c cond) checkList(want, values []any, unit string) (bool, string) {
	same := len(want) == len(values)
	for i := 0; same && i < len(want); i++ {
		same = equal(want[i], values[i])
	}
	if same {
		return true, ""
	}
	return false, fmt.Sprintf("expected %s, got %s", c.String(), gotText(values, unit))
}

// holds applies a count comparison.
func (c *cond) holds(n int64) bool {
	return c.compare(ratOf(n))
}

func countText(c *cond) string {
	if c.op == "eq" {
		return fmt.Sprint(c.value)
	}
	return symbols[c.op] + " " + fmt.Sprint(c.value)
}

func plural(unit string) string { return unit + "s" }

// gotText shows what came back: nothing, one value, or the values.
func gotText(values []any, unit string) string {
	switch len(values) {
	case 0:
		return "no " + plural(unit)
	case 1:
		return show(values[0])
	}
	const most = 10
	shown := values
	more := ""
	if len(shown) > most {
		shown, more = shown[:most], fmt.Sprintf(", … (%d more)", len(values)-most)
	}
	return fmt.Sprintf("%d %s: %s", len(values), plural(unit), strings.TrimSuffix(list(shown), "]")+more+"]")
}

func list(l []any) string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = show(e)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// maxShown bounds a value quoted in a detail.
const maxShown = 200

// show renders a value for a detail: text quoted, null as null.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > maxShown {
			x = x[:maxShown] + "…"
		}
		return fmt.Sprintf("%q", x)
	case []byte:
		return show(string(x))
	}
	s := text(v)
	if len(s) > maxShown {
		s = s[:maxShown] + "…"
	}
	return s
}

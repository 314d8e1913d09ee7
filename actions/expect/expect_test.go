package expect

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		expect any
		err    string
	}{
		{name: "null", expect: nil, err: "expect is empty"},
		{name: "empty list", expect: []any{}, err: "expect: the list of allowed values is empty"},
		{name: "list of lists", expect: []any{"a", []any{"b"}}, err: "expect: item 2: want a value, got a list"},
		{name: "empty mapping", expect: map[string]any{}, err: "expect is an empty mapping"},
		{name: "unknown rule", expect: map[string]any{"contains": "x"}, err: "expect contains: unknown rule (equals, one_of"},
		{name: "bad regex", expect: map[string]any{"matches": "a("}, err: `expect matches: "a(" is not a regular expression`},
		{name: "regex not text", expect: map[string]any{"matches": 5}, err: "expect matches: want a regular expression, got 5"},
		{name: "gt not a number", expect: map[string]any{"gt": "five"}, err: `expect gt: want a number, got "five"`},
		{name: "one_of not a list", expect: map[string]any{"one_of": "a"}, err: `expect one_of: want a list, got "a"`},
		{name: "equals a mapping", expect: map[string]any{"equals": map[string]any{}}, err: "expect equals: want a value or a list, got a mapping"},
		{name: "negative count", expect: map[string]any{"count": -1}, err: "expect count: want a whole number of at least 0, got -1"},
		{name: "fractional count", expect: map[string]any{"count": 1.5}, err: "expect count: want a whole number of at least 0, got 1.5"},
		{name: "count with two comparisons", expect: map[string]any{"count": map[string]any{"ge": 1, "le": 2}}, err: "expect count: want one comparison"},
		{name: "count with a non-comparison", expect: map[string]any{"count": map[string]any{"equals": 1}}, err: `expect count: "equals" is not a comparison`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.expect)
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("Parse(%v) = %v, want %q", tt.expect, err, tt.err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	lsn := "1903000000123400001" // beyond float64's exact integers
	tests := []struct {
		name   string
		expect any
		values []any
		ok     bool
		detail string
	}{
		{name: "equals text", expect: "FailedOver", values: []any{"FailedOver"}, ok: true},
		{name: "equals text differs", expect: "FailedOver", values: []any{"Normal"}, detail: `expected "FailedOver", got "Normal"`},
		{name: "text is case-sensitive", expect: "FailedOver", values: []any{"failedover"}, detail: `expected "FailedOver", got "failedover"`},
		{name: "number equals int", expect: 3, values: []any{int64(3)}, ok: true},
		{name: "number equals float and text", expect: 3, values: []any{"3.0"}, ok: true},
		{name: "number differs", expect: 3, values: []any{4.5}, detail: "expected 3, got 4.5"},
		{name: "text 3 equals number 3", expect: "3", values: []any{int64(3)}, ok: true},
		{name: "bool equals bool", expect: true, values: []any{true}, ok: true},
		{name: "bool equals PowerShell text", expect: true, values: []any{"True"}, ok: true},
		{name: "text true equals bool", expect: "True", values: []any{true}, ok: true},
		{name: "bool differs", expect: false, values: []any{true}, detail: "expected false, got true"},
		{name: "bool is not a number", expect: 1, values: []any{true}, detail: "expected 1, got true"},
		{name: "equals null", expect: map[string]any{"equals": nil}, values: []any{nil}, ok: true},
		{name: "null is not empty text", expect: "", values: []any{nil}, detail: `expected "", got null`},
		{name: "equals a list in order", expect: map[string]any{"equals": []any{"a", "b"}}, values: []any{"a", "b"}, ok: true},
		{name: "equals a list, other order", expect: map[string]any{"equals": []any{"a", "b"}}, values: []any{"b", "a"}, detail: `expected the values ["a", "b"], got 2 values: ["b", "a"]`},
		{name: "equals an empty list", expect: map[string]any{"equals": []any{}}, values: nil, ok: true},
		{name: "one of", expect: []any{"Normal", "FailedOver"}, values: []any{"Normal"}, ok: true},
		{name: "one of, none", expect: []any{"Normal", "FailedOver"}, values: []any{"Broken"}, detail: `expected one of ["Normal", "FailedOver"], got "Broken"`},
		{name: "one_of mapping", expect: map[string]any{"one_of": []any{1, 2}}, values: []any{2.0}, ok: true},
		{name: "matches", expect: map[string]any{"matches": "^dc2-"}, values: []any{"dc2-pc01"}, ok: true},
		{name: "matches fails", expect: map[string]any{"matches": "^dc2-"}, values: []any{"dc1-pc01"}, detail: `expected a match for "^dc2-", got "dc1-pc01"`},
		{name: "matches a number as text", expect: map[string]any{"matches": "^4[0-9]$"}, values: []any{int64(42)}, ok: true},
		{name: "null never matches", expect: map[string]any{"matches": ".*"}, values: []any{nil}, detail: `expected a match for ".*", got null`},
		{name: "gt", expect: map[string]any{"gt": 5}, values: []any{int64(6)}, ok: true},
		{name: "gt fails", expect: map[string]any{"gt": 5}, values: []any{int64(5)}, detail: "expected > 5, got 5"},
		{name: "ge le range", expect: map[string]any{"ge": 1, "le": 5}, values: []any{"5"}, ok: true},
		{name: "range fails", expect: map[string]any{"ge": 1, "le": 5}, values: []any{6.0}, detail: "expected ≤ 5, got 6"},
		{name: "lt ne", expect: map[string]any{"lt": 0.5, "ne": 0}, values: []any{0.25}, ok: true},
		{name: "eq json number", expect: map[string]any{"eq": 7}, values: []any{json.Number("7")}, ok: true},
		{name: "comparison on text", expect: map[string]any{"gt": 1}, values: []any{"many"}, detail: `expected a number > 1, got "many"`},
		{name: "big numbers exact", expect: map[string]any{"gt": lsn}, values: []any{"1903000000123400002"}, ok: true},
		{name: "big numbers exact, equal is not greater", expect: map[string]any{"gt": lsn}, values: []any{[]byte(lsn)}, detail: "expected > " + lsn + ", got \"" + lsn + "\""},
		{name: "count", expect: map[string]any{"count": 2}, values: []any{"a", "b"}, ok: true},
		{name: "count differs", expect: map[string]any{"count": 2}, values: []any{"a"}, detail: "expected 2 values, got 1"},
		{name: "count zero", expect: map[string]any{"count": 0}, values: nil, ok: true},
		{name: "count compared", expect: map[string]any{"count": map[string]any{"ge": 1}}, values: nil, detail: "expected ≥ 1 values, got 0"},
		{name: "one value wanted, none came", expect: "x", values: nil, detail: `expected one value ("x"), got no values`},
		{name: "one value wanted, several came", expect: "x", values: []any{"x", "y"}, detail: `expected one value ("x"), got 2 values: ["x", "y"]`},
		{name: "count and value", expect: map[string]any{"count": 1, "equals": "x"}, values: []any{"x"}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.expect)
			if err != nil {
				t.Fatal(err)
			}
			out := r.Check(tt.values, "value")
			if out.OK != tt.ok {
				t.Errorf("OK = %v, want %v (%s)", out.OK, tt.ok, out.Detail)
			}
			if !tt.ok && out.Detail != tt.detail {
				t.Errorf("detail = %q\nwant     %q", out.Detail, tt.detail)
			}
		})
	}
}

func TestCheckDetailOnSuccessAndUnit(t *testing.T) {
	r, err := Parse(map[string]any{"count": 3})
	if err != nil {
		t.Fatal(err)
	}
	if out := r.Check([]any{1, 2}, "row"); out.Detail != "expected 3 rows, got 2" {
		t.Errorf("detail = %q", out.Detail)
	}
	r, _ = Parse("FailedOver")
	if out := r.Check([]any{"FailedOver"}, "object"); !out.OK || out.Detail != `got "FailedOver", as expected ("FailedOver")` {
		t.Errorf("outcome = %+v", out)
	}
}

func TestCheckShortensLongValues(t *testing.T) {
	r, _ := Parse("x")
	out := r.Check([]any{strings.Repeat("a", 10000)}, "value")
	if len(out.Detail) > 300 || !strings.HasSuffix(out.Detail, `…"`) {
		t.Errorf("detail of %d bytes: %.80q", len(out.Detail), out.Detail)
	}
	many := make([]any, 50)
	for i := range many {
		many[i] = i
	}
	out = r.Check(many, "row")
	if !strings.Contains(out.Detail, "(40 more)") {
		t.Errorf("detail = %q", out.Detail)
	}
}

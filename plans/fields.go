package plans

import (
	"fmt"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// checkKeys reports every key of a mapping that is not allowed, with a
// did-you-mean suggestion. It reports a node that is not a mapping and
// returns false for it.
func (l *loader) checkKeys(n *node, what string, allowed ...string) bool {
	if n.kind != yaml.MappingNode {
		l.errorf(n.pos, "%s must be a mapping, got %s", what, n.describe())
		return false
	}
	n.pairs(func(k, _ *node) {
		if !contains(allowed, k.value) {
			l.errorf(k.pos, "unknown key %q in %s%s", k.value, what, didYouMean(k.value, allowed))
			if s := suggest(k.value, allowed); s != "" {
				l.misspelt[n] = append(l.misspelt[n], s)
			}
		}
	})
	return true
}

// mayLack reports whether a mapping's missing key goes unreported: a
// misspelling of it was reported, or the mapping held a merge key (<<),
// reported as unsupported, that may have been meant to give it.
func (l *loader) mayLack(n *node, key string) bool {
	return n.merged || contains(l.misspelt[n], key)
}

// requireKeys reports each named key missing from a mapping, unless a
// misspelling of it was already reported.
func (l *loader) requireKeys(n *node, what string, keys ...string) {
	for _, k := range keys {
		if n.get(k).isNull() && !l.mayLack(n, k) {
			l.errorf(n.pos, "%s is missing required field %q", what, k)
		}
	}
}

// scalarOf builds a load-time value for a structural field.
func (l *loader) scalarOf(n *node, field string) (*Value, bool) {
	if n.kind != yaml.ScalarNode {
		l.errorf(n.pos, "%s must be a single value, got %s", field, n.describe())
		return nil, false
	}
	v := l.value(n, loadTime(field))
	return v, !l.bad[v]
}

// stringField returns a field's string, vars substituted.
func (l *loader) stringField(n *node, field string) (string, bool) {
	v, ok := l.scalarOf(n, field)
	if !ok {
		return "", false
	}
	if v.Kind != KindString {
		l.errorf(n.pos, "%s must be a string, got %s", field, describeValue(v))
		return "", false
	}
	return v.Str, true
}

// durationField parses a Go duration such as "90s" or "1h30m".
func (l *loader) durationField(n *node, field string) (time.Duration, bool) {
	v, ok := l.scalarOf(n, field)
	if !ok {
		return 0, false
	}
	if v.Kind != KindString {
		l.errorf(n.pos, "%s must be a duration such as \"30s\" or \"5m\", got %s", field, describeValue(v))
		return 0, false
	}
	d, err := time.ParseDuration(v.Str)
	if err != nil || d < 0 {
		l.errorf(n.pos, "%s: %q is not a duration such as \"30s\", \"5m\" or \"1h30m\"", field, v.Str)
		return 0, false
	}
	return d, true
}

// intField returns a field's integer.
func (l *loader) intField(n *node, field string) (int, bool) {
	v, ok := l.scalarOf(n, field)
	if !ok {
		return 0, false
	}
	if v.Kind != KindInt {
		l.errorf(n.pos, "%s must be an integer, got %s", field, describeValue(v))
		return 0, false
	}
	return int(v.Int), true
}

// floatField returns a field's number (an integer counts).
func (l *loader) floatField(n *node, field string) (float64, bool) {
	v, ok := l.scalarOf(n, field)
	if !ok {
		return 0, false
	}
	switch v.Kind {
	case KindInt:
		return float64(v.Int), true
	case KindFloat:
		return v.Float, true
	}
	l.errorf(n.pos, "%s must be a number, got %s", field, describeValue(v))
	return 0, false
}

// boolField returns a field's boolean.
func (l *loader) boolField(n *node, field string) (bool, bool) {
	v, ok := l.scalarOf(n, field)
	if !ok {
		return false, false
	}
	if v.Kind != KindBool {
		l.errorf(n.pos, "%s must be true or false, got %s", field, describeValue(v))
		return false, false
	}
	return v.Bool, true
}

// listOf returns a list's items; a missing list is empty.
func (l *loader) listOf(n *node, what string) []*node {
	if n.isNull() {
		return nil
	}
	if n.kind != yaml.SequenceNode {
		l.errorf(n.pos, "%s must be a list, got %s", what, n.describe())
		return nil
	}
	return n.content
}

// literal returns a scalar that must be written as is (ids, type names).
func (l *loader) literal(n *node, field string) (string, bool) {
	if n.kind != yaml.ScalarNode || n.tag != "!!str" {
		l.errorf(n.pos, "%s must be a string, got %s", field, n.describe())
		return "", false
	}
	if strings.Contains(n.value, "${") {
		l.errorf(n.pos, "%s must be written literally, without ${…} references", field)
		return "", false
	}
	return n.value, true
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// describeValue names a value's type (and scalar value) for messages.
func describeValue(v *Value) string {
	switch v.Kind {
	case KindString:
		return quoteShown(v.Str)
	case KindInt:
		return fmt.Sprintf("integer %d", v.Int)
	case KindFloat:
		return fmt.Sprintf("number %v", v.Float)
	case KindBool:
		return fmt.Sprintf("boolean %v", v.Bool)
	}
	return kindName(v.Kind)
}

// rtoField returns an rto budget: a duration longer than 0 (0 when the
// field is absent).
func (l *loader) rtoField(n *node, field string) time.Duration {
	if n.isNull() {
		return 0
	}
	d, ok := l.durationField(n, field)
	if ok && d == 0 {
		l.errorf(n.pos, "%s must be longer than 0 (leave it out for no budget)", field)
	}
	return d
}

package lab

import (
	"sort"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

func distinctRows(rows []outRow) []outRow {
	seen := map[string]bool{}
	out := rows[:0]
	for _, r := range rows {
		var b strings.Builder
		for _, v := range r.vals {
			b.WriteString(strings.ToUpper(toText(v)))
			if v == nil {
				b.WriteString("\x00null")
			}
			b.WriteByte(0)
		}
		if !seen[b.String()] {
			seen[b.String()] = true
			out = append(out, r)
		}
	}
	return out
}

// sortRows applies ORDER BY: by output column name, ordinal, or an
// expression over the source row (kept in keys).
func (s *selectStmt) sortRows(cols []tds.Column, rows []outRow) error {
	if len(s.orderBy) == 0 {
		return nil
	}
	var sortErr error
	sort.SliceStable(rows, func(i, j int) bool {
		for k, o := range s.orderBy {
			a, b := orderValue(cols, rows[i], k, o), orderValue(cols, rows[j], k, o)
			c := compareNullsFirst(a, b)
			if c != 0 {
				return (c < 0) != o.desc
			}
		}
		return false
	})
	return sortErr
}

func orderValue(cols []tds.Column, r outRow, k int, o orderItem) any {
	if c, ok := o.e.(colExpr); ok && c.qual == "" {
		for i, col := range cols {
			if strings.EqualFold(col.Name, c.name) {
				return r.vals[i]
			}
		}
	}
	if l, ok := o.e.(litExpr); ok {
		if n, ok := l.v.(int64); ok && n >= 1 && int(n) <= len(r.vals) {
			return r.vals[n-1]
		}
	}
	if k < len(r.keys) {
		return r.keys[k]
	}
	return nil
}

func compareNullsFirst(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	c, err := compare(a, b)
	if err != nil {
		return strings.Compare(toText(a), toText(b))
	}
	return c
}

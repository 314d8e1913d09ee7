package lab

import (
	"strings"
	"time"

	"github.com/failover-dev/failover/internal/tds"
)

// runCore runs one SELECT without its UNION partners.
func (s *selectStmt) runCore(x *stmtCtx) ([]tds.Column, []outRow, error) {
	tables := make([]bound, len(s.from))
	for i, f := range s.from {
		t, err := x.lookupTable(f.name)
		if err != nil {
			return nil, nil, err
		}
		tables[i] = bound{alias: f.alias, t: t}
	}
	if err := s.check(x, tables); err != nil {
		return nil, nil, err
	}
	var matches [][]bound
	if err := s.join(x, tables, 0, &matches); err != nil {
		return nil, nil, err
	}
	if s.isAggregate() {
		return s.aggregate(x, tables, matches)
	}
	return s.project(x, tables, matches)
}

// check evaluates every expression once against NULL rows, so a wrong
// column name fails even when no row matches, as SQL Server's compile does.
func (s *selectStmt) check(x *stmtCtx, tables []bound) error {
	e := &env{x: x, tables: tables}
	exprs := []expr{s.where}
	for _, f := range s.from {
		exprs = append(exprs, f.on)
	}
	for _, it := range s.items {
		exprs = append(exprs, it.e)
	}
	for _, ex := range exprs {
		if ex == nil {
			continue
		}
		if _, err := e.eval(ex); err != nil && isCompileError(err) {
			return err
		}
	}
	return nil
}

// isCompileError reports errors SQL Server finds before running.
func isCompileError(err error) bool {
	se, ok := err.(*sqlError)
	if !ok {
		return false
	}
	switch se.msgs[0].Number {
	case 207, 209, 137, 195, UnsupportedNumber:
		return true
	}
	return false
}

// join enumerates the joined rows that satisfy ON and WHERE.
func (s *selectStmt) join(x *stmtCtx, tables []bound, i int, out *[][]bound) error {
	if i == len(tables) {
		if s.where != nil {
			ok, err := (&env{x: x, tables: tables}).evalBool(s.where)
			if err != nil || ok == nil || !*ok {
				return err
			}
		}
		*out = append(*out, append([]bound(nil), tables...))
		return nil
	}
	f := s.from[i]
	matched := false
	for _, row := range tables[i].t.rows {
		tables[i].row = row
		if f.on != nil {
			ok, err := (&env{x: x, tables: tables[:i+1]}).evalBool(f.on)
			if err != nil {
				return err
			}
			if ok == nil || !*ok {
				continue
			}
		}
		matched = true
		if err := s.join(x, tables, i+1, out); err != nil {
			return err
		}
	}
	tables[i].row = nil
	if f.left && !matched {
		return s.join(x, tables, i+1, out)
	}
	return nil
}

// project computes the select list for each joined row.
func (s *selectStmt) project(x *stmtCtx, tables []bound, matches [][]bound) ([]tds.Column, []outRow, error) {
	if len(s.from) == 0 {
		matches = [][]bound{nil}
	}
	cols := s.columns(tables)
	var rows []outRow
	for _, m := range matches {
		e := &env{x: x, tables: m}
		var r outRow
		for _, it := range s.items {
			vals, err := itemValues(e, it)
			if err != nil {
				return nil, nil, err
			}
			r.vals = append(r.vals, vals...)
		}
		for _, o := range s.orderBy {
			k, _ := e.eval(o.e)
			r.keys = append(r.keys, k)
		}
		rows = append(rows, r)
	}
	if s.distinct {
		rows = distinctRows(rows)
	}
	if n, err := s.topCount(x); err != nil {
		return nil, nil, err
	} else if n >= 0 && len(s.orderBy) == 0 && n < len(rows) {
		rows = rows[:n]
	} else if n >= 0 && len(s.orderBy) > 0 {
		if err := s.sortRows(cols, rows); err != nil {
			return nil, nil, err
		}
		rows = rows[:min(n, len(rows))]
	}
	inferTypes(cols, rows)
	return cols, rows, nil
}

func itemValues(e *env, it selItem) ([]any, error) {
	v, err := e.eval(it.e)
	return []any{v}, err
}

// columns builds the result columns; types of computed columns are filled
// in by inferTypes.
func (s *selectStmt) columns(tables []bound) []tds.Column {
	var cols []tds.Column
	for _, it := range s.items {
		col := tds.Column{Name: it.name, Type: -1}
		if c, ok := it.e.(castExpr); ok && c.prec > 0 && (c.typ == "numeric" || c.typ == "decimal") {
			col.Type, col.Precision = tds.TypeNumeric, c.prec
		}
		if c, ok := it.e.(colExpr); ok {
			for _, b := range tables {
				if i := b.t.index(c.name); i >= 0 && (c.qual == "" || c.qual == b.alias) {
					col.Type, col.Precision, col.Scale = b.t.cols[i].Type, b.t.cols[i].Precision, b.t.cols[i].Scale
					if !it.given {
						col.Name = b.t.cols[i].Name
					}
				}
			}
		}
		cols = append(cols, col)
	}
	return cols
}

// inferTypes gives computed columns the type of their first non-NULL value.
func inferTypes(cols []tds.Column, rows []outRow) {
	for i := range cols {
		if cols[i].Type != -1 {
			continue
		}
		cols[i].Type = tds.TypeNVarChar
		for _, r := range rows {
			if i < len(r.vals) && r.vals[i] != nil {
				cols[i].Type, cols[i].Precision = typeOf(r.vals[i])
				break
			}
		}
	}
}

func typeOf(v any) (tds.ColType, uint8) {
	switch n := v.(type) {
	case int64:
		if n > 1<<31-1 || n < -1<<31 {
			return tds.TypeBigInt, 0
		}
		return tds.TypeInt, 0
	case float64:
		return tds.TypeFloat, 0
	case bool:
		return tds.TypeBit, 0
	case time.Time:
		if !onDateTimeTick(n) {
			return tds.TypeDateTime2, 0
		}
		return tds.TypeDateTime, 0
	case numeric:
		return tds.TypeNumeric, 38
	case guid:
		return tds.TypeUniqueIdentifier, 0
	}
	return tds.TypeNVarChar, 0
}

// wireRow converts evaluation values to the tds row types.
func wireRow(vals []any) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case numeric:
			out[i] = toText(x)
		case guid:
			out[i] = string(x)
		default:
			out[i] = v
		}
	}
	return out
}

// isAggregate reports whether the select list uses COUNT, MIN, MAX or SUM.
func (s *selectStmt) isAggregate() bool {
	for _, it := range s.items {
		if f, ok := it.e.(funcExpr); ok && aggregates[f.name] {
			return true
		}
	}
	return false
}

var aggregates = map[string]bool{"COUNT": true, "MIN": true, "MAX": true, "SUM": true, "COUNT_BIG": true}

// aggregate computes one row over all matches (no GROUP BY).
func (s *selectStmt) aggregate(x *stmtCtx, tables []bound, matches [][]bound) ([]tds.Column, []outRow, error) {
	cols := s.columns(tables)
	var r outRow
	for _, it := range s.items {
		f, ok := it.e.(funcExpr)
		if !ok || !aggregates[f.name] {
			return nil, nil, fail(sqlMsg{8120, 1, 16, "Column '" + it.name + "' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause."})
		}
		v, err := aggregateOf(x, f, matches)
		if err != nil {
			return nil, nil, err
		}
		r.vals = append(r.vals, v)
	}
	rows := []outRow{r}
	inferTypes(cols, rows)
	for i, it := range s.items {
		if f := it.e.(funcExpr); strings.HasPrefix(f.name, "COUNT") {
			cols[i].Type = tds.TypeInt
		}
	}
	return cols, rows, nil
}

func aggregateOf(x *stmtCtx, f funcExpr, matches [][]bound) (any, error) {
	var acc any
	count := int64(0)
	for _, m := range matches {
		if f.star {
			count++
			continue
		}
		if len(f.args) != 1 {
			return nil, fail(sqlMsg{174, 1, 15, "The " + strings.ToLower(f.name) + " function requires 1 argument(s)."})
		}
		v, err := (&env{x: x, tables: m}).eval(f.args[0])
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		count++
		acc, err = fold(f.name, acc, v)
		if err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(f.name, "COUNT") {
		return count, nil
	}
	return acc, nil
}

func fold(name string, acc, v any) (any, error) {
	if acc == nil {
		return v, nil
	}
	if name == "SUM" {
		return arith("+", acc, v)
	}
	c, err := compare(v, acc)
	if err != nil {
		return nil, err
	}
	if name == "MIN" && c < 0 || name == "MAX" && c > 0 {
		return v, nil
	}
	return acc, nil
}

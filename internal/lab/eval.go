package lab

import (
	"fmt"
	"math/big"
	"strings"
)

// Values during evaluation are nil (NULL), int64, float64, string
// (nvarchar), bool (bit), time.Time (datetime), numeric and guid.
type (
	// numeric is a decimal(p,0) such as an LSN, kept as its digits.
	numeric string
	// guid is a uniqueidentifier in its upper-case canonical form.
	guid string
)

// env is what an expression can see: the statement's context and the rows
// of the tables in FROM.
type env struct {
	x      *stmtCtx
	tables []bound
}

// bound is a table of FROM with its alias and current row (nil: the
// outer side of a LEFT JOIN without a match).
type bound struct {
	alias string
	t     *table
	row   []any
}

func (e *env) eval(x expr) (any, error) {
	switch v := x.(type) {
	case litExpr:
		return v.v, nil
	case colExpr:
		return e.column(v)
	case varExpr:
		val, ok := e.x.vars[v.name]
		if !ok {
			return nil, fail(msgMustDeclare(v.name))
		}
		return val, nil
	case sysExpr:
		return e.x.sysVar(v.name)
	case negExpr:
		return e.evalNeg(v)
	case notExpr:
		b, err := e.evalBool(v.x)
		if err != nil || b == nil {
			return nil, err
		}
		return !*b, nil
	case binExpr:
		return e.evalBin(v)
	case isNullExpr:
		val, err := e.eval(v.x)
		return (val == nil) != v.not, err
	case inExpr:
		return e.evalIn(v)
	case funcExpr:
		return e.x.call(e, v)
	case castExpr:
		val, err := e.eval(v.x)
		if err != nil {
			return nil, err
		}
		out, err := castTo(val, v.typ)
		if n, ok := out.(numeric); ok && v.prec > 0 && len(strings.TrimLeft(string(n), "-")) > int(v.prec) {
			return nil, fail(sqlMsg{8115, 2, 16, "Arithmetic overflow error converting numeric to data type numeric."})
		}
		return out, err
	}
	return nil, fail(msgUnsupported(fmt.Sprintf("expression %T", x)))
}

// column finds a column of the bound tables.
func (e *env) column(c colExpr) (any, error) {
	var found []any
	hits := 0
	for _, b := range e.tables {
		if c.qual != "" && c.qual != b.alias {
			continue
		}
		i := b.t.index(c.name)
		if i < 0 {
			continue
		}
		hits++
		if b.row == nil {
			found = append(found, nil)
		} else {
			found = append(found, b.row[i])
		}
	}
	switch hits {
	case 0:
		name := c.name
		if c.qual != "" {
			name = c.qual + "." + c.name
		}
		return nil, fail(msgInvalidColumn(name))
	case 1:
		return found[0], nil
	}
	return nil, fail(sqlMsg{209, 1, 16, fmt.Sprintf("Ambiguous column name '%s'.", c.name)})
}

func (e *env) evalBool(x expr) (*bool, error) {
	v, err := e.eval(x)
	if err != nil || v == nil {
		return nil, err
	}
	b, ok := v.(bool)
	if !ok {
		return nil, fail(sqlMsg{4145, 1, 15, "An expression of non-boolean type specified in a context where a condition is expected."})
	}
	return &b, nil
}

func (e *env) evalNeg(v negExpr) (any, error) {
	x, err := e.eval(v.x)
	switch n := x.(type) {
	case int64:
		return -n, err
	case float64:
		return -n, err
	case numeric:
		return numeric(new(big.Int).Neg(toBig(n)).String()), err
	}
	return x, err
}

func (e *env) evalBin(v binExpr) (any, error) {
	if v.op == "AND" || v.op == "OR" {
		return e.evalLogic(v)
	}
	l, err := e.eval(v.l)
	if err != nil {
		return nil, err
	}
	r, err := e.eval(v.r)
	if err != nil {
		return nil, err
	}
	if l == nil || r == nil {
		return nil, nil
	}
	if cmpOps[v.op] {
		c, err := compare(l, r)
		if err != nil {
			return nil, err
		}
		return cmpResult(v.op, c), nil
	}
	if v.op == "LIKE" {
		return like(toText(l), toText(r)), nil
	}
	return arith(v.op, l, r)
}

func (e *env) evalLogic(v binExpr) (any, error) {
	l, err := e.evalBool(v.l)
	if err != nil {
		return nil, err
	}
	r, err := e.evalBool(v.r)
	if err != nil {
		return nil, err
	}
	and := v.op == "AND"
	switch {
	case l != nil && *l != and, r != nil && *r != and:
		return !and, nil // AND with a false, OR with a true
	case l == nil || r == nil:
		return nil, nil
	}
	return and, nil
}

func (e *env) evalIn(v inExpr) (any, error) {
	x, err := e.eval(v.x)
	if err != nil || x == nil {
		return nil, err
	}
	for _, it := range v.list {
		y, err := e.eval(it)
		if err != nil {
			return nil, err
		}
		if y == nil {
			continue
		}
		if c, err := compare(x, y); err != nil {
			return nil, err
		} else if c == 0 {
			return !v.not, nil
		}
	}
	return v.not, nil
}

func cmpResult(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>", "!=":
		return c != 0
	case "<", "!>":
		return c < 0 || op == "!>" && c == 0
	case ">", "!<":
		return c > 0 || op == "!<" && c == 0
	case "<=":
		return c <= 0
	}
	return c >= 0
}

package lab

import (
	"strconv"
	"strings"

	"github.com/failover-dev/failover/internal/tds"
)

// selectStmt is one SELECT (with its UNION partners and ORDER BY).
type selectStmt struct {
	top      expr
	distinct bool
	items    []selItem
	from     []fromItem
	where    expr
	union    *selectStmt
	unionAll bool
	orderBy  []orderItem
}

type selItem struct {
	e     expr
	name  string
	given bool // the name was given with AS or name =
	// assign is the variable of SELECT @v = expr (lower case).
	assign string
}

type fromItem struct {
	name  []string
	alias string
	left  bool
	on    expr
}

type orderItem struct {
	e    expr
	desc bool
}

// table is a virtual table (a system view or msdb table).
type table struct {
	cols []tds.Column
	rows [][]any
}

func (t *table) index(name string) int {
	for i, c := range t.cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// parseSelect parses from the SELECT keyword to the end of the statement.
func (p *parser) parseSelect() (*selectStmt, error) {
	s, err := p.parseSelectCore()
	if err != nil {
		return nil, err
	}
	if p.accept("UNION") {
		s.unionAll = p.accept("ALL")
		if err := p.expect("SELECT"); err != nil {
			return nil, err
		}
		if s.union, err = p.parseSelect(); err != nil {
			return nil, err
		}
		s.orderBy, s.union.orderBy = s.union.orderBy, nil
		return s, nil
	}
	if p.accept("ORDER") {
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		if s.orderBy, err = p.parseOrderBy(); err != nil {
			return nil, err
		}
	}
	if !p.done() {
		if t := p.peek(); t.kind == tWord && unsupportedClauses[strings.ToUpper(t.text)] {
			return nil, fail(msgUnsupported("SELECT … " + strings.ToUpper(t.text)))
		}
		return nil, p.errNear()
	}
	return s, nil
}

// unsupportedClauses are valid T-SQL the lab does not evaluate.
var unsupportedClauses = map[string]bool{"INTO": true, "GROUP": true, "HAVING": true, "OPTION": true,
	"FOR": true, "EXCEPT": true, "INTERSECT": true, "CROSS": true, "RIGHT": true, "FULL": true, "OUTER": true}

func (p *parser) parseSelectCore() (*selectStmt, error) {
	s := &selectStmt{}
	s.distinct = p.accept("DISTINCT")
	if p.accept("TOP") {
		e, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		s.top = e
	}
	for {
		it, err := p.parseSelItem()
		if err != nil {
			return nil, err
		}
		s.items = append(s.items, it)
		if !p.acceptOp(",") {
			break
		}
	}
	if p.accept("FROM") {
		if err := p.parseFrom(s); err != nil {
			return nil, err
		}
	}
	if p.accept("WHERE") {
		w, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		s.where = w
	}
	return s, nil
}

func (p *parser) parseSelItem() (selItem, error) {
	if p.peek().isOp("*") {
		return selItem{}, fail(msgSelectStar("*"))
	}
	t := p.peek()
	if (t.kind == tWord || t.kind == tQuoted) && p.peekAt(1).isOp(".") && p.peekAt(2).isOp("*") {
		return selItem{}, fail(msgSelectStar(t.text + ".*"))
	}
	if t.kind == tVar && p.peekAt(1).isOp("=") {
		p.i += 2
		e, err := p.parseExpr()
		return selItem{e: e, assign: strings.ToLower(t.text)}, err
	}
	if (t.kind == tWord || t.kind == tQuoted || t.kind == tString) && p.peekAt(1).isOp("=") && !t.is("NULL") {
		p.i += 2
		e, err := p.parseExpr()
		return selItem{e: e, name: t.text, given: true}, err
	}
	e, err := p.parseExpr()
	if err != nil {
		return selItem{}, err
	}
	it := selItem{e: e, name: exprName(e)}
	if p.accept("AS") || p.peek().kind == tQuoted || p.peek().kind == tString ||
		p.peek().kind == tWord && !isClauseWord(p.peek()) {
		n := p.next()
		if n.kind != tWord && n.kind != tQuoted && n.kind != tString {
			return selItem{}, fail(msgSyntax(n.text))
		}
		it.name, it.given = n.text, true
	}
	return it, nil
}

// isClauseWord reports whether t ends a select item rather than naming it.
func isClauseWord(t token) bool {
	switch strings.ToUpper(t.text) {
	case "FROM", "WHERE", "ORDER", "UNION", "GROUP", "HAVING", "INTO", "OPTION":
		return true
	}
	return false
}

// exprName is the column name SQL Server gives an unnamed expression.
func exprName(e expr) string {
	if c, ok := e.(colExpr); ok {
		return c.name
	}
	return ""
}

func (p *parser) parseFrom(s *selectStmt) error {
	first, err := p.parseTableRef()
	if err != nil {
		return err
	}
	s.from = append(s.from, first)
	for {
		left := false
		switch {
		case p.accept("LEFT"):
			p.accept("OUTER")
			left = true
		case p.accept("INNER"):
		case p.acceptOp(","):
			t, err := p.parseTableRef()
			if err != nil {
				return err
			}
			s.from = append(s.from, t)
			continue
		case !p.peek().is("JOIN"):
			return nil
		}
		if err := p.expect("JOIN"); err != nil {
			return err
		}
		t, err := p.parseTableRef()
		if err != nil {
			return err
		}
		if err := p.expect("ON"); err != nil {
			return err
		}
		if t.on, err = p.parseExpr(); err != nil {
			return err
		}
		t.left = left
		s.from = append(s.from, t)
	}
}

func (p *parser) parseTableRef() (fromItem, error) {
	name, err := p.multipartName()
	if err != nil {
		return fromItem{}, err
	}
	f := fromItem{name: name, alias: strings.ToLower(name[len(name)-1])}
	if p.accept("AS") || p.peek().kind == tQuoted || p.peek().kind == tWord && !isJoinWord(p.peek()) {
		a, err := p.ident()
		if err != nil {
			return fromItem{}, err
		}
		f.alias = strings.ToLower(a)
	}
	if p.accept("WITH") { // table hints such as WITH (NOLOCK)
		if err := p.skipParens(); err != nil {
			return fromItem{}, err
		}
	}
	return f, nil
}

func isJoinWord(t token) bool {
	switch strings.ToUpper(t.text) {
	case "JOIN", "LEFT", "INNER", "ON", "WHERE", "ORDER", "UNION", "CROSS", "RIGHT", "FULL", "GROUP", "OUTER", "WITH", "OPTION":
		return true
	}
	return false
}

func (p *parser) skipParens() error {
	if err := p.expectOp("("); err != nil {
		return err
	}
	for depth := 1; depth > 0; {
		t := p.next()
		switch {
		case t.kind == tEOF:
			return p.errNear()
		case t.isOp("("):
			depth++
		case t.isOp(")"):
			depth--
		}
	}
	return nil
}

func (p *parser) parseOrderBy() ([]orderItem, error) {
	var out []orderItem
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		it := orderItem{e: e}
		if p.accept("DESC") {
			it.desc = true
		} else {
			p.accept("ASC")
		}
		out = append(out, it)
		if !p.acceptOp(",") {
			return out, nil
		}
	}
}

// outRow is a result row with what ORDER BY may need.
type outRow struct {
	vals []any
	keys []any
}

// run executes the SELECT and returns its result set.
func (s *selectStmt) run(x *stmtCtx) (tds.ResultSet, error) {
	cols, rows, err := s.rows(x)
	if err != nil {
		return tds.ResultSet{}, err
	}
	rs := tds.ResultSet{Columns: cols}
	for _, r := range rows {
		rs.Rows = append(rs.Rows, wireRow(r.vals))
	}
	return rs, nil
}

// rows executes the SELECT with its UNION partners and ORDER BY.
func (s *selectStmt) rows(x *stmtCtx) ([]tds.Column, []outRow, error) {
	cols, rows, err := s.runCore(x)
	if err != nil {
		return nil, nil, err
	}
	for u, all := s.union, s.unionAll; u != nil; u, all = u.union, u.unionAll {
		ucols, urows, err := u.runCore(x)
		if err != nil {
			return nil, nil, err
		}
		if len(ucols) != len(cols) {
			return nil, nil, fail(sqlMsg{205, 1, 16, "All queries combined using a UNION, INTERSECT or EXCEPT operator must have an equal number of expressions in their target lists."})
		}
		rows = append(rows, urows...)
		if !all {
			rows = distinctRows(rows)
		}
	}
	if err := s.sortRows(cols, rows); err != nil {
		return nil, nil, err
	}
	return cols, rows, nil
}

// topCount evaluates TOP (n); -1 means no limit.
func (s *selectStmt) topCount(x *stmtCtx) (int, error) {
	if s.top == nil {
		return -1, nil
	}
	v, err := (&env{x: x}).eval(s.top)
	if err != nil {
		return 0, err
	}
	n, err := castTo(v, "int")
	if err != nil || n == nil {
		return 0, fail(msgSyntax("TOP"))
	}
	return int(n.(int64)), nil
}

func itoa(n int) string { return strconv.Itoa(n) }

package lab

import (
	"strconv"
	"strings"
)

// Expressions of the small T-SQL subset the lab evaluates.
type (
	expr    interface{}
	litExpr struct{ v any }
	colExpr struct{ qual, name string }
	varExpr struct{ name string }
	sysExpr struct{ name string }
	negExpr struct{ x expr }
	notExpr struct{ x expr }
	binExpr struct {
		op   string
		l, r expr
	}
	isNullExpr struct {
		x   expr
		not bool
	}
	inExpr struct {
		x    expr
		list []expr
		not  bool
	}
	funcExpr struct {
		name string
		args []expr
		star bool
	}
	castExpr struct {
		x   expr
		typ string
		// prec is the precision of numeric(p, s) (0: not given).
		prec uint8
	}
)

// parser walks the tokens of one statement.
type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return token{kind: tEOF}
}

func (p *parser) peekAt(off int) token {
	if p.i+off < len(p.toks) {
		return p.toks[p.i+off]
	}
	return token{kind: tEOF}
}

func (p *parser) next() token {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

// accept consumes the keyword kw if it is next.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptOp(op string) bool {
	if p.peek().isOp(op) {
		p.i++
		return true
	}
	return false
}

// errNear is the syntax error at the current token.
func (p *parser) errNear() *sqlError {
	t := p.peek()
	if t.kind == tEOF {
		if len(p.toks) == 0 {
			return fail(msgSyntax(""))
		}
		t = p.toks[len(p.toks)-1]
	}
	return fail(msgSyntax(t.text))
}

func (p *parser) expect(kw string) error {
	if !p.accept(kw) {
		return p.errNear()
	}
	return nil
}

func (p *parser) expectOp(op string) error {
	if !p.acceptOp(op) {
		return p.errNear()
	}
	return nil
}

// ident reads an identifier (word or quoted).
func (p *parser) ident() (string, error) {
	t := p.peek()
	if t.kind != tWord && t.kind != tQuoted {
		return "", p.errNear()
	}
	p.i++
	return t.text, nil
}

// multipartName reads a.b.c (empty parts allowed: msdb..sysjobs).
func (p *parser) multipartName() ([]string, error) {
	first, err := p.ident()
	if err != nil {
		return nil, err
	}
	parts := []string{first}
	for p.peek().isOp(".") {
		p.i++
		if p.peek().isOp(".") {
			parts = append(parts, "")
			continue
		}
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
	}
	return parts, nil
}

// parseExpr parses an expression with T-SQL precedence.
func (p *parser) parseExpr() (expr, error) { return p.parseOr() }

func (p *parser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	for err == nil && p.accept("OR") {
		var r expr
		r, err = p.parseAnd()
		l = binExpr{"OR", l, r}
	}
	return l, err
}

func (p *parser) parseAnd() (expr, error) {
	l, err := p.parseNot()
	for err == nil && p.accept("AND") {
		var r expr
		r, err = p.parseNot()
		l = binExpr{"AND", l, r}
	}
	return l, err
}

func (p *parser) parseNot() (expr, error) {
	if p.accept("NOT") {
		x, err := p.parseNot()
		return notExpr{x}, err
	}
	return p.parseCmp()
}

func (p *parser) parseCmp() (expr, error) {
	l, err := p.parseAdd()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tOp && cmpOps[t.text]:
		p.i++
		r, err := p.parseAdd()
		return binExpr{t.text, l, r}, err
	case t.is("IS"):
		p.i++
		not := p.accept("NOT")
		return isNullExpr{l, not}, p.expect("NULL")
	case t.is("NOT") && (p.peekAt(1).is("IN") || p.peekAt(1).is("LIKE")):
		p.i++
		x, err := p.parseCmpTail(l)
		return notExpr{x}, err
	case t.is("IN") || t.is("LIKE"):
		return p.parseCmpTail(l)
	}
	return l, nil
}

// cmpOps are the comparison operators.
var cmpOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true, "!<": true, "!>": true}

// parseCmpTail parses IN (…) or LIKE pattern after l.
func (p *parser) parseCmpTail(l expr) (expr, error) {
	if p.accept("LIKE") {
		r, err := p.parseAdd()
		return binExpr{"LIKE", l, r}, err
	}
	p.next() // IN
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	list, err := p.exprList()
	if err != nil {
		return nil, err
	}
	return inExpr{x: l, list: list}, p.expectOp(")")
}

func (p *parser) exprList() ([]expr, error) {
	var list []expr
	for {
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if !p.acceptOp(",") {
			return list, nil
		}
	}
}

func (p *parser) parseAdd() (expr, error) {
	l, err := p.parseMul()
	for err == nil && (p.peek().isOp("+") || p.peek().isOp("-")) {
		op := p.next().text
		var r expr
		r, err = p.parseMul()
		l = binExpr{op, l, r}
	}
	return l, err
}

func (p *parser) parseMul() (expr, error) {
	l, err := p.parseUnary()
	for err == nil && (p.peek().isOp("*") || p.peek().isOp("/") || p.peek().isOp("%")) {
		op := p.next().text
		var r expr
		r, err = p.parseUnary()
		l = binExpr{op, l, r}
	}
	return l, err
}

func (p *parser) parseUnary() (expr, error) {
	if p.acceptOp("-") {
		x, err := p.parseUnary()
		return negExpr{x}, err
	}
	if p.acceptOp("+") {
		return p.parseUnary()
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (expr, error) {
	t := p.peek()
	switch t.kind {
	case tString:
		p.i++
		return litExpr{t.text}, nil
	case tNumber:
		p.i++
		return parseNumber(t.text)
	case tVar:
		p.i++
		return varExpr{strings.ToLower(t.text)}, nil
	case tSysVar:
		p.i++
		return sysExpr{strings.ToUpper(t.text)}, nil
	case tOp:
		if p.acceptOp("(") {
			if p.peek().is("SELECT") {
				return nil, fail(msgUnsupported("a sub-query"))
			}
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			return e, p.expectOp(")")
		}
		return nil, p.errNear()
	case tWord, tQuoted:
		return p.parseNamed()
	}
	return nil, p.errNear()
}

func parseNumber(s string) (expr, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return nil, fail(msgUnsupported("a binary literal (" + s + ")"))
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fail(msgSyntax(s))
		}
		return litExpr{f}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return litExpr{numeric(strings.TrimLeft(s, "0"))}, nil
	}
	return litExpr{n}, nil
}

// parseNamed parses NULL, a function call, CAST or a column reference.
func (p *parser) parseNamed() (expr, error) {
	t := p.peek()
	if t.is("NULL") {
		p.i++
		return litExpr{nil}, nil
	}
	if t.is("CASE") || t.is("EXISTS") {
		return nil, fail(msgUnsupported(strings.ToUpper(t.text) + " expressions"))
	}
	if t.kind == tWord && p.peekAt(1).isOp("(") {
		p.i += 2
		return p.parseCall(strings.ToUpper(t.text))
	}
	parts, err := p.multipartName()
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		return colExpr{name: strings.ToLower(parts[0])}, nil
	}
	return colExpr{qual: strings.ToLower(parts[len(parts)-2]), name: strings.ToLower(parts[len(parts)-1])}, nil
}

// parseCall parses the arguments of name( … ).
func (p *parser) parseCall(name string) (expr, error) {
	if name == "CAST" || name == "CONVERT" {
		return p.parseCast(name)
	}
	if p.acceptOp(")") {
		return funcExpr{name: name}, nil
	}
	if p.acceptOp("*") {
		return funcExpr{name: name, star: true}, p.expectOp(")")
	}
	args, err := p.exprList()
	if err != nil {
		return nil, err
	}
	return funcExpr{name: name, args: args}, p.expectOp(")")
}

package lab

import (
	"strconv"
	"strings"
)

// parseCast parses CAST(x AS type) and CONVERT(type, x).
func (p *parser) parseCast(name string) (expr, error) {
	if name == "CONVERT" {
		typ, prec, err := p.parseTypeSpec()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(","); err != nil {
			return nil, err
		}
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		return castExpr{x, typ, prec}, p.expectOp(")")
	}
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if err := p.expect("AS"); err != nil {
		return nil, err
	}
	typ, prec, err := p.parseTypeSpec()
	if err != nil {
		return nil, err
	}
	return castExpr{x, typ, prec}, p.expectOp(")")
}

// parseTypeName reads a type like int, nvarchar(11), nvarchar(max),
// numeric(25,0); the size is ignored.
func (p *parser) parseTypeName() (string, error) {
	name, _, err := p.parseTypeSpec()
	return name, err
}

// parseTypeSpec reads a type and, for numeric(p[, s]), its precision p
// (the result column's precision; the lab's numbers keep no scale).
func (p *parser) parseTypeSpec() (string, uint8, error) {
	name, err := p.ident()
	if err != nil {
		return "", 0, err
	}
	var prec uint8
	if p.acceptOp("(") {
		if t := p.peek(); t.kind == tNumber {
			if n, err := strconv.Atoi(t.text); err == nil && n > 0 && n <= 38 {
				prec = uint8(n)
			}
		}
		for !p.done() && !p.peek().isOp(")") {
			p.i++
		}
		if err := p.expectOp(")"); err != nil {
			return "", 0, err
		}
	}
	return strings.ToLower(name), prec, nil
}

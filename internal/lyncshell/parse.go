package lyncshell

import (
	"fmt"
	"strconv"
	"strings"
)

// The syntax tree of the subset. A script is statements; a statement is
// an assignment, exit, or a pipeline; a pipeline's first element is a
// command or an expression, the others commands.
type (
	stmt struct {
		assign string // $name = …
		exit   bool
		pipe   *pipeline
		at     token
	}
	pipeline struct{ elems []element }
	element  struct {
		cmd  *cmdCall
		expr node
	}
	cmdCall struct {
		name string
		args []cmdArg
		at   token
	}
	// cmdArg is a parameter name (value nil unless -Name:value) or a
	// value.
	cmdArg struct {
		param    string
		colon    bool
		value    node
		isParam  bool
		at       token
		rawParam string
	}
	node any
	lit  struct{ v any }
	vari struct {
		name string
		at   token
	}
	member struct {
		x    node
		name string
	}
	paren     struct{ p *pipeline }
	arrayExpr struct{ stmts []stmt }
	listExpr  struct{ items []node }
	hashExpr  struct {
		keys []string
		vals []node
	}
)

// parser reads tokens into statements.
type parser struct {
	toks []token
	pos  int
}

func parse(src string) ([]stmt, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	stmts, err := p.statements(tEOF)
	if err != nil {
		return nil, err
	}
	return stmts, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) take() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return &parseError{line: t.line, col: t.col, msg: fmt.Sprintf(format, args...)}
}

// statements reads statements up to end (not consumed).
func (p *parser) statements(end tokKind) ([]stmt, error) {
	var out []stmt
	for {
		for p.peek().kind == tNewline {
			p.take()
		}
		t := p.peek()
		if t.kind == end {
			return out, nil
		}
		if t.kind == tEOF {
			return nil, p.errorf(t, "Missing closing ')' in expression.")
		}
		s, err := p.statement()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		if k := p.peek().kind; k != tNewline && k != end && k != tEOF {
			return nil, p.errorf(p.peek(), "Unexpected token '%s' in expression or statement.", p.peek().text)
		}
	}
}

func (p *parser) statement() (stmt, error) {
	t := p.peek()
	s := stmt{at: t}
	if t.kind == tWord && strings.EqualFold(t.text, "exit") {
		p.take()
		s.exit = true
		if k := p.peek().kind; k != tNewline && k != tEOF && k != tRParen {
			pl, err := p.pipeline()
			s.pipe = pl
			return s, err
		}
		return s, nil
	}
	if t.kind == tVariable && p.toks[p.pos+1].kind == tAssign {
		p.take()
		p.take()
		s.assign = t.text
	}
	pl, err := p.pipeline()
	s.pipe = pl
	return s, err
}

func (p *parser) pipeline() (*pipeline, error) {
	pl := &pipeline{}
	for {
		e, err := p.element(len(pl.elems) == 0)
		if err != nil {
			return nil, err
		}
		pl.elems = append(pl.elems, e)
		if p.peek().kind != tPipe {
			return pl, nil
		}
		p.take()
		for p.peek().kind == tNewline {
			p.take()
		}
	}
}

func (p *parser) element(first bool) (element, error) {
	t := p.peek()
	if t.kind == tWord {
		return p.command()
	}
	if !first {
		return element{}, p.errorf(t, "Expressions are only allowed as the first element of a pipeline.")
	}
	x, err := p.value(false)
	return element{expr: x}, err
}

func (p *parser) command() (element, error) {
	t := p.take()
	c := &cmdCall{name: t.text, at: t}
	for {
		a := p.peek()
		switch a.kind {
		case tNewline, tPipe, tRParen, tRBrace, tEOF:
			return element{cmd: c}, nil
		case tParam:
			p.take()
			arg := cmdArg{param: a.text, colon: a.colon, isParam: true, at: a}
			if a.colon {
				v, err := p.value(true)
				if err != nil {
					return element{}, err
				}
				arg.value = v
			}
			c.args = append(c.args, arg)
		default:
			v, err := p.value(true)
			if err != nil {
				return element{}, err
			}
			c.args = append(c.args, cmdArg{value: v, at: a})
		}
	}
}

// value reads a value with comma lists; words are text in argument mode.
func (p *parser) value(argMode bool) (node, error) {
	first, err := p.primary(argMode)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tComma {
		return first, nil
	}
	l := &listExpr{items: []node{first}}
	for p.peek().kind == tComma {
		p.take()
		for p.peek().kind == tNewline {
			p.take()
		}
		x, err := p.primary(argMode)
		if err != nil {
			return nil, err
		}
		l.items = append(l.items, x)
	}
	return l, nil
}

func (p *parser) primary(argMode bool) (node, error) {
	t := p.take()
	var x node
	switch t.kind {
	case tString:
		x = lit{t.text}
	case tNumber:
		n, _ := parseNumber(t.text)
		x = lit{n}
	case tWord:
		if !argMode {
			return nil, p.errorf(t, "Unexpected token '%s' in expression or statement.", t.text)
		}
		if n, ok := parseNumber(t.text); ok {
			x = lit{n}
		} else {
			x = lit{t.text}
		}
	case tVariable:
		switch strings.ToLower(t.text) {
		case "true":
			x = lit{true}
		case "false":
			x = lit{false}
		case "null":
			x = lit{nil}
		default:
			x = vari{name: t.text, at: t}
		}
	case tLParen:
		pl, err := p.pipeline()
		if err != nil {
			return nil, err
		}
		if p.take().kind != tRParen {
			return nil, p.errorf(t, "Missing closing ')' in expression.")
		}
		x = paren{pl}
	case tArrayOpen:
		stmts, err := p.statements(tRParen)
		if err != nil {
			return nil, err
		}
		p.take()
		x = arrayExpr{stmts}
	case tHashOpen:
		h, err := p.hash(t)
		if err != nil {
			return nil, err
		}
		x = h
	default:
		return nil, p.errorf(t, "You must provide a value expression following this point.")
	}
	for p.peek().kind == tDot {
		p.take()
		m := p.take()
		if m.kind != tWord && m.kind != tString {
			return nil, p.errorf(m, "Missing property name after reference operator.")
		}
		x = member{x: x, name: m.text}
	}
	return x, nil
}

// hash reads @{ key = value; … }.
func (p *parser) hash(open token) (node, error) {
	h := hashExpr{}
	for {
		for p.peek().kind == tNewline {
			p.take()
		}
		k := p.take()
		switch k.kind {
		case tRBrace:
			return h, nil
		case tWord, tString:
		default:
			return nil, p.errorf(k, "Missing key before '=' in hash literal.")
		}
		if p.take().kind != tAssign {
			return nil, p.errorf(k, "Missing '=' operator after key in hash literal.")
		}
		v, err := p.value(false)
		if err != nil {
			return nil, err
		}
		h.keys, h.vals = append(h.keys, k.text), append(h.vals, v)
	}
}

// parseNumber reads an integer (int64) or a real (float64) literal.
func parseNumber(s string) (any, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if strings.ContainsAny(s, ".eE") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, true
		}
	}
	return nil, false
}

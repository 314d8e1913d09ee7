package lyncshell

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/failover-dev/failover/internal/pswrap"
)

// tokKind is the kind of a token of the shell's small PowerShell subset.
type tokKind int

const (
	tEOF       tokKind = iota
	tNewline           // a line end or ;
	tPipe              // |
	tComma             // ,
	tAssign            // =
	tDot               // . right after a value
	tLParen            // (
	tRParen            // )
	tArrayOpen         // @(
	tHashOpen          // @{
	tRBrace            // }
	tString            // a quoted string (text: its value)
	tNumber            // text: as written
	tVariable          // $name (text: name)
	tParam             // -Name or -Name: (text: name; colon set)
	tWord              // a bare word (command name or argument)
)

// token is one token with its position (1-based line and column).
type token struct {
	kind  tokKind
	text  string
	colon bool // a parameter written -Name:value
	line  int
	col   int
}

// punctuation are the one-character tokens.
var punctuation = map[rune]tokKind{
	'\n': tNewline, ';': tNewline, '|': tPipe, ',': tComma, '=': tAssign,
	'(': tLParen, ')': tRParen, '}': tRBrace,
}

// lexer splits a script into tokens.
type lexer struct {
	src  []rune
	pos  int
	line int
	col  int
}

// lex returns the tokens of src, or a parse error PowerShell-like.
func lex(src string) ([]token, error) {
	l := &lexer{src: []rune(src), line: 1, col: 1}
	var out []token
	for {
		t, err := l.next(out)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.kind == tEOF {
			return out, nil
		}
	}
}

func (l *lexer) peek(off int) rune {
	if l.pos+off < len(l.src) {
		return l.src[l.pos+off]
	}
	return 0
}

func (l *lexer) advance() rune {
	r := l.src[l.pos]
	l.pos++
	if r == '\n' {
		l.line, l.col = l.line+1, 1
	} else {
		l.col++
	}
	return r
}

// errorf is a ParseException at the lexer's position.
func (l *lexer) errorf(format string, args ...any) error {
	return &parseError{line: l.line, col: l.col, msg: fmt.Sprintf(format, args...)}
}

// next reads one token; prev tells whether a '.' follows a value.
func (l *lexer) next(prev []token) (token, error) {
	l.skipSpace()
	t := token{line: l.line, col: l.col}
	if l.pos >= len(l.src) {
		t.kind = tEOF
		return t, nil
	}
	r := l.peek(0)
	if k, ok := punctuation[r]; ok {
		l.advance()
		t.kind = k
		return t, nil
	}
	switch {
	case r == '{':
		return t, l.errorf("the failover lab's Management Shell does not support script blocks ({ … })")
	case r == '@' && l.peek(1) == '(':
		l.advance()
		l.advance()
		t.kind = tArrayOpen
	case r == '@' && l.peek(1) == '{':
		l.advance()
		l.advance()
		t.kind = tHashOpen
	case r == '@' && (l.peek(1) == '\'' || l.peek(1) == '"'):
		return t, l.errorf("the failover lab's Management Shell does not support here-strings (@' … '@)")
	case r == '.' && len(prev) > 0 && endsValue(prev[len(prev)-1]) && !l.spaceBefore():
		l.advance()
		t.kind = tDot
	case pswrap.IsSingleQuote(r):
		s, err := l.single()
		t.kind, t.text = tString, s
		return t, err
	case isDoubleQuote(r):
		s, err := l.double()
		t.kind, t.text = tString, s
		return t, err
	case r == '$':
		return l.variable(t)
	case pswrap.IsDash(r) && isNameStart(l.peek(1)) && !afterDot(prev):
		l.advance()
		name := l.word(func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' })
		t.kind, t.text = tParam, name
		if l.peek(0) == ':' {
			l.advance()
			t.colon = true
		}
	case unicode.IsDigit(r) || (r == '-' || r == '.') && unicode.IsDigit(l.peek(1)):
		t.kind, t.text = tNumber, l.word(isNumberChar)
		if !isNumber(t.text) {
			t.kind = tWord
		}
	default:
		t.kind, t.text = tWord, l.word(isWordChar)
		if t.text == "" {
			return t, l.errorf("unexpected character %q", r)
		}
	}
	return t, nil
}

func (l *lexer) spaceBefore() bool {
	return l.pos > 0 && unicode.IsSpace(l.src[l.pos-1])
}

func afterDot(prev []token) bool {
	return len(prev) > 0 && prev[len(prev)-1].kind == tDot
}

// endsValue reports whether a '.' right after t is member access.
func endsValue(t token) bool {
	return t.kind == tRParen || t.kind == tVariable || t.kind == tString
}

func isNameStart(r rune) bool { return unicode.IsLetter(r) || r == '_' }

func isNumberChar(r rune) bool {
	return unicode.IsDigit(r) || strings.ContainsRune(".eE+-", r)
}

func isNumber(s string) bool {
	_, ok := parseNumber(s)
	return ok
}

func isWordChar(r rune) bool {
	return !unicode.IsSpace(r) && !strings.ContainsRune("|;,=(){}'\"`$\u2018\u2019\u201a\u201b\u201c\u201d\u201e", r)
}

// word reads the runes ok accepts. A word keeps its dots (FQDNs,
// Microsoft.X); a variable name stops at one (member access).
func (l *lexer) word(ok func(rune) bool) string {
	start := l.pos
	for l.pos < len(l.src) && ok(l.src[l.pos]) {
		l.advance()
	}
	return string(l.src[start:l.pos])
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		r := l.src[l.pos]
		switch {
		case r == '\n':
			return
		case r == '`' && l.peek(1) == '\n': // line continuation
			l.advance()
			l.advance()
		case unicode.IsSpace(r):
			l.advance()
		case r == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance()
			}
		case r == '<' && l.peek(1) == '#':
			for l.pos < len(l.src) && !(l.src[l.pos] == '#' && l.peek(1) == '>') {
				l.advance()
			}
			if l.pos < len(l.src) {
				l.advance()
				l.advance()
			}
		default:
			return
		}
	}
}

// single reads a single-quoted string: verbatim, any single-quote
// character doubled for itself (pswrap.Quote's rule).
func (l *lexer) single() (string, error) {
	line, col := l.line, l.col
	l.advance()
	var b strings.Builder
	for l.pos < len(l.src) {
		r := l.advance()
		if pswrap.IsSingleQuote(r) {
			if l.pos < len(l.src) && pswrap.IsSingleQuote(l.peek(0)) {
				b.WriteRune(l.advance())
				continue
			}
			return b.String(), nil
		}
		b.WriteRune(r)
	}
	return "", &parseError{line: line, col: col, msg: "The string is missing the terminator: '."}
}

// doubleQuotes are the characters PowerShell takes for a double quote.
const doubleQuotes = "\"\u201c\u201d\u201e"

func isDoubleQuote(r rune) bool { return strings.ContainsRune(doubleQuotes, r) }

// double reads a double-quoted string; the shell does not expand, so
// one that would ($, backtick) is refused rather than taken literally.
func (l *lexer) double() (string, error) {
	line, col := l.line, l.col
	l.advance()
	var b strings.Builder
	for l.pos < len(l.src) {
		r := l.advance()
		switch {
		case isDoubleQuote(r):
			if l.pos < len(l.src) && isDoubleQuote(l.peek(0)) {
				b.WriteRune(l.advance())
				continue
			}
			return b.String(), nil
		case r == '$' || r == '`':
			return "", &parseError{line: l.line, col: l.col - 1, msg: fmt.Sprintf("the failover lab's Management Shell does not expand double-quoted strings (%q): use single quotes", string(r))}
		}
		b.WriteRune(r)
	}
	return "", &parseError{line: line, col: col, msg: `The string is missing the terminator: ".`}
}

// variable reads $name, $true, $false, $null; $(…) and ${…} are refused.
func (l *lexer) variable(t token) (token, error) {
	l.advance()
	switch l.peek(0) {
	case '(':
		return t, l.errorf("the failover lab's Management Shell does not support subexpressions ($(…))")
	case '{':
		return t, l.errorf("the failover lab's Management Shell does not support ${…} variables")
	}
	name := l.word(func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == ':' })
	if name == "" {
		return t, l.errorf("a variable name must follow $")
	}
	t.kind, t.text = tVariable, name
	return t, nil
}

package lab

import (
	"strings"
	"unicode"
)

// tokKind is the kind of a T-SQL token.
type tokKind int

const (
	tEOF    tokKind = iota
	tWord           // an unquoted identifier or keyword
	tQuoted         // a [bracketed] or "quoted" identifier
	tString         // '…' or N'…'
	tNumber         // 123, 1.5
	tVar            // @name
	tSysVar         // @@name
	tOp             // punctuation and operators
)

// token is one lexed token. Text is the identifier (without quoting), the
// string's value (quotes undone) or the operator.
type token struct {
	kind tokKind
	text string
	// lineStart is true for the first token on its line.
	lineStart bool
	// pos and end are the rune offsets of the token in the batch.
	pos, end int
}

// is reports whether t is the unquoted keyword kw (upper case).
func (t token) is(kw string) bool {
	return t.kind == tWord && strings.EqualFold(t.text, kw)
}

// isOp reports whether t is the operator op.
func (t token) isOp(op string) bool { return t.kind == tOp && t.text == op }

// lexError is a T-SQL syntax error found while lexing.
type lexError struct{ msg sqlMsg }

func (e *lexError) Error() string { return e.msg.Text }

// lex splits T-SQL into tokens, dropping comments (-- and nested /* */).
func lex(src string) ([]token, error) {
	l := &lexer{src: []rune(src), lineStart: true}
	var out []token
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tEOF {
			return out, nil
		}
		out = append(out, t)
	}
}

type lexer struct {
	src       []rune
	i         int
	lineStart bool
}

func (l *lexer) peek(off int) rune {
	if l.i+off < len(l.src) {
		return l.src[l.i+off]
	}
	return 0
}

// skipSpace skips blanks and comments, noting line breaks.
func (l *lexer) skipSpace() error {
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\n':
			l.lineStart = true
			l.i++
		case unicode.IsSpace(c):
			l.i++
		case c == '-' && l.peek(1) == '-':
			for l.i < len(l.src) && l.src[l.i] != '\n' {
				l.i++
			}
		case c == '/' && l.peek(1) == '*':
			if err := l.skipBlockComment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// skipBlockComment skips a /* */ comment; T-SQL nests them.
func (l *lexer) skipBlockComment() error {
	depth := 0
	for l.i < len(l.src) {
		switch {
		case l.src[l.i] == '/' && l.peek(1) == '*':
			depth++
			l.i += 2
		case l.src[l.i] == '*' && l.peek(1) == '/':
			depth--
			l.i += 2
			if depth == 0 {
				return nil
			}
		default:
			if l.src[l.i] == '\n' {
				l.lineStart = true
			}
			l.i++
		}
	}
	return &lexError{msgMissingEndComment()}
}

func (l *lexer) next() (token, error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	if l.i >= len(l.src) {
		return token{kind: tEOF}, nil
	}
	start := l.i
	t, err := l.scan()
	t.lineStart, t.pos, t.end = l.lineStart, start, l.i
	l.lineStart = false
	return t, err
}

func (l *lexer) scan() (token, error) {
	c := l.src[l.i]
	switch {
	case (c == 'N' || c == 'n') && l.peek(1) == '\'':
		l.i++
		return l.quoted('\'', '\'', tString)
	case c == '\'':
		return l.quoted('\'', '\'', tString)
	case c == '[':
		return l.quoted('[', ']', tQuoted)
	case c == '"':
		return l.quoted('"', '"', tQuoted)
	case c == '@' && l.peek(1) == '@':
		l.i += 2
		return token{kind: tSysVar, text: l.word()}, nil
	case c == '@':
		l.i++
		return token{kind: tVar, text: "@" + l.word()}, nil
	case unicode.IsDigit(c) || c == '.' && unicode.IsDigit(l.peek(1)):
		return token{kind: tNumber, text: l.number()}, nil
	case isIdentStart(c):
		return token{kind: tWord, text: l.word()}, nil
	}
	for _, op := range []string{"<>", "!=", "<=", ">=", "!<", "!>"} {
		if string(c) == op[:1] && l.peek(1) == rune(op[1]) {
			l.i += 2
			return token{kind: tOp, text: op}, nil
		}
	}
	l.i++
	return token{kind: tOp, text: string(c)}, nil
}

func isIdentStart(c rune) bool { return c == '_' || c == '#' || unicode.IsLetter(c) }

func (l *lexer) word() string {
	start := l.i
	for l.i < len(l.src) {
		c := l.src[l.i]
		if !(isIdentStart(c) || unicode.IsDigit(c) || c == '$' || c == '@') {
			break
		}
		l.i++
	}
	return string(l.src[start:l.i])
}

// number reads 123, 1.5, 1.5E3 or a binary literal 0x1F (whose letters
// would otherwise read as a column alias: SELECT 0x01 is not SELECT 0 x01).
func (l *lexer) number() string {
	start := l.i
	if l.src[l.i] == '0' && (l.peek(1) == 'x' || l.peek(1) == 'X') {
		l.i += 2
		for l.i < len(l.src) && strings.ContainsRune("0123456789abcdefABCDEF", l.src[l.i]) {
			l.i++
		}
		return string(l.src[start:l.i])
	}
	for l.i < len(l.src) && (unicode.IsDigit(l.src[l.i]) || l.src[l.i] == '.') {
		l.i++
	}
	if c := l.peek(0); c == 'e' || c == 'E' {
		n := 1
		if s := l.peek(1); s == '+' || s == '-' {
			n = 2
		}
		if unicode.IsDigit(l.peek(n)) {
			l.i += n
			for l.i < len(l.src) && unicode.IsDigit(l.src[l.i]) {
				l.i++
			}
		}
	}
	return string(l.src[start:l.i])
}

// quoted reads a literal or identifier between open and close; a doubled
// close character stands for itself.
func (l *lexer) quoted(open, close rune, kind tokKind) (token, error) {
	l.i++ // the opening quote
	var b strings.Builder
	start := l.i
	for l.i < len(l.src) {
		c := l.src[l.i]
		if c == close {
			if l.peek(1) == close {
				b.WriteRune(c)
				l.i += 2
				continue
			}
			l.i++
			return token{kind: kind, text: b.String()}, nil
		}
		b.WriteRune(c)
		l.i++
	}
	rest := string(l.src[start:])
	if kind == tString {
		return token{}, &lexError{msgUnclosedQuote(rest)}
	}
	return token{}, &lexError{msgUnclosedIdent(rest)}
}

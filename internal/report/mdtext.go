package report

import (
	"strings"
	"unicode"
)

// text is s as Markdown text on one line: the characters that would
// start Markdown or HTML in text written by people or programs (notes,
// host names, DOMAIN\user) are escaped. A backslash is escaped only
// before punctuation, where Markdown would take it as an escape
// (D:\LogShip stays as it is); an underscore is left alone: GitHub does
// not emphasise inside words, and file names are full of them.
func text(s string) string {
	s = collapse(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (i+1 == len(s) || isASCIIPunct(s[i+1])):
			b.WriteString(`\\`)
		case strings.IndexByte("`*<[|", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isASCIIPunct reports whether Markdown lets a backslash escape c.
func isASCIIPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// code is s as an inline code span on one line: the fence is a run of
// backticks longer than any in s.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// cellCode is code for a table cell: a pipe would end the cell, even in
// a code span, unless escaped (GitHub then shows it plain).
func cellCode(s string) string {
	return strings.ReplaceAll(code(s), "|", `\|`)
}

// fenced is s as a fenced code block: the fence is longer than any run
// of backticks in s.
func fenced(s, lang string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// row writes a table row of cells already escaped.
func row(cells ...string) string {
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// header writes a table's header row and its separator.
func header(cells ...string) string {
	sep := make([]string, len(cells))
	for i := range sep {
		sep[i] = "---"
	}
	return row(cells...) + row(sep...)
}

// mdPieces writes a sentence; cell says it goes in a table cell.
func mdPieces(ps []Piece, cell bool) string {
	var b strings.Builder
	for _, p := range ps {
		switch {
		case !p.Code:
			b.WriteString(text(p.Text))
		case cell:
			b.WriteString(cellCode(p.Text))
		default:
			b.WriteString(code(p.Text))
		}
	}
	return b.String()
}

// mdEvent writes an event of the timeline.
func mdEvent(e Event, cell bool) string {
	ps := []Piece{{Text: e.Text}}
	if e.Detail != "" {
		ps = append(ps, Piece{Text: ": "}, Piece{Text: e.Detail, Code: true})
	}
	return mdPieces(ps, cell)
}

// collapse replaces each run of white space (line breaks included) with
// one space, keeping a space at either end.
func collapse(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

package plans

import (
	"fmt"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// rawPart is a piece of a scalar: a literal, or the text of a ${…}
// reference with its byte offset in the scalar.
type rawPart struct {
	lit   string
	ref   []string // the reference split at dots; nil for a literal
	text  string   // the reference as written, ${…}
	off   int
	isRef bool
}

// refError is a malformed reference at a byte offset of a scalar.
type refError struct {
	off int
	msg string
}

// scanTemplate splits s into literals and references. $${ is a literal
// ${. It returns the parts and every malformed reference.
func scanTemplate(s string) ([]rawPart, []refError) {
	if !strings.Contains(s, "${") {
		return []rawPart{{lit: s}}, nil
	}
	var parts []rawPart
	var errs []refError
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, rawPart{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				errs = append(errs, refError{off: i, msg: fmt.Sprintf("unterminated reference %s: missing }", quoteShown(s[i:]))})
				return parts, errs
			}
			text := s[i : i+2+end+1]
			flush()
			segs, msg := parseRef(s[i+2 : i+2+end])
			if msg != "" {
				errs = append(errs, refError{off: i, msg: fmt.Sprintf("malformed reference %s: %s", shownValue(text), msg)})
			} else {
				parts = append(parts, rawPart{ref: segs, text: text, off: i, isRef: true})
			}
			i += 2 + end + 1
		default:
			next := strings.IndexByte(s[i+1:], '$')
			if next < 0 {
				next = len(s) - i - 1
			}
			lit.WriteString(s[i : i+1+next])
			i += 1 + next
		}
	}
	flush()
	return parts, errs
}

// parseRef checks the inside of ${…} and splits it at dots.
func parseRef(inner string) ([]string, string) {
	inner = strings.TrimSpace(inner)
	if inner == "" {
		return nil, "empty reference"
	}
	segs := strings.Split(inner, ".")
	for _, s := range segs {
		if s == "" {
			return nil, "empty name between dots"
		}
		if !isRefSegment(s) {
			return nil, quoteShown(s) + " may hold only letters, digits, _ and -"
		}
	}
	n := len(segs)
	switch segs[0] {
	case "vars":
		if n < 2 {
			return nil, "name a variable: ${vars.NAME}"
		}
	case "secrets", "env":
		if n != 2 {
			return nil, fmt.Sprintf("want ${%s.NAME}", segs[0])
		}
	case "plan":
		if n != 2 || segs[1] != "name" {
			return nil, "the plan scope has only ${plan.name}"
		}
	case "run":
		if n != 2 || segs[1] != "id" {
			return nil, "the run scope has only ${run.id}"
		}
	case "steps":
		if n != 4 || segs[2] != "outputs" {
			return nil, "want ${steps.ID.outputs.KEY}"
		}
	default:
		return nil, "unknown scope " + quoteShown(segs[0]) + " (want vars, secrets, env, plan, run or steps)"
	}
	return segs, ""
}

func isRefSegment(s string) bool {
	for _, r := range s {
		ok := r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// offsetPos is the position of byte off of a scalar: exact on a single
// line, in characters, counting the quotes and escapes written before it
// (an escaped backslash, or a doubled single quote, is two characters for
// one). When the source is at hand (n.src) and the column so computed
// does not hold the text at off (a \u escape or a tab written as a tab
// before it, a string folded onto the next line), and in a | or > block,
// the text is looked for in the source lines; when it cannot be found
// there, a block's position is the scalar's own.
func offsetPos(n *node, off int) Pos {
	p := n.pos
	block := n.style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	if block || strings.ContainsRune(n.value, '\n') || off > len(n.value) {
		if q, ok := findInSource(n, off); ok {
			return q
		}
		return p
	}
	prefix := n.value[:off]
	p.Col += utf8.RuneCountInString(prefix)
	switch n.style {
	case yaml.SingleQuotedStyle:
		p.Col += 1 + strings.Count(prefix, "'")
	case yaml.DoubleQuotedStyle:
		p.Col++
		for _, r := range prefix {
			p.Col += escapeWidth(r)
		}
	}
	if n.src != nil && !sourceHasAt(n, p, refText(n.value, off)) {
		// folded onto the next line, or a \u escape before it: look
		if q, ok := findInSource(n, off); ok {
			return q
		}
	}
	return p
}

// refText is the reference at byte off of a value (or, when it is not
// closed, the text up to the end of its line).
func refText(value string, off int) string {
	text := value[off:]
	if i := strings.IndexAny(text, "}\n"); i >= 0 {
		text = text[:i+strings.Count(text[i:i+1], "}")]
	}
	return text
}

// sourceHasAt reports whether the scalar's source line holds text at p.
func sourceHasAt(n *node, p Pos, text string) bool {
	line, _ := n.src.line(p.Line)
	b := n.src.offset(p.Line, p.Col)
	return b >= 0 && strings.HasPrefix(line[b:], text)
}

// escapeWidth is how many characters more than one a character takes in
// a double-quoted YAML string: \\, \", \t, … are two; other control
// characters are written \xNN.
func escapeWidth(r rune) int {
	switch {
	case strings.ContainsRune("\\\"\t\r\a\b\f\v\x00\x1b", r):
		return 1
	case r < 0x20 || r == 0x7f:
		return 3
	}
	return 0
}

// findInSource finds the reference (or the text up to the end of its
// line) at byte off of a scalar in the scalar's source lines: the
// how-manyth occurrence it is in the value is the one taken
// in the source, from the scalar's start on, and only on the lines
// indented more than the line the scalar starts on, which are its own.
// The references of a scalar are looked for in order: each search goes
// on from where the last one of the same text stopped (findCursor), so
// that a block of thousands of references is searched once, not once per
// reference.
func findInSource(n *node, off int) (Pos, bool) {
	if n.src == nil || off < 0 || off >= len(n.value) {
		return Pos{}, false
	}
	text := refText(n.value, off)
	if text == "" {
		return Pos{}, false
	}
	first, ok := n.src.line(n.pos.Line)
	from := n.src.offset(n.pos.Line, n.pos.Col)
	if !ok || from < 0 {
		return Pos{}, false
	}
	indent := len(first) - len(strings.TrimLeft(first, " "))
	cur := n.cursor()
	last := cur.last[text]
	switch {
	case last != nil && last.off == off:
		return last.at, last.ok
	case last != nil && last.off < off && last.ok:
		// on from the last one found: skip those between
		f := *last
		f.off, f.skip = off, last.skip+strings.Count(n.value[last.off:off], text)
		f.at, f.ln, f.from, f.ok = scanSource(n, text, last.ln, last.from+len(text), f.skip-last.skip-1, indent)
		cur.last[text] = &f
		return f.at, f.ok
	}
	f := &foundAt{off: off, skip: strings.Count(n.value[:off], text)}
	f.at, f.ln, f.from, f.ok = scanSource(n, text, n.pos.Line, from, f.skip, indent)
	cur.last[text] = f
	return f.at, f.ok
}

// scanSource finds the occurrence of text after skip others in a
// scalar's source lines, from byte from of line ln on; it returns its
// position, and its line and byte offset to go on from.
func scanSource(n *node, text string, ln, from, skip, indent int) (Pos, int, int, bool) {
	for ; ln <= len(n.src.lines); ln, from = ln+1, 0 {
		line := n.src.lines[ln-1]
		if ln > n.pos.Line && strings.TrimSpace(line) != "" && len(line)-len(strings.TrimLeft(line, " ")) <= indent {
			return Pos{}, 0, 0, false // past the scalar's lines
		}
		for {
			i := strings.Index(line[min(from, len(line)):], text)
			if i < 0 {
				break
			}
			if skip == 0 {
				return Pos{File: n.pos.File, Line: ln, Col: utf8.RuneCountInString(line[:from+i]) + 1}, ln, from + i, true
			}
			skip--
			from += i + len(text)
		}
	}
	return Pos{}, 0, 0, false
}

// findCursor remembers, for each text looked for in a scalar's source,
// the last occurrence found: made for the scalar at pos (an alias's copy
// of the node, elsewhere, gets its own).
type findCursor struct {
	pos  Pos
	last map[string]*foundAt
}

// foundAt is an occurrence found: at byte off of the value, after skip
// others of the same text; at position at, byte from of line ln.
type foundAt struct {
	off, skip int
	at        Pos
	ln, from  int
	ok        bool
}

// cursor returns the node's find cursor.
func (n *node) cursor() *findCursor {
	if n.find == nil || n.find.pos != n.pos {
		n.find = &findCursor{pos: n.pos, last: map[string]*foundAt{}}
	}
	return n.find
}

package plans

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For these it reports a 0-based line (that of the construct the
// problem is in: the "{" of a flow mapping), where scanner errors carry a
// 1-based one; the offset is corrected here. The rune is the character
// that opens the construct, when there is one to point the column at.
var parserProblems = map[string]rune{
	"did not find expected ',' or '}'":       '{',
	"did not find expected ',' or ']'":       '[',
	"did not find expected key":              0,
	"did not find expected '-' indicator":    0,
	"did not find expected node content":     0,
	"did not find expected <document start>": 0,
	"did not find expected <stream-start>":   0,
	"found undefined tag handle":             0,
	"found duplicate %YAML directive":        0,
	"found incompatible YAML document":       0,
	"found duplicate %TAG directive":         0,
}

// syntaxError turns a yaml.v3 error, which carries a line but no column,
// into a diagnostic: at the line of the problem, at the construct it
// concerns or else the first non-blank column, with a hint for the
// mistakes plans are prone to (Windows paths in double quotes, an
// unquoted ${…} in a flow mapping, tabs).
func syntaxError(file string, data []byte, err error) Diagnostic {
	msg := err.Error()
	pos := Pos{File: file, Line: 1, Col: 1}
	lines := sourceLines(data)
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if _, parser := parserProblems[msg]; parser {
			pos.Line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	pos.Line = min(pos.Line, lastNonBlank(lines))
	text := ""
	if pos.Line >= 1 && pos.Line <= len(lines) {
		text = lines[pos.Line-1]
	}
	pos.Col = firstColumn(text)
	hint := ""
	switch {
	case msg == "found unknown escape character", msg == "did not find expected hexdecimal number":
		pos.Col = badEscapeColumn(text, pos.Col)
		hint = ` (in double quotes a backslash starts an escape: write Windows paths in single quotes, 'D:\LogShip')`
	case parserProblems[msg] != 0:
		pos.Col = columnAfter(text, "", string(parserProblems[msg]), pos.Col)
		if strings.Contains(text, "${") {
			hint = ` (inside { } and [ ], quote a value that starts with ${: "${vars.x}")`
		}
	case strings.Contains(msg, "tab character"), strings.Contains(msg, "cannot start any token"):
		if i := lineWithTab(lines, pos.Line); i > 0 {
			pos.Line, pos.Col = i, columnAfter(lines[i-1], "", "\t", 1)
			hint = " (indent with spaces, not tabs)"
		}
	}
	return Diagnostic{Severity: SeverityError, Pos: pos, Message: "invalid YAML: " + msg + hint}
}

// lastNonBlank returns the number of the last line holding more than
// blanks (at least 1): a problem found at the end of the file is shown on
// the last line there is.
func lastNonBlank(lines []string) int {
	for i := len(lines) - 1; i > 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			return i + 1
		}
	}
	return 1
}

// firstColumn returns the column of the first non-blank character of a
// line.
func firstColumn(text string) int {
	trimmed := strings.TrimLeft(text, " \t")
	if trimmed == "" {
		return 1
	}
	return len([]rune(text)) - len([]rune(trimmed)) + 1
}

// columnAfter returns the column of the first want in text after the
// first after (anywhere if after is ""), or def when there is none.
func columnAfter(text, after, want string, def int) int {
	from := 0
	if after != "" {
		i := strings.Index(text, after)
		if i < 0 {
			return def
		}
		from = i + len(after)
	}
	j := strings.Index(text[from:], want)
	if j < 0 {
		return def
	}
	return len([]rune(text[:from+j])) + 1
}

// lineWithTab returns the number of the first line from line on that is
// indented with a tab, or 0: yaml.v3 reports a tab that breaks the
// indentation at the scalar before it.
func lineWithTab(lines []string, line int) int {
	for i := max(line, 1); i <= len(lines) && i <= line+1; i++ {
		if strings.HasPrefix(strings.TrimLeft(lines[i-1], " "), "\t") {
			return i
		}
	}
	return 0
}

// badEscapeColumn returns the column of the first backslash in a line's
// double-quoted text that does not start a YAML escape ("\L" does, "\B"
// does not; "\x" needs two hex digits), or def when there is none.
func badEscapeColumn(text string, def int) int {
	start := strings.Index(text, `"`)
	if start < 0 {
		return def
	}
	for i := start + 1; i < len(text)-1; i++ {
		if text[i] != '\\' {
			continue
		}
		c := text[i+1]
		if digits, hex := hexEscapes[c]; hex {
			if !allHex(text[i+2:], digits) {
				return utf8.RuneCountInString(text[:i]) + 1
			}
		} else if !strings.ContainsRune(simpleEscapes, rune(c)) {
			return utf8.RuneCountInString(text[:i]) + 1
		}
		i++ // past the escaped character (a "\\" included)
	}
	return def
}

// simpleEscapes are the characters after a backslash that YAML's double
// quotes accept; hexEscapes, those followed by so many hex digits.
const simpleEscapes = "0abtnvfre \"/\\N_LP\t"

var hexEscapes = map[byte]int{'x': 2, 'u': 4, 'U': 8}

func allHex(s string, n int) bool {
	if len(s) < n {
		return false
	}
	for _, c := range []byte(s[:n]) {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

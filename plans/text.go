package plans

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// sourceLines splits a plan file's bytes into lines as the YAML parser
// counts them, so that line N of a diagnostic is lines[N-1] and its
// columns count the same characters: a UTF-8 byte order mark is dropped
// and UTF-16 (what Windows PowerShell 5 writes with ">") is decoded;
// CRLF, CR, NEL, LS and PS each end a line.
func sourceLines(data []byte) []string {
	return splitLines(decodeText(data))
}

// decodeText returns a file's text as UTF-8 without its byte order mark.
func decodeText(data []byte) string {
	switch {
	case len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF:
		return string(data[3:])
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		return decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 })
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		return decodeUTF16(data[2:], func(b []byte) uint16 { return uint16(b[1]) | uint16(b[0])<<8 })
	}
	return string(data)
}

func decodeUTF16(data []byte, unit func([]byte) uint16) string {
	units := make([]uint16, 0, len(data)/2)
	for i := 0; i+1 < len(data); i += 2 {
		units = append(units, unit(data[i:i+2]))
	}
	return string(utf16.Decode(units))
}

// lineBreaks are the line breaks of YAML 1.1, which yaml.v3 counts.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

func splitLines(text string) []string {
	return strings.Split(lineBreaks.Replace(text), "\n")
}

// source is a file's lines, kept for the nodes whose references need
// columns found in the text, with an index of each line's characters
// built when first needed: columns count characters, and a plan written
// as JSON is one line of a megabyte holding thousands of references.
type source struct {
	lines []string
	index map[int]*lineIndex
}

// lineIndex holds the byte offset of every markEvery-th character of a
// line, and how many characters it has.
type lineIndex struct {
	marks []int
	runes int
}

const markEvery = 64

func newSource(data []byte) *source {
	return &source{lines: sourceLines(data), index: map[int]*lineIndex{}}
}

// line returns line ln (from 1), and whether there is one.
func (s *source) line(ln int) (string, bool) {
	if ln < 1 || ln > len(s.lines) {
		return "", false
	}
	return s.lines[ln-1], true
}

func (s *source) lineIndex(ln int) *lineIndex {
	if x, ok := s.index[ln]; ok {
		return x
	}
	x := &lineIndex{}
	for b := range s.lines[ln-1] {
		if x.runes%markEvery == 0 {
			x.marks = append(x.marks, b)
		}
		x.runes++
	}
	s.index[ln] = x
	return x
}

// runes returns the number of characters of line ln.
func (s *source) runes(ln int) int {
	if _, ok := s.line(ln); !ok {
		return 0
	}
	return s.lineIndex(ln).runes
}

// offset returns the byte offset of column col (from 1) of line ln; a
// column just past the end is the line's length; -1 when out of range.
func (s *source) offset(ln, col int) int {
	line, ok := s.line(ln)
	if !ok || col < 1 {
		return -1
	}
	x := s.lineIndex(ln)
	switch {
	case col-1 == x.runes:
		return len(line)
	case col-1 > x.runes:
		return -1
	}
	b := x.marks[(col-1)/markEvery]
	for range (col - 1) % markEvery {
		_, w := utf8.DecodeRuneInString(line[b:])
		b += w
	}
	return b
}

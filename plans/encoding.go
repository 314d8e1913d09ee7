package plans

import (
	"fmt"
	"unicode/utf8"
)

// maxEncodingErrors bounds the lines reported for one file: a file in
// the wrong encoding has a finding on every other line.
const maxEncodingErrors = 10

// encodingErrors reports the characters YAML does not allow in a file
// (a control character, a byte that is not UTF-8), the first of each line
// at its line and column, with how many more the line holds: the YAML
// parser stops at the first without saying where. Lines and columns
// count as sourceLines does.
func encodingErrors(file string, data []byte) Diagnostics {
	var ds Diagnostics
	var sameLine []int // per finding, how many more its line holds
	more := 0          // lines past the first maxEncodingErrors
	report := func(line, col int, msg string) {
		switch {
		case len(ds) > 0 && ds[len(ds)-1].Pos.Line == line:
			sameLine[len(ds)-1]++
		case len(ds) == maxEncodingErrors:
			more++
		default:
			ds = append(ds, Diagnostic{Severity: SeverityError, Pos: Pos{File: file, Line: line, Col: col}, Message: "invalid YAML: " + msg})
			sameLine = append(sameLine, 0)
		}
	}
	text := data
	switch {
	case len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF:
		text = data[3:]
	case len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF):
		text = []byte(decodeText(data)) // UTF-16: decoded, it is UTF-8
	}
	line, col := 1, 1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			report(line, col, fmt.Sprintf(`byte \x%02x is not UTF-8 (save the file as UTF-8)`, text[i]))
		case !allowedInYAML(r):
			report(line, col, fmt.Sprintf("control character %s (U+%04X) is not allowed", escapeRune(r), r))
		}
		i += size
		switch {
		case r == '\r' && i < len(text) && text[i] == '\n':
			i++
			fallthrough
		case r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029:
			line, col = line+1, 1
		default:
			col++
		}
	}
	for i, n := range sameLine {
		if n > 0 {
			ds[i].Message += fmt.Sprintf(" (and %d more on this line)", n)
		}
	}
	if more > 0 {
		ds = append(ds, Diagnostic{Severity: SeverityError, Pos: Pos{File: file},
			Message: fmt.Sprintf("invalid YAML: %d more lines hold characters that are not allowed", more)})
	}
	return ds
}

// allowedInYAML reports whether YAML 1.1 allows a character in a file
// (what yaml.v3 accepts): tab, line breaks, printable ASCII, NEL, and
// the rest of Unicode but surrogates, U+FFFE and U+FFFF.
func allowedInYAML(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r', r >= 0x20 && r <= 0x7e, r == 0x85:
		return true
	case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		return true
	}
	return false
}

package plans

import (
	"strings"
	"unicode/utf16"
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

package exec

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

const (
	// maxLogLine bounds one logged line; a longer line is logged in pieces.
	maxLogLine = 64 << 10
	// redactSlack is kept beyond max_output so that a secret cut by the
	// tail's first byte is still whole when redacted, before the cut.
	redactSlack = 4 << 10
	// maxDetail bounds the last stderr line quoted in an error.
	maxDetail = 512
)

// stream receives one of the program's output streams. os/exec calls
// Write from one goroutine per stream, so a stream's own fields need no
// lock; logMu, shared by the streams of one program, serialises their
// log writes, because the logger's writer may not be safe for
// concurrent use.
type stream struct {
	name    string
	logMu   *sync.Mutex
	log     zerolog.Logger
	redact  func(string) string
	keep    int
	tail    []byte
	partial []byte
	last    string
}

func newStream(name string, logMu *sync.Mutex, log zerolog.Logger, redact func(string) string, keep int) *stream {
	return &stream{name: name, logMu: logMu, log: log, redact: redact, keep: keep}
}

// Write logs every complete line and keeps the end of the stream.
func (s *stream) Write(b []byte) (int, error) {
	s.keepTail(b)
	rest := b
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.partial = append(s.partial, rest...)
			for len(s.partial) >= maxLogLine {
				s.emit(s.partial[:maxLogLine])
				s.partial = append(s.partial[:0], s.partial[maxLogLine:]...)
			}
			break
		}
		if len(s.partial) > 0 {
			s.partial = append(s.partial, rest[:i]...)
			s.emit(s.partial)
			s.partial = s.partial[:0]
		} else {
			s.emit(rest[:i])
		}
		rest = rest[i+1:]
	}
	return len(b), nil
}

// keepTail appends b to the tail and trims it, amortised, to the bytes
// that may still be needed.
func (s *stream) keepTail(b []byte) {
	limit := s.keep + redactSlack
	s.tail = append(s.tail, b...)
	if len(s.tail) > 2*limit {
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-limit:]...)
	}
}

// emit logs one line, secrets masked.
func (s *stream) emit(line []byte) {
	text := s.redact(strings.TrimSuffix(string(line), "\r"))
	if strings.TrimSpace(text) != "" {
		s.last = text
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.log.Info().Str("stream", s.name).Msg(text)
}

// flush logs a last line that had no newline.
func (s *stream) flush() {
	if len(s.partial) > 0 {
		s.emit(s.partial)
		s.partial = nil
	}
}

// text returns the end of the stream for the outputs: secrets masked,
// at most keep bytes, starting on a whole UTF-8 character, trailing
// newlines removed.
func (s *stream) text() string {
	out := s.redact(string(s.tail))
	if len(out) > s.keep {
		out = out[len(out)-s.keep:]
		for len(out) > 0 && !utf8.RuneStart(out[0]) {
			out = out[1:]
		}
	}
	return strings.TrimRight(out, "\r\n")
}

// lastLine returns the last non-blank line, shortened for an error message.
func (s *stream) lastLine() string {
	line := strings.TrimSpace(s.last)
	if len(line) > maxDetail {
		line = line[:maxDetail] + "…"
	}
	return line
}

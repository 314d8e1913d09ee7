package proc

import (
	"bytes"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

const (
	// maxLogLine bounds one logged line; a longer line is logged in pieces.
	maxLogLine = 64 << 10
	// HoldBytes is how much output must follow a line before it is
	// logged (unless the stream goes quiet or ends): a secret of up to
	// this many bytes that spans lines is then seen whole when masked.
	// The tail kept for the outputs has the same slack, so that a secret
	// cut by the tail's first byte is still whole when masked.
	HoldBytes = 4 << 10
	// IdleFlush is how long a stream must be quiet before the lines it
	// holds are logged, so a slow program's log does not lag.
	IdleFlush = 500 * time.Millisecond
	// maxHeld bounds the held lines when masking keeps finding a secret
	// across the cut (it cannot, for long: the cut moves on).
	maxHeld = 1 << 20
	// maxDetail bounds the last stderr line quoted in an error.
	maxDetail = 512
)

// stream receives one of the program's output streams. os/exec calls
// Write from one goroutine per stream, and the idle timer from another,
// so mu guards the stream's fields; logMu, shared by the streams of one
// program, serialises their log writes, because the logger's writer may
// not be safe for concurrent use.
type stream struct {
	name   string
	logMu  *sync.Mutex
	log    zerolog.Logger
	redact func(string) string
	keep   int
	// afterFunc starts the idle timer (time.AfterFunc; a test fakes it).
	afterFunc func(time.Duration, func()) stopper

	mu sync.Mutex // guards the fields below
	// tail is the end of the stream, unmasked (masked when read).
	tail []byte
	// partial is a line without its newline yet.
	partial []byte
	// held are complete lines (each ending in '\n') not logged yet.
	held  []byte
	last  string
	timer stopper
	done  bool

	capture    string
	maxCapture int
	captured   []string
	overflow   bool
}

// stopper is what afterFunc returns.
type stopper interface{ Stop() bool }

func newStream(name string, logMu *sync.Mutex, log zerolog.Logger, redact func(string) string, keep int) *stream {
	return &stream{name: name, logMu: logMu, log: log, redact: redact, keep: keep,
		afterFunc: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }}
}

// Write takes the lines of b, logs those that are safe to log and keeps
// the end of the stream.
func (s *stream) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rest := b
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.partial = append(s.partial, rest...)
			s.splitOverlong()
			break
		}
		if len(s.partial) > 0 {
			s.partial = append(s.partial, rest[:i]...)
			s.line(s.partial, true)
			s.partial = s.partial[:0]
		} else {
			s.line(rest[:i], true)
		}
		rest = rest[i+1:]
	}
	s.release(false)
	s.armIdle()
	return len(b), nil
}

// splitOverlong turns a partial line of maxLogLine bytes into pieces,
// unless it is a line being captured, which is kept whole.
func (s *stream) splitOverlong() {
	if s.capturing(s.partial) {
		if len(s.partial) > s.maxCapture {
			s.overflow = true
			s.partial = s.partial[:0]
		}
		return
	}
	for len(s.partial) >= maxLogLine {
		s.line(s.partial[:maxLogLine], false)
		s.partial = append(s.partial[:0], s.partial[maxLogLine:]...)
	}
}

func (s *stream) capturing(line []byte) bool {
	return s.capture != "" && bytes.Contains(line, []byte(s.capture))
}

// line takes one line without its '\n'; nl says the output had one
// (not so for a piece of an overlong line, or the last line).
func (s *stream) line(l []byte, nl bool) {
	if s.capturing(l) {
		text := strings.TrimSuffix(string(l), "\r")
		if len(text) > s.maxCapture {
			s.overflow = true
			return
		}
		s.captured = append(s.captured, text)
		return
	}
	s.keepTail(l)
	if nl {
		s.keepTail([]byte{'\n'})
	}
	s.held = append(append(s.held, l...), '\n')
}

// keepTail appends b to the tail and trims it, amortised, to the bytes
// that may still be needed.
func (s *stream) keepTail(b []byte) {
	limit := s.keep + HoldBytes
	s.tail = append(s.tail, b...)
	if len(s.tail) > 2*limit {
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-limit:]...)
	}
}

// release logs the held lines that are safe to log: with all, every one;
// otherwise those followed by HoldBytes of output. The held text is
// masked as a whole, so a secret spanning lines is masked; lines are cut
// only where no secret spans the cut (masking the part after the cut
// alone gives the same text as masking the whole).
func (s *stream) release(all bool) {
	cut := len(s.held)
	if !all && len(s.held) <= maxHeld {
		cut = bytes.LastIndexByte(s.held[:max(0, len(s.held)-HoldBytes)], '\n') + 1
	}
	if cut == 0 {
		return
	}
	whole := s.redact(string(s.held))
	out := whole
	if cut < len(s.held) {
		after := s.redact(string(s.held[cut:]))
		if !strings.HasSuffix(whole, after) || !strings.HasSuffix(whole[:len(whole)-len(after)], "\n") {
			return // a secret spans the cut: wait for more output
		}
		out = whole[:len(whole)-len(after)]
	}
	s.held = append(s.held[:0], s.held[cut:]...)
	s.emit(strings.TrimSuffix(out, "\n"))
}

// emit logs masked text line by line.
func (s *stream) emit(text string) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) != "" {
			s.last = line
		}
		s.log.Info().Str("stream", s.name).Msg(line)
	}
}

// armIdle (re)starts the idle timer while lines are held.
func (s *stream) armIdle() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if len(s.held) > 0 && !s.done {
		s.timer = s.afterFunc(IdleFlush, s.idle)
	}
}

// idle logs every held line: the program has been quiet for IdleFlush.
func (s *stream) idle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done {
		s.release(true)
	}
}

// flush logs everything left, a last line without a newline included.
func (s *stream) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.partial) > 0 {
		s.line(s.partial, false)
		s.partial = nil
	}
	s.release(true)
	s.done = true
	if s.timer != nil {
		s.timer.Stop()
	}
}

// text returns the end of the stream for the outputs: secrets masked,
// at most keep bytes, starting on a whole UTF-8 character, trailing
// newlines removed.
func (s *stream) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	line := strings.TrimSpace(s.last)
	if len(line) > maxDetail {
		line = line[:maxDetail] + "…"
	}
	return line
}

package proc

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestStreamSplitsLines(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		lines  []string
		text   string
	}{
		{name: "line across writes", writes: []string{"hel", "lo\nwor", "ld\n"}, lines: []string{"hello", "world"}, text: "hello\nworld"},
		{name: "CRLF", writes: []string{"a\r\nb\r\n"}, lines: []string{"a", "b"}, text: "a\r\nb"},
		{name: "no final newline", writes: []string{"a\nb"}, lines: []string{"a", "b"}, text: "a\nb"},
		{name: "empty line kept", writes: []string{"a\n\nb\n"}, lines: []string{"a", "", "b"}, text: "a\n\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			s := testStream(&log, func(s string) string { return s }, 100)
			for _, w := range tt.writes {
				if n, err := s.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			s.flush()
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
				got = append(got, between(l, `"message":"`, `"}`))
			}
			if strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("logged lines %q, want %q", got, tt.lines)
			}
			if s.text() != tt.text {
				t.Errorf("text = %q, want %q", s.text(), tt.text)
			}
		})
	}
}

func between(s, from, to string) string {
	_, after, _ := strings.Cut(s, from)
	before, _, _ := strings.Cut(after, to)
	return before
}

func TestStreamSplitsOverlongLines(t *testing.T) {
	var log bytes.Buffer
	s := testStream(&log, func(s string) string { return s }, 10)
	s.Write(bytes.Repeat([]byte("x"), 2*maxLogLine+5))
	s.flush()
	if n := strings.Count(log.String(), "\n"); n != 3 {
		t.Errorf("logged %d lines, want 3 pieces", n)
	}
	if s.text() != "xxxxxxxxxx" {
		t.Errorf("text = %q, want the last 10 bytes", s.text())
	}
}

func TestStreamTailStartsOnWholeCharacter(t *testing.T) {
	s := testStream(nil, func(s string) string { return s }, 4)
	s.Write([]byte("abcäöü")) // ä, ö, ü are 2 bytes each
	s.flush()
	if got := s.text(); got != "öü" {
		t.Errorf("text = %q, want %q", got, "öü")
	}
}

func TestStreamMasksSecretCutByTheTail(t *testing.T) {
	s := testStream(nil, func(s string) string { return strings.ReplaceAll(s, "hunter2", "***") }, 6)
	s.Write([]byte("pw=hunter2\n"))
	if got := s.text(); strings.Contains(got, "ter2") {
		t.Errorf("text = %q shows part of the secret", got)
	}
}

// fakeTimer is an idle timer that fires only when the test says so.
type fakeTimer struct {
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { t.stopped = true; return true }

// timers records the idle timers a stream armed.
type timers struct{ list []*fakeTimer }

func (ts *timers) afterFunc(_ time.Duration, f func()) stopper {
	t := &fakeTimer{f: f}
	ts.list = append(ts.list, t)
	return t
}

// fireLast fires the last armed timer if it was not stopped.
func (ts *timers) fireLast(t *testing.T) {
	t.Helper()
	if len(ts.list) == 0 {
		t.Fatal("no idle timer armed")
	}
	if last := ts.list[len(ts.list)-1]; !last.stopped {
		last.f()
	}
}

// testStream is a stdout stream logging to log (nil: nowhere) whose idle
// timer never fires by itself.
func testStream(log *bytes.Buffer, redact func(string) string, keep int) *stream {
	l := zerolog.Nop()
	if log != nil {
		l = zerolog.New(log)
	}
	s := newStream("stdout", &sync.Mutex{}, l, redact, keep)
	s.afterFunc = (&timers{}).afterFunc
	return s
}

// loggedLines returns the messages of a JSON log.
func loggedLines(log string) []string {
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if l != "" {
			got = append(got, between(l, `"message":"`, `"}`))
		}
	}
	return got
}

func TestStreamMasksSecrets(t *testing.T) {
	const multi = "-----BEGIN KEY-----\nAAAA\nBBBB\n-----END KEY-----"
	redact := strings.NewReplacer("hunter2", "***", multi, "***").Replace
	tests := []struct {
		name   string
		writes []string
		lines  []string
	}{
		{name: "secret split across two writes", writes: []string{"pw=hun", "ter2\n"}, lines: []string{"pw=***"}},
		{name: "secret split at every byte", writes: strings.Split("pw=hunter2 ok\n", ""), lines: []string{"pw=*** ok"}},
		{name: "multi-line secret in one write", writes: []string{"key:\n" + multi + "\nafter\n"}, lines: []string{"key:", "***", "after"}},
		{name: "multi-line secret split at its line ends", writes: []string{"key:\n-----BEGIN KEY-----\n", "AAAA\n", "BBBB\n-----END KEY-----\n", "after\n"}, lines: []string{"key:", "***", "after"}},
		{name: "multi-line secret at the end without newline", writes: []string{"-----BEGIN KEY-----\nAAAA\nBB", "BB\n-----END KEY-----"}, lines: []string{"***"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			s := testStream(&log, redact, 1000)
			for _, w := range tt.writes {
				s.Write([]byte(w))
			}
			s.flush()
			if got := loggedLines(log.String()); strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("logged %q, want %q", got, tt.lines)
			}
			if text := s.text(); strings.Contains(text, "hunter2") || strings.Contains(text, "AAAA") {
				t.Errorf("text %q shows a secret", text)
			}
		})
	}
}

func TestStreamLogsLinesOnceHoldBytesFollow(t *testing.T) {
	var log bytes.Buffer
	s := testStream(&log, func(s string) string { return s }, 10)
	s.Write([]byte("first\n"))
	if log.Len() != 0 {
		t.Fatalf("logged before HoldBytes followed: %s", log.String())
	}
	s.Write(append(bytes.Repeat([]byte("x"), HoldBytes), '\n'))
	if got := loggedLines(log.String()); len(got) != 1 || got[0] != "first" {
		t.Errorf("logged %q, want the first line only", got)
	}
}

func TestStreamHoldsWhileASecretSpansTheCut(t *testing.T) {
	secret := "top\nsecret"
	var log bytes.Buffer
	s := testStream(&log, strings.NewReplacer(secret, "***").Replace, 10)
	// The secret's first line is the last line that HoldBytes of
	// output would let go; its second line comes right after.
	s.Write([]byte("top\n"))
	s.Write([]byte("secret" + strings.Repeat("y", HoldBytes) + "\n"))
	s.flush()
	if strings.Contains(log.String(), "top") {
		t.Errorf("a part of the secret was logged: %s", log.String())
	}
}

func TestStreamIdleFlush(t *testing.T) {
	var log bytes.Buffer
	ts := &timers{}
	s := newStream("stdout", &sync.Mutex{}, zerolog.New(&log), func(s string) string { return s }, 10)
	s.afterFunc = ts.afterFunc
	s.Write([]byte("slow progress 1 of 40\n"))
	if log.Len() != 0 {
		t.Fatalf("logged at once: %s", log.String())
	}
	ts.fireLast(t)
	if got := loggedLines(log.String()); len(got) != 1 || got[0] != "slow progress 1 of 40" {
		t.Errorf("after the idle timer: logged %q", got)
	}
	s.Write([]byte("part"))
	ts.fireLast(t)
	if got := loggedLines(log.String()); len(got) != 1 {
		t.Errorf("a line without its newline was logged when idle: %q", got)
	}
	s.flush()
	if got := loggedLines(log.String()); len(got) != 2 || got[1] != "part" {
		t.Errorf("after flush: logged %q", got)
	}
}

func TestStreamCapture(t *testing.T) {
	long := "<<<MARK>>>" + strings.Repeat("j", 2*maxLogLine) + "<<<END>>>"
	tests := []struct {
		name     string
		writes   []string
		max      int
		captured []string
		lines    []string
		overflow bool
	}{
		{name: "marked line kept whole, not logged", writes: []string{"a\nnoise <<<MARK>>>{}<<<END>>>\r\nb\n"}, max: 100, captured: []string{"noise <<<MARK>>>{}<<<END>>>"}, lines: []string{"a", "b"}},
		{name: "overlong marked line not split", writes: []string{long[:100], long[100:] + "\n"}, max: 4 * maxLogLine, captured: []string{long}},
		{name: "marked line over the limit dropped", writes: []string{long + "\n"}, max: maxLogLine, overflow: true},
		{name: "marked last line without newline", writes: []string{"a\n<<<MARK>>>1"}, max: 100, captured: []string{"<<<MARK>>>1"}, lines: []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log bytes.Buffer
			s := testStream(&log, func(s string) string { return s }, 1000)
			s.capture, s.maxCapture = "<<<MARK>>>", tt.max
			for _, w := range tt.writes {
				s.Write([]byte(w))
			}
			s.flush()
			if strings.Join(s.captured, "|") != strings.Join(tt.captured, "|") {
				t.Errorf("captured %d lines %.80q, want %.80q", len(s.captured), s.captured, tt.captured)
			}
			if got := loggedLines(log.String()); strings.Join(got, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("logged %.80q, want %q", got, tt.lines)
			}
			if s.overflow != tt.overflow {
				t.Errorf("overflow = %v, want %v", s.overflow, tt.overflow)
			}
			if strings.Contains(s.text(), "MARK") {
				t.Errorf("the tail holds a captured line: %.80q", s.text())
			}
		})
	}
}

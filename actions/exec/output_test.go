package exec

import (
	"bytes"
	"strings"
	"sync"
	"testing"

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
			s := newStream("stdout", &sync.Mutex{}, zerolog.New(&log), func(s string) string { return s }, 100)
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
	s := newStream("stdout", &sync.Mutex{}, zerolog.New(&log), func(s string) string { return s }, 10)
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
	s := newStream("stdout", &sync.Mutex{}, zerolog.Nop(), func(s string) string { return s }, 4)
	s.Write([]byte("abcäöü")) // ä, ö, ü are 2 bytes each
	if got := s.text(); got != "öü" {
		t.Errorf("text = %q, want %q", got, "öü")
	}
}

func TestStreamMasksSecretCutByTheTail(t *testing.T) {
	s := newStream("stdout", &sync.Mutex{}, zerolog.Nop(), func(s string) string { return strings.ReplaceAll(s, "hunter2", "***") }, 6)
	s.Write([]byte("pw=hunter2\n"))
	if got := s.text(); strings.Contains(got, "ter2") {
		t.Errorf("text = %q shows part of the secret", got)
	}
}

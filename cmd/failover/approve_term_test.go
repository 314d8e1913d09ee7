package main

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// syncBuf is a bytes.Buffer safe for the approver's writes and the
// test's reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestApprovalAskedAgainAfterACancelledQuestion: a question that ended
// without an answer (its attempt was cancelled) leaves no reader behind:
// the next question is shown again and gets the line typed after it; a
// line typed ahead of a question is not taken as its answer.
func TestApprovalAskedAgainAfterACancelledQuestion(t *testing.T) {
	stdin, typer := io.Pipe()
	out := &syncBuf{}
	term := &terminalApprover{lines: newLineReader(stdin), out: out, who: "op"}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := term.Approve(ctx, "recover", "Recover mgc?")
		done <- err
	}()
	waitFor(t, out, "Recover mgc? [y/N] ")
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a cancelled question returned no error")
	}
	// Typed between two questions: ahead of the next one, not its answer.
	go typer.Write([]byte("y\n"))
	waitForLine(t, term)

	answers := make(chan bool)
	go func() {
		a, err := term.Approve(context.Background(), "recover", "Recover mgc?")
		if err != nil {
			t.Error(err)
		}
		answers <- a.Approved
	}()
	waitFor(t, out, "Recover mgc? [y/N] \nRecover mgc? [y/N] ")
	go typer.Write([]byte("no\n"))
	if ok := <-answers; ok {
		t.Error("approved by the line typed before the question")
	}
	if n := strings.Count(out.String(), "Recover mgc? [y/N]"); n != 2 {
		t.Errorf("question shown %d times, want 2:\n%s", n, out.String())
	}
}

// waitFor waits until out holds want (the approver's goroutine writes it).
func waitFor(t *testing.T, out *syncBuf, want string) {
	t.Helper()
	for i := 0; !strings.Contains(out.String(), want); i++ {
		if i > 1e7 {
			t.Fatalf("never wrote %q; wrote %q", want, out.String())
		}
		runtimeGosched()
	}
}

// waitForLine waits until the reader goroutine has read a line.
func waitForLine(t *testing.T, term *terminalApprover) {
	t.Helper()
	for i := 0; len(term.lines.linesCh) == 0; i++ {
		if i > 1e7 {
			t.Fatal("the typed line never reached the reader")
		}
		runtimeGosched()
	}
}

func runtimeGosched() { runtime.Gosched() }

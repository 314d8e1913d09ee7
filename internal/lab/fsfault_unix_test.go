//go:build !windows

package lab

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestShareHang: RESTORE waits the fault's time, then 3201 with OS error
// 121, and a cancel ends the wait; file steps that open a file block
// until the fault is cleared, then read nothing, and the files are back.
func TestShareHang(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	name := firstFile(t, tl.share())
	orig, err := os.ReadFile(filepath.Join(tl.share(), name))
	if err != nil {
		t.Fatal(err)
	}
	f := addFault(t, tl, r, Fault{Kind: FaultShareHang, Delay: 50 * time.Millisecond})
	dev := `\\DC1-FS01\LSBackup\` + name
	start := time.Now()
	e := headerErr(t, tl, dev)
	if took := time.Since(start); e == nil || !strings.Contains(*e, "Operating system error 121(") || took < 50*time.Millisecond {
		t.Errorf("HEADERONLY on a hanging share: %s after %s, want 121 after the fault's 50ms", deref(e), took)
	}

	fi, err := os.Lstat(filepath.Join(tl.share(), name))
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("%s on the hanging share: %v %v, want a FIFO", name, fi.Mode(), err)
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(filepath.Join(tl.share(), name))
		if err != nil {
			done <- result{0, err}
			return
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		done <- result{len(b), err}
	}()
	select {
	case res := <-done:
		t.Fatalf("a read of a hanging share returned at once: %+v", res)
	case <-time.After(100 * time.Millisecond):
	}
	clearFault(t, tl, r, f.ID)
	select {
	case res := <-done:
		if res.err != nil || res.n != 0 {
			t.Errorf("the blocked read after clear: %d bytes, %v; want end of file", res.n, res.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("clearing the fault did not release the blocked read")
	}
	if got, err := os.ReadFile(filepath.Join(tl.share(), name)); err != nil || string(got) != string(orig) {
		t.Errorf("after clear the file is %d bytes (%v), want the original %d", len(got), err, len(orig))
	}
}

// TestShareHangCancel: a RESTORE held by a hanging share ends when its
// request is cancelled (attention), without an error.
func TestShareHangCancel(t *testing.T) {
	tl, r := newFileLab(t, DefaultConfig())
	name := firstFile(t, tl.share())
	addFault(t, tl, r, Fault{Kind: FaultShareHang, Delay: time.Hour})
	in := tl.backup()
	logPath := filepath.Join(t.TempDir(), "statements.log")
	log, err := openStmtLog(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer log.close()
	in.log = log
	s := open(in, 51, "master")
	ctx, cancel := context.WithCancel(context.Background())
	w := &recWriter{}
	done := make(chan struct{})
	go func() {
		in.Batch(ctx, s, `RESTORE HEADERONLY FROM DISK = N'\\DC1-FS01\LSBackup\`+name+`'`, w)
		close(done)
	}()
	// The statement log says when the RESTORE met the hanging share, with
	// the session's login like every line of a statement.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if line := logLineWith(logPath, "share-hang"); line != "" {
			// time, instance, spid, login, kind, effect, text
			if f := strings.Split(line, "\t"); len(f) != 7 || f[2] != "51" || f[3] != s.login.User || f[4] != "fault" {
				t.Errorf("fault line = %q, want spid 51, login %s, kind fault", line, s.login.User)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the RESTORE never reached the hanging share")
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled RESTORE kept waiting for the hanging share")
	}
	if len(w.errors) > 0 {
		t.Errorf("a cancelled request got errors: %v", w.errors)
	}
}

// logLineWith is the first line of the statement log at path that
// contains sub ("" if none yet).
func logLineWith(path, sub string) string {
	b, _ := os.ReadFile(path)
	for line := range strings.Lines(string(b)) {
		if strings.Contains(line, sub) {
			return strings.TrimSuffix(line, "\n")
		}
	}
	return ""
}

//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine"
)

// TestBarsOnATerminal renders two steps' progress on a pseudo-terminal: a
// copy counted in bytes that completes and a restore counted in files that
// the run stops, with a log line written while the bars show.
func TestBarsOnATerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(&out, ptmx) // until the tty side is closed
	}()
	clock := time.Unix(0, 0)
	b := newBars(tty)
	b.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	mib := int64(1 << 20)
	b.event(engine.ProgressEvent{Step: "copy-backups", Action: "fs.copy",
		Progress: actions.Progress{Done: 1, Total: 3, Unit: "files", Bytes: mib, TotalBytes: 3 * mib, Item: "mgc_20261126011500.trn"}})
	b.event(engine.ProgressEvent{Step: "apply-logs", Action: "logship.apply",
		Progress: actions.Progress{Done: 2, Total: 9, Unit: "logs", Item: "LSN 1903345000083031000001"}})
	if _, err := b.Write([]byte("a log line above the bars\n")); err != nil {
		t.Fatal(err)
	}
	b.event(engine.ProgressEvent{Step: "copy-backups", Action: "fs.copy", Ended: true,
		Progress: actions.Progress{Done: 3, Total: 3, Unit: "files", Bytes: 3 * mib, TotalBytes: 3 * mib}})
	b.finish()
	tty.Close()
	wg.Wait()
	got := out.String()
	for _, want := range []string{"copy-backups  [==============================] 3/3 files  3.0 MiB/3.0 MiB",
		"apply-logs  [======>", "-] 2/9 logs", "LSN 1903345000083031000001", "ETA", "a log line above the bars\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if strings.Index(got, "a log line above the bars") > strings.LastIndex(got, "copy-backups") {
		t.Errorf("the log line came after the last frame of the bars:\n%q", got)
	}
}

// TestNoBarsWithoutATerminal: progress bars are for terminals only.
func TestNoBarsWithoutATerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := newApp(strings.NewReader(""), io.Discard, f)
	a.logFormat, a.logLevel = "console", "info"
	if err := a.setup(); err != nil {
		t.Fatal(err)
	}
	var cfg engine.Config
	a.showProgress(&cfg)()
	if cfg.Progress != nil {
		t.Error("bars set up for a file")
	}
}

// TestApplyShowsBarsOnATerminal: `failover apply` on a terminal draws a
// bar for a long step (fs.copy of many files) with the log lines above it.
func TestApplyShowsBarsOnATerminal(t *testing.T) {
	dir := t.TempDir()
	src := dir + "/share"
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 300; i++ {
		if err := os.WriteFile(src+"/mgc_"+strconv.Itoa(100000+i)+".trn", bytes.Repeat([]byte{'x'}, 4096), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plan := dir + "/plan.yaml"
	body := "version: 1\nname: bars\nsteps:\n  - id: copy-backups\n    action: fs.copy\n" +
		"    with: { from: \"" + src + "\", to: \"" + dir + "/copy\", include: ['*.trn'] }\n"
	if err := os.WriteFile(plan, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "apply", "--yes", plan)
	cmd.Env = append(os.Environ(), "FAILOVER_TEST_MAIN=1", "FAILOVER_STATE_DIR="+dir+"/state", "TERM=xterm")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 140})
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, ptmx) // until the command exits and the pty closes
	if err := cmd.Wait(); err != nil {
		t.Fatalf("apply: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"copy-backups  [", "300/300 files", "succeeded"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
}

// TestNoBarsOnATerminalWithoutASize: a terminal that reports no size
// (some serial consoles and SSH sessions) gets log lines, not bars that
// could not be drawn.
func TestNoBarsOnATerminalWithoutASize(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 0, Cols: 0}); err != nil {
		t.Fatal(err)
	}
	a := newApp(strings.NewReader(""), io.Discard, tty)
	a.logFormat, a.logLevel = "auto", "info"
	if err := a.setup(); err != nil {
		t.Fatal(err)
	}
	var cfg engine.Config
	a.showProgress(&cfg)()
	if cfg.Progress != nil {
		t.Error("bars set up for a terminal without a size")
	}
}

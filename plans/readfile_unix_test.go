//go:build unix

package plans

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// boundedWait bounds a read that must not block: a read that does block
// fails the test after it instead of hanging it.
const boundedWait = 30 * time.Second

// readWithin calls ReadFile in a goroutine and fails the test if it does
// not return within boundedWait.
func readWithin(t *testing.T, path string, limit int64) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := ReadFile(path, limit)
		ch <- result{data, err}
	}()
	select {
	case r := <-ch:
		return r.data, r.err
	case <-time.After(boundedWait):
		t.Fatalf("ReadFile(%s) still blocked after %s", path, boundedWait)
		return nil, nil
	}
}

// TestReadFileRefusesAllButRegularFiles reads what a plan's extends or a
// --vars-file may name: only regular files (and links to them) are read,
// within the size limit; devices, pipes, sockets and directories are
// refused at once, without being read or waited on.
func TestReadFileRefusesAllButRegularFiles(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "plan.yaml")
	os.WriteFile(regular, []byte("version: 1\n"), 0o644)
	link := filepath.Join(dir, "link.yaml")
	os.Symlink(regular, link)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	fifoLink := filepath.Join(dir, "fifo-link")
	os.Symlink(fifo, fifoLink)
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tests := []struct {
		name, path string
		limit      int64
		want       string // error text; "" reads the file
	}{
		{"a regular file", regular, 0, ""},
		{"a link to a regular file", link, 0, ""},
		{"a regular file at the limit", regular, 11, ""},
		{"a regular file over the limit", regular, 10, "is larger than 10 bytes"},
		{"/dev/zero", "/dev/zero", 0, "/dev/zero is a character device, not a regular file"},
		{"a named pipe", fifo, 0, "is a named pipe, not a regular file"},
		{"a link to a named pipe", fifoLink, 0, "is a named pipe, not a regular file"},
		{"a socket", sock, 0, "is a socket, not a regular file"},
		{"a directory", dir, 0, "is a directory, not a regular file"},
		{"standard input", "/dev/stdin", 0, "not a regular file"},
		{"missing", filepath.Join(dir, "nope"), 0, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path == "/dev/stdin" {
				skipIfStdinIsAFile(t)
			}
			data, err := readWithin(t, tt.path, tt.limit)
			switch {
			case tt.want == "" && (err != nil || string(data) != "version: 1\n"):
				t.Fatalf("read %q, %v; want the file", data, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestOpenNoBlockOnAPipe is the race ReadFile guards against: a path that
// was a regular file when looked at and is a named pipe when opened. The
// open returns at once, and what was opened is refused.
func TestOpenNoBlockOnAPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := openNoBlock(fifo)
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err == nil {
			err = regularFile(fifo, info, DefaultFileSize)
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe") {
			t.Fatalf("error %v, want the pipe refused", err)
		}
	case <-time.After(boundedWait):
		t.Fatalf("opening a named pipe still blocked after %s", boundedWait)
	}
}

// TestLoadRefusesSpecialFiles loads plans whose extends, or whose vars
// file, names what must not be read (extends: /dev/zero is loaded under a
// memory limit, in TestLoadBombsUnderMemoryLimit).
func TestLoadRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(text), 0o644)
		return path
	}
	plain := write("plain.yaml", "version: 1\nname: x\nsteps: []\n")
	tests := []struct {
		name, path string
		vars       []string
		want       string
	}{
		{"extends a named pipe", write("fifo.yaml", "version: 1\nname: x\nextends: fifo\n"), nil,
			"read base plan: " + fifo + " is a named pipe, not a regular file"},
		{"extends /proc/self/fd/0", write("stdin.yaml", "version: 1\nname: x\nextends: /proc/self/fd/0\n"), nil,
			"not a regular file"},
		{"the plan is a named pipe", fifo, nil, "read plan: " + fifo + " is a named pipe"},
		{"a vars file is a named pipe", plain, []string{fifo}, "read vars file: " + fifo + " is a named pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.name, "/proc") {
				if _, err := os.Stat("/proc/self/fd/0"); err != nil {
					t.Skip("no /proc/self/fd/0 here")
				}
				skipIfStdinIsAFile(t)
			}
			done := make(chan Diagnostics, 1)
			go func() {
				_, ds := Load(tt.path, Options{Registry: testRegistry(), VarsFiles: tt.vars})
				done <- ds
			}()
			select {
			case ds := <-done:
				if !ds.HasErrors() || !strings.Contains(ds[0].Message, tt.want) {
					t.Fatalf("want first an error %q, got:\n%s", tt.want, textOf(ds))
				}
			case <-time.After(boundedWait):
				t.Fatalf("Load still blocked after %s", boundedWait)
			}
		})
	}
}

// skipIfStdinIsAFile skips a test of reading standard input as a plan
// when the tests were given a regular file as standard input.
func skipIfStdinIsAFile(t *testing.T) {
	t.Helper()
	if info, err := os.Stdin.Stat(); err == nil && info.Mode().IsRegular() {
		t.Skip("standard input is a regular file here")
	}
}

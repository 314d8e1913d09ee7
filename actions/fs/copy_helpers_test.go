package fs

import (
	"bytes"
	"context"
	iofs "io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// faultFS is the real file system with hooks a test sets to fail or
// change one operation.
type faultFS struct {
	osFS
	mu      sync.Mutex // guards renames
	renames map[string]int
	// Each hook, when set, runs instead of the real operation.
	open       func(name string) (srcFile, error)
	createTemp func(dir, pattern string) (dstFile, error)
	stat       func(name string) (iofs.FileInfo, error)
	readDir    func(name string) ([]iofs.DirEntry, error)
	syncFS     func(dir string) error
	// onRename runs after each file renamed into place.
	onRename func()
}

func (f *faultFS) SyncFS(dir string) error {
	if f.syncFS != nil {
		return f.syncFS(dir)
	}
	return f.osFS.SyncFS(dir)
}

func (f *faultFS) Open(name string) (srcFile, error) {
	if f.open != nil {
		return f.open(name)
	}
	return f.osFS.Open(name)
}

func (f *faultFS) CreateTemp(dir, pattern string) (dstFile, error) {
	if f.createTemp != nil {
		return f.createTemp(dir, pattern)
	}
	return f.osFS.CreateTemp(dir, pattern)
}

func (f *faultFS) Stat(name string) (iofs.FileInfo, error) {
	if f.stat != nil {
		return f.stat(name)
	}
	return f.osFS.Stat(name)
}

func (f *faultFS) ReadDir(name string) ([]iofs.DirEntry, error) {
	if f.readDir != nil {
		return f.readDir(name)
	}
	return f.osFS.ReadDir(name)
}

// Rename counts the files renamed into place, by final name.
func (f *faultFS) Rename(oldname, newname string) error {
	if err := f.osFS.Rename(oldname, newname); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.renames == nil {
		f.renames = map[string]int{}
	}
	f.renames[filepath.Base(newname)]++
	if f.onRename != nil {
		f.onRename()
	}
	return nil
}

func (f *faultFS) renamed() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.renames {
		out[k] = v
	}
	return out
}

// failingWriter is a temporary file whose writes fail with err once more
// than limit bytes were written. It does not embed the *os.File: its
// ReadFrom would bypass Write.
type failingWriter struct {
	f       *os.File
	limit   int64
	written int64
	err     error
}

func (w *failingWriter) Name() string { return w.f.Name() }
func (w *failingWriter) Sync() error  { return w.f.Sync() }
func (w *failingWriter) Close() error { return w.f.Close() }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.written+int64(len(b)) > w.limit {
		n := int(w.limit - w.written)
		w.f.Write(b[:n])
		w.written += int64(n)
		return n, &iofs.PathError{Op: "write", Path: w.f.Name(), Err: w.err}
	}
	n, err := w.f.Write(b)
	w.written += int64(n)
	return n, err
}

// testAction is fs.copy on fsys with no waiting between the copies of a
// changing file.
func testAction(fsys copyFS) copyAction {
	return copyAction{fs: fsys, attempts: 3, changeWait: time.Millisecond,
		sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
}

// params decodes fs.copy params as a plan would (defaults applied) and
// validates them.
func params(t *testing.T, values map[string]any) *CopyParams {
	t.Helper()
	p, err := actions.Decode(CopyParams{}, values)
	if err != nil {
		t.Fatal(err)
	}
	cp := p.(*CopyParams)
	if err := validateCopy(cp); err != nil {
		t.Fatalf("validate %v: %v", values, err)
	}
	return cp
}

// mtimeBase is the modification time test files get (plus seconds).
var mtimeBase = time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)

// writeFile writes content to dir/rel with mtime mtimeBase+sec seconds.
func writeFile(t *testing.T, dir, rel, content string, sec int) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mt := mtimeBase.Add(time.Duration(sec) * time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
	return p
}

// dirFiles returns every name in dir (partial files too) with content.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d iofs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	return out
}

// progressLog records every progress report.
type progressLog struct {
	mu      sync.Mutex
	reports []actions.Progress
}

func (l *progressLog) Report(p actions.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, p)
}

func (l *progressLog) lastReport() actions.Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reports) == 0 {
		return actions.Progress{}
	}
	return l.reports[len(l.reports)-1]
}

// growingSource is a source file that grows by a few bytes during its
// first read while grows > 0 (one less per file opened), as a backup
// still being written does.
type growingSource struct {
	*os.File
	path  string
	grows *int
	grown bool
}

func (g *growingSource) Read(b []byte) (int, error) {
	n, err := g.File.Read(b)
	if !g.grown && *g.grows > 0 {
		g.grown = true
		*g.grows--
		f, _ := os.OpenFile(g.path, os.O_APPEND|os.O_WRONLY, 0)
		f.Write(bytes.Repeat([]byte("+"), 7))
		f.Close()
	}
	return n, err
}

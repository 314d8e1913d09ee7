package journal

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// BenchmarkAppendSync measures one durable record on this disk: what a step
// start costs the engine. It also reports the bytes per record.
func BenchmarkAppendSync(b *testing.B) {
	path := filepath.Join(b.TempDir(), "p", "r.journal")
	w, err := Create(OSFS{}, path, testHeader())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := Record{Type: "step-started", Step: "remove-log-shipping", Attempt: 1}
	b.ResetTimer()
	for b.Loop() {
		if _, err := w.AppendSync(r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportBytesPerRecord(b, w)
}

// BenchmarkAppendSyncMarked is BenchmarkAppendSync with the sync mark kept,
// as the engine keeps it: the mark's rewrite after each fsync is its cost.
func BenchmarkAppendSyncMarked(b *testing.B) {
	path := filepath.Join(b.TempDir(), "p", "r.journal")
	w, err := Create(OSFS{}, path, testHeader())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.KeepMark(); err != nil {
		b.Fatal(err)
	}
	r := Record{Type: "step-started", Step: "remove-log-shipping", Attempt: 1}
	b.ResetTimer()
	for b.Loop() {
		if _, err := w.AppendSync(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppend measures an append without a sync: the cost of framing,
// encoding and one write call.
func BenchmarkAppend(b *testing.B) {
	path := filepath.Join(b.TempDir(), "p", "r.journal")
	w, err := Create(OSFS{}, path, testHeader())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := Record{Type: "step-succeeded", Step: "remove-log-shipping", Attempt: 1,
		Outputs: map[string]any{"exit_code": 0}}
	for b.Loop() {
		if _, err := w.Append(r); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportBytesPerRecord(b, w)
}

func reportBytesPerRecord(b *testing.B, w *Writer) {
	b.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seq > 0 {
		b.ReportMetric(float64(w.written)/float64(w.seq), "B/record")
	}
}

// BenchmarkFsync measures this disk's raw fsync latency: write 100 bytes to
// a temporary file and fsync it. AppendSync is judged against it.
func BenchmarkFsync(b *testing.B) {
	f, err := os.CreateTemp(b.TempDir(), "fsync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 100)
	for b.Loop() {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead measures reading back a 1,000-record journal, as resume and
// status do.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "p", "r.journal")
	w, err := Create(OSFS{}, path, testHeader())
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1000 {
		if _, err := w.Append(testRecord(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Read(OSFS{}, path); err != nil {
			b.Fatal(err)
		}
	}
}

// countingFS is the real file system, counting fsyncs of files.
type countingFS struct {
	OSFS
	syncs atomic.Int64
}

type countingFile struct {
	*os.File
	fs *countingFS
}

func (c *countingFS) OpenFile(name string, flag int, perm os.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return countingFile{File: f, fs: c}, nil
}

func (f countingFile) Sync() error {
	f.fs.syncs.Add(1)
	return f.File.Sync()
}

// BenchmarkAppendSyncParallel measures durable appends from parallel
// steps, as a fan-out runs them: group commit lets one fsync cover several
// records, reported as fsyncs/record.
func BenchmarkAppendSyncParallel(b *testing.B) {
	fsys := &countingFS{}
	path := filepath.Join(b.TempDir(), "p", "r.journal")
	w, err := Create(fsys, path, testHeader())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	fsys.syncs.Store(0)
	b.SetParallelism(4) // the engine's default --parallelism, per CPU
	b.RunParallel(func(pb *testing.PB) {
		r := Record{Type: "step-started", Step: "fan-out-step", Attempt: 1}
		for pb.Next() {
			if _, err := w.AppendSync(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(fsys.syncs.Load())/float64(b.N), "fsyncs/record")
}

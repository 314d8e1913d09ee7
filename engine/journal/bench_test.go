package journal

import (
	"os"
	"path/filepath"
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

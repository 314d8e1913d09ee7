package fs

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/failover-dev/failover/actions"
)

// The benchmarks compare fs.copy with /bin/cp, run from the same
// benchmark process on the same files, one after the other:
//
//	go test -run '^$' -bench BenchmarkCopy ./actions/fs
//	FAILOVER_BENCH_LARGE=1 go test -run '^$' -bench BenchmarkCopyLargeFile -benchtime 3x ./actions/fs
//
// "cp" is cp alone; "cp+fsync" syncs what cp wrote, which fs.copy always
// does (a copy that a crash can take back is not a copy).

// BenchmarkCopySmallFiles copies 5,000 files of 16 KiB (a busy log
// shipping folder) into an empty directory.
func BenchmarkCopySmallFiles(b *testing.B) {
	const files, size = 5000, 16 << 10
	src := b.TempDir()
	for i := range files {
		writeRandom(b, filepath.Join(src, fmt.Sprintf("mgc_%05d.trn", i)), size)
	}
	benchCopies(b, src, files*size, func(dst string) []string { return []string{"-p", "-r", src + "/.", dst} })
}

// BenchmarkCopyLargeFile copies one 2 GiB file. It writes 2 GiB twice
// per iteration, so it runs only when FAILOVER_BENCH_LARGE is set.
func BenchmarkCopyLargeFile(b *testing.B) {
	if os.Getenv("FAILOVER_BENCH_LARGE") == "" {
		b.Skip("set FAILOVER_BENCH_LARGE=1 to copy a 2 GiB file")
	}
	const size = 2 << 30
	src := b.TempDir()
	writeRandom(b, filepath.Join(src, "mgc_full.bak"), size)
	benchCopies(b, src, size, func(dst string) []string {
		return []string{"-p", filepath.Join(src, "mgc_full.bak"), dst + "/"}
	})
}

// benchCopies runs fs.copy, cp and cp+fsync from src into a fresh
// directory per iteration.
func benchCopies(b *testing.B, src string, total int64, cpArgs func(dst string) []string) {
	cp, err := exec.LookPath("cp")
	if err != nil {
		b.Skip("no cp here")
	}
	fresh := func(b *testing.B) string {
		b.StopTimer()
		dst, err := os.MkdirTemp(b.TempDir(), "dst")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		return dst
	}
	b.Run("fs.copy", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			dst := fresh(b)
			p := &CopyParams{From: src, To: dst, Parallel: 4, Verify: "none", SourceTimeout: 30e9}
			if _, err := newCopyAction().Run(context.Background(), &actions.Env{}, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	runCp := func(b *testing.B, sync bool) {
		b.SetBytes(total)
		for b.Loop() {
			dst := fresh(b)
			if out, err := exec.Command(cp, cpArgs(dst)...).CombinedOutput(); err != nil {
				b.Fatalf("cp: %v: %s", err, out)
			}
			if sync {
				syncTree(b, dst)
			}
		}
	}
	b.Run("cp", func(b *testing.B) { runCp(b, false) })
	b.Run("cp+fsync", func(b *testing.B) { runCp(b, true) })
}

// syncTree fsyncs every file in dir and dir itself.
func syncTree(b *testing.B, dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		f.Sync()
		f.Close()
	}
	if err := (osFS{}).SyncDir(dir); err != nil {
		b.Fatal(err)
	}
}

// writeRandom writes size random bytes to path.
func writeRandom(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

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
	"time"

	"github.com/failover-dev/failover/actions"
)

// The benchmarks compare fs.copy with /bin/cp, run from the same
// benchmark process on the same files, one after the other:
//
//	go test -run '^$' -bench BenchmarkCopy ./actions/fs
//	FAILOVER_BENCH_LARGE=1 go test -run '^$' -bench BenchmarkCopyLargeFile -benchtime 3x ./actions/fs
//
// Each reports the throughput of fs.copy, cp alone, and cp followed by a
// sync of what it wrote (fs.copy always syncs: a copy that a crash can
// take back is not a copy), and fs.copy/cp: how many times faster
// fs.copy is than cp (above 1: faster).

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

// benchCopies copies src into a fresh directory with fs.copy, cp and
// cp+fsync in turn in every iteration (so that all three meet the same
// moods of a shared disk), and reports each one's throughput and
// fs.copy's against cp's.
func benchCopies(b *testing.B, src string, total int64, cpArgs func(dst string) []string) {
	cp, err := exec.LookPath("cp")
	if err != nil {
		b.Skip("no cp here")
	}
	variants := []struct {
		name string
		run  func(dst string) error
	}{
		{"fs.copy", func(dst string) error {
			_, err := newCopyAction().Run(context.Background(), &actions.Env{},
				&CopyParams{From: src, To: dst, Parallel: 4, Verify: "none", SourceTimeout: 30 * time.Second})
			return err
		}},
		{"cp", func(dst string) error { return runCp(cp, cpArgs(dst)) }},
		{"cp+fsync", func(dst string) error {
			if err := runCp(cp, cpArgs(dst)); err != nil {
				return err
			}
			return syncTree(dst)
		}},
	}
	// One untimed round first: the disk has taken in the source, and the
	// page cache holds it, before anything is timed.
	spent := make([]time.Duration, len(variants))
	round := func(timed bool) {
		for i, v := range variants {
			dst, err := os.MkdirTemp(b.TempDir(), "dst")
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if err := v.run(dst); err != nil {
				b.Fatalf("%s: %v", v.name, err)
			}
			if timed {
				spent[i] += time.Since(start)
			}
			os.RemoveAll(dst)
			// Untimed: what cp left dirty is written out here, so that no
			// variant pays for another's writes.
			osFS{}.SyncFS(src)
		}
	}
	round(false)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		round(true)
		n++
	}
	mbps := func(d time.Duration) float64 { return float64(total) * float64(n) / d.Seconds() / 1e6 }
	for i, v := range variants {
		b.ReportMetric(mbps(spent[i]), v.name+"-MB/s")
	}
	b.ReportMetric(spent[1].Seconds()/spent[0].Seconds(), "fs.copy/cp")
}

func runCp(cp string, args []string) error {
	if out, err := exec.Command(cp, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("cp: %v: %s", err, out)
	}
	return nil
}

// syncTree fsyncs every file in dir and dir itself.
func syncTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return osFS{}.SyncDir(dir)
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
	// Synced, so that no copy pays for writing out the source.
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

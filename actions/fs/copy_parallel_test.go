package fs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/actions"
)

// TestCopyParallelDefault: parallel defaults to 4 (as a plan without it
// decodes, and as the preview says), and a copy of many files has that
// many source files open at once: each Open waits until the expected
// number are open together, so a copy with fewer workers never gets
// there and fails the test instead of passing by luck.
func TestCopyParallelDefault(t *testing.T) {
	tests := []struct {
		name string
		with map[string]any
		want int
	}{
		{"default", map[string]any{}, 4},
		{"parallel 2", map[string]any{"parallel": int64(2)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, dst := t.TempDir(), t.TempDir()
			const files = 12
			for i := range files {
				writeFile(t, src, fmt.Sprintf("mgc_%02d.trn", i), strings.Repeat("x", 100+i), i)
			}
			with := map[string]any{"from": src, "to": dst}
			for k, v := range tt.with {
				with[k] = v
			}
			p := params(t, with)
			if p.Parallel != tt.want {
				t.Fatalf("decoded parallel = %d, want %d", p.Parallel, tt.want)
			}
			preview, err := copyType().Preview(&actions.Env{Mode: actions.ModePreview}, p)
			if err != nil || !strings.Contains(preview, fmt.Sprintf("\n  %d at a time", tt.want)) {
				t.Errorf("preview (%v) does not say %d at a time:\n%s", err, tt.want, preview)
			}
			g := &openGauge{together: tt.want, all: make(chan struct{})}
			fsys := &faultFS{}
			fsys.open = g.open(fsys)
			out, err := testAction(fsys).Run(context.Background(), &actions.Env{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if out["files_copied"] != int64(files) {
				t.Errorf("files_copied = %v, want %d", out["files_copied"], files)
			}
			if peak, timedOut := g.result(); timedOut || peak != tt.want {
				t.Errorf("at most %d source files were open at once (gave up waiting: %v), want %d", peak, timedOut, tt.want)
			}
		})
	}
}

// gaveUpAfter bounds the wait of a copy that never gets to `together`
// files open at once: it only ends a failing test.
const gaveUpAfter = 30 * time.Second

// openGauge counts the source files open at once. Its first opens wait
// until `together` are open (or gaveUpAfter passed: a failure).
type openGauge struct {
	together int
	all      chan struct{} // closed once `together` were open at once

	mu       sync.Mutex
	inFlight int
	peak     int
	released bool
	timedOut bool
}

func (g *openGauge) open(fsys *faultFS) func(name string) (srcFile, error) {
	return func(name string) (srcFile, error) {
		f, err := fsys.osFS.Open(name)
		if err != nil {
			return nil, err
		}
		g.mu.Lock()
		g.inFlight++
		g.peak = max(g.peak, g.inFlight)
		if g.inFlight == g.together && !g.released {
			g.released = true
			close(g.all)
		}
		g.mu.Unlock()
		select {
		case <-g.all:
		case <-time.After(gaveUpAfter):
			g.mu.Lock()
			g.timedOut = true
			if !g.released {
				g.released = true
				close(g.all)
			}
			g.mu.Unlock()
		}
		return &gaugedFile{srcFile: f, g: g}, nil
	}
}

func (g *openGauge) result() (peak int, timedOut bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak, g.timedOut
}

// gaugedFile is a source file that the gauge counts until it is closed.
type gaugedFile struct {
	srcFile
	g    *openGauge
	once sync.Once
}

func (f *gaugedFile) Close() error {
	f.once.Do(func() {
		f.g.mu.Lock()
		f.g.inFlight--
		f.g.mu.Unlock()
	})
	return f.srcFile.Close()
}

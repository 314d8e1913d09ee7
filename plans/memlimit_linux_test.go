package plans

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/memlimit"
)

// The bomb tests load a plan in a child process (this test binary,
// re-executed) under a hard address-space limit, as ulimit -v sets it: a
// loader that builds what the plan asks for dies there, instead of
// taking the machine down with it.
const (
	loadChildEnv = "PLANS_TEST_LOAD_CHILD"
	// loadMargin is the address space the child may add to what it has
	// when it starts loading.
	loadMargin = 256 << 20
	// loadWait bounds the child: its error must come in seconds.
	loadWait = 60 * time.Second
)

// TestLoadBombsUnderMemoryLimit loads small plans that would take
// gigabytes: 39 string vars, each the one before twice (24 GB), and a
// base plan that is /dev/zero (read forever). Each must give its error
// within 256 MiB.
func TestLoadBombsUnderMemoryLimit(t *testing.T) {
	if memlimit.RaceEnabled {
		t.Skip("the race detector needs more address space than the limit leaves")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, path, want string
	}{
		{"39 doubling string vars", write("bomb.yaml", stringBomb(39)), "${vars.v16} makes vars.v17 longer than 1 MiB"},
		{"extends /dev/zero", write("zero.yaml", "version: 1\nname: x\nextends: /dev/zero\nsteps: []\n"),
			"read base plan: /dev/zero is a character device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if size := fileSize(t, tt.path); size > 2000 {
				t.Fatalf("the plan has %d bytes; the attack is a small file", size)
			}
			out, err := loadInChild(tt.path)
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out[:min(len(out), 3000)])
			}
			if !strings.HasPrefix(out, "error: "+tt.want) {
				t.Fatalf("child's first finding:\n%s\nwant %q", out[:min(len(out), 3000)], tt.want)
			}
		})
	}
}

// stringBomb is a plan of n vars of 16 bytes, each the one before twice.
func stringBomb(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: bomb\nvars:\n  v0: 'xxxxxxxxxxxxxxxx'\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  v%d: '${vars.v%d}${vars.v%d}'\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "steps:\n  - id: a\n    action: exec.run\n    with: { program: echo, args: ['${vars.v%d}'] }\n", n-1)
	return b.String()
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// loadInChild runs TestLoadChild on path and returns what it printed.
func loadInChild(path string) (string, error) {
	child := exec.Command(os.Args[0], "-test.run=^TestLoadChild$")
	child.Env = append(os.Environ(), loadChildEnv+"="+path, memlimit.ChildEnv)
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(loadWait):
		child.Process.Kill()
		<-done
		return out.String(), fmt.Errorf("no error within %s", loadWait)
	}
}

// TestLoadChild is the child of TestLoadBombsUnderMemoryLimit: it loads
// the plan named in its environment under a hard address-space limit and
// prints the first finding.
func TestLoadChild(t *testing.T) {
	path := os.Getenv(loadChildEnv)
	if path == "" {
		t.Skip("the child process of TestLoadBombsUnderMemoryLimit")
	}
	if err := memlimit.Limit(loadMargin); err != nil {
		t.Fatal(err)
	}
	_, ds := Load(path, Options{Registry: testRegistry()})
	if len(ds) == 0 {
		t.Fatal("no finding")
	}
	fmt.Printf("%s: %s\n", ds[0].Severity, ds[0].Message)
}

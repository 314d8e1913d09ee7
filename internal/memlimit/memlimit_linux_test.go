package memlimit

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestVMSize(t *testing.T) {
	size, err := VMSize()
	if err != nil {
		t.Fatal(err)
	}
	if size < 1<<20 {
		t.Errorf("VMSize() = %d bytes, want at least a MiB for a Go test binary", size)
	}
}

const childEnv = "MEMLIMIT_TEST_CHILD"

// TestLimitStopsAGrowingChild: a child limited to 64 MiB more than it has
// cannot allocate 512 MiB.
func TestLimitStopsAGrowingChild(t *testing.T) {
	if RaceEnabled {
		t.Skip("the race detector needs more address space than the limit leaves")
	}
	child := exec.Command(os.Args[0], "-test.run=^TestLimitChild$")
	child.Env = append(os.Environ(), childEnv+"=1", ChildEnv)
	out, err := child.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "out of memory") {
		t.Fatalf("child: %v\n%s; want it dead of running out of memory", err, out[:min(len(out), 2000)])
	}
}

// TestLimitChild is the child of TestLimitStopsAGrowingChild.
func TestLimitChild(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("the child process of TestLimitStopsAGrowingChild")
	}
	if err := Limit(64 << 20); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 512<<20)
	for i := range b {
		b[i] = 1
	}
	t.Logf("allocated %d bytes", len(b))
}

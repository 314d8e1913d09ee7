package tds

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/failover-dev/failover/internal/memlimit"
)

// The memory test runs the server in a child process (this test binary,
// re-executed) under a hard address-space limit (as ulimit -v sets): a
// server that keeps what clients send without bound dies of it.
const (
	memChildEnv = "TDS_TEST_MEMORY_CHILD"
	// memMargin is the address space the child may add to what it has
	// when it starts serving: far less than what the clients send, far
	// more than 40 requests of the default size limit.
	memMargin    = 512 << 20
	memClients   = 40
	memPerClient = 24 << 20
)

// TestManyUnendingRequestsStayBounded is the attack the lab must survive:
// 40 logged-in clients each send a batch of 24 MiB (960 MiB in all)
// without its end; half then stop, the other half end it. The server,
// limited to 512 MiB more address space than it started with, answers the
// second half with error 50000, drops the first half at the request
// timeout, and serves a new client afterwards.
func TestManyUnendingRequestsStayBounded(t *testing.T) {
	switch {
	case testing.Short():
		t.Skip("sends 960 MiB over loopback")
	case memlimit.RaceEnabled:
		t.Skip("the race detector needs more address space than the limit leaves")
	}
	child := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.v")
	child.Env = append(os.Environ(), memChildEnv+"=1", memlimit.ChildEnv)
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	var stderr strings.Builder
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	addr, err := childAddr(stdout)
	if err != nil {
		child.Wait()
		t.Fatalf("child: %v\n%s", err, stderr.String())
	}
	var wg sync.WaitGroup
	errs := make(chan error, memClients)
	for i := range memClients {
		wg.Go(func() {
			eom := i%2 == 1
			got, err := sendUnending(addr, memPerClient, eom)
			switch {
			case err != nil:
				errs <- fmt.Errorf("client %d: %w", i, err)
			case eom && (len(got) != 1 || got[0] != 50000):
				errs <- fmt.Errorf("client %d: errors %v, want [50000]", i, got)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, err := sendUnending(addr, 0, true); err != nil || len(got) != 1 || got[0] != 50000 {
		t.Errorf("a new client afterwards: errors %v, %v; want [50000] (the lab does not support \"x\")", got, err)
	}
	stdin.Close()
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, head(stderr.String(), 3000))
	}
}

// childAddr reads the address the child serves on.
func childAddr(stdout io.Reader) (string, error) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "addr "); ok {
			go io.Copy(io.Discard, stdout)
			return addr, nil
		}
	}
	return "", errors.New("exited before serving")
}

func head(s string, n int) string { return s[:min(len(s), n)] }

// TestMemoryChild is the child of TestManyUnendingRequestsStayBounded: a
// server with the default limits (the request timeout shortened) under
// a hard address-space limit, serving until its stdin closes.
func TestMemoryChild(t *testing.T) {
	if os.Getenv(memChildEnv) == "" {
		t.Skip("the child process of TestManyUnendingRequestsStayBounded")
	}
	srv := NewServer(Config{RequestTimeout: 3 * time.Second}, newTestHandler())
	addr, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := memlimit.Limit(memMargin); err != nil {
		t.Fatal(err)
	}
	debug.SetMemoryLimit(memMargin / 2) // the collector runs before the hard limit is reached
	fmt.Printf("addr %s\n", addr)
	io.Copy(io.Discard, os.Stdin)
}

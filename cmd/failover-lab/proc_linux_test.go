package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestProcessAliveZombie: a process that exited but was not reaped (as a
// killed lab is until init reaps it) is not alive, so up starts a new lab.
func TestProcessAliveZombie(t *testing.T) {
	child := exec.Command(os.Args[0], "-test.run=^TestHelperSleep$")
	child.Env = append(os.Environ(), "FAILOVER_LAB_TEST_SLEEP=1")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	pid := child.Process.Pid
	if !processAlive(pid) {
		t.Fatal("a running child is not alive")
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Not reaped (no Wait yet): a zombie until the deferred Wait.
	deadline := time.Now().Add(5 * time.Second)
	for !zombie(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processAlive(pid) {
		t.Error("a killed, unreaped child counts as alive")
	}
}

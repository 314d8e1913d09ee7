//go:build unix

package main

import (
	"os/signal"
	"syscall"
)

// A reader that goes away (`failover apply plan.yaml | head -4`) must not
// kill a run between a step's start record and its action: with SIGPIPE
// ignored, a write to a closed pipe fails with EPIPE instead, output is
// lost, and the run goes on with its journal true.
func init() {
	signal.Ignore(syscall.SIGPIPE)
}

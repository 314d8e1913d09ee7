package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// twoStage names the commands that act on the world: for them a first
// SIGINT or SIGTERM cancels the running steps, so that the journal
// records it, and a second one exits at once. Every other command
// (validate, plan, graph, …) has nothing to record and exits at the first.
var twoStage = map[string]bool{"apply": true, "resume": true}

// watchSignals handles SIGINT and SIGTERM for the command that args name
// (as root resolves them) until the returned stop is called.
func watchSignals(root *cobra.Command, args []string, cancel context.CancelFunc, stderr io.Writer) (stop func()) {
	sigCh := make(chan os.Signal, 2)
	signal.Notify(sigCh, os.Interrupt, syscall.SIGTERM)
	cmd, _, err := root.Find(args)
	if err != nil || !twoStage[cmd.Name()] {
		go func() {
			// Nothing is written first: stderr may be a pipe nobody reads.
			os.Exit(signalCode(<-sigCh))
		}()
		return func() { signal.Stop(sigCh) }
	}
	go func() {
		<-sigCh
		fmt.Fprintln(stderr, "interrupt: cancelling running steps (press Ctrl-C again to exit at once)")
		cancel()
		<-sigCh
		fmt.Fprintln(stderr, "interrupt: exiting now")
		os.Exit(exitInterrupted)
	}()
	return func() { signal.Stop(sigCh) }
}

// signalCode is the exit code for a command ended by sig: 128 + its
// number, as shells report it.
func signalCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

// Command failover-lab plays a datacenter on one machine for drills, demos
// and tests: simulated SQL Server instances on loopback ports (TDS, TLS),
// log shipping with a backup share of lab backup files, faults and a
// statement log. It is a simulator: see docs/lab.md for what it does and
// does not do.
//
//	failover-lab up --dir DIR [--config lab.yaml]   start in the background
//	failover-lab env --dir DIR                      print lab.env
//	failover-lab status --dir DIR
//	failover-lab fault add|list|clear --dir DIR …
//	failover-lab down --dir DIR
//	failover-lab serve --dir DIR                    run in the foreground
//	failover-lab lync shell --dir DIR -EncodedCommand …   the Lync Management Shell stand-in
//	failover-lab lync status|fault add|list|clear --dir DIR …
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// Exit codes, set here and nowhere else.
const (
	exitOK         = 0
	exitFailed     = 1
	exitUsage      = 2
	exitNotRunning = 3
)

// usageError is a mistake in the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// notRunningError is status's answer for a stopped lab (exit 3).
type notRunningError struct{ dir string }

func (e notRunningError) Error() string { return "lab " + e.dir + " is not running" }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if shell, ok := shellArgs(args); ok {
		return runShell(shell, stdout, stderr)
	}
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	var usage usageError
	var stopped notRunningError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &stopped):
		return exitNotRunning
	case errors.As(err, &usage):
		fmt.Fprintf(stderr, "failover-lab: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "failover-lab: %v\n", err)
	return exitFailed
}

// version is set at build time with -ldflags "-X main.version=…" (make
// build does).
var version = "dev"

// globals are the flags every subcommand shares.
type globals struct {
	dir       string
	logFormat string
	stdout    io.Writer
	stderr    io.Writer
}

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "failover-lab",
		Short:         "A simulated datacenter (SQL Server over TDS, log shipping) for failover drills and tests",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.dir, "dir", os.Getenv("FAILOVER_LAB_DIR"), "the lab dir (default $FAILOVER_LAB_DIR)")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "auto", "log format: auto, console or json")
	root.AddCommand(
		newUpCmd(g), newServeCmd(g), newDownCmd(g), newStatusCmd(g), newEnvCmd(g), newFaultCmd(g),
		newLyncCmd(g),
	)
	return root
}

// logger is console output on a terminal and JSON lines otherwise (or as
// --log-format says), always on stderr.
func (g *globals) logger() (zerolog.Logger, error) {
	var w io.Writer = g.stderr
	f, ok := g.stderr.(*os.File)
	terminal := ok && isatty.IsTerminal(f.Fd())
	switch g.logFormat {
	case "json":
	case "console":
		// Colours only on a terminal: a log file gets plain text.
		w = zerolog.ConsoleWriter{Out: g.stderr, NoColor: !terminal}
	case "auto":
		if terminal {
			w = zerolog.ConsoleWriter{Out: g.stderr}
		}
	default:
		return zerolog.Nop(), usageError{fmt.Errorf("unknown --log-format %q (auto, console or json)", g.logFormat)}
	}
	return zerolog.New(w).With().Timestamp().Logger(), nil
}

// labDir resolves --dir.
func (g *globals) labDir() (labDir, error) { return newLabDir(g.dir) }

// logAndDir is what the commands that start or stop a lab need first.
func (g *globals) logAndDir() (zerolog.Logger, labDir, error) {
	log, err := g.logger()
	if err != nil {
		return log, labDir{}, err
	}
	d, err := g.labDir()
	return log, d, err
}

package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/plans"
)

// app is what every command shares: streams, global flags, the logger and
// the registry. Commands receive it from newRootCmd.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// Global flags.
	logFormat string // auto, console, json
	logLevel  string
	stateDir  string
	stateURL  string // --state: a shared store (etcd://…); "" is stateDir

	// backend is where journals and locks live, opened by state() on
	// first use and closed when the command ends.
	backend store.Backend

	// Set by setup, before any command runs.
	log      zerolog.Logger
	registry *actions.Registry
	limits   plans.Limits // on loading plans, from FAILOVER_MAX_*_SIZE
	// logOut is where console log lines go: the terminal, or the
	// progress bars while a run shows them (nil with JSON logs).
	logOut *switchWriter
}

// switchWriter is a writer whose destination can change while in use.
type switchWriter struct {
	mu sync.Mutex // guards w
	w  io.Writer
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	return w.Write(p)
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

// showProgress renders the progress of long steps as bars when the log
// is a console on a terminal (a JSON log carries progress as records).
// Log lines go above the bars meanwhile. The returned stop ends the bars.
func (a *app) showProgress(cfg *engine.Config) (stop func()) {
	if a.logOut == nil || !isTerminal(a.stderr) || !hasWidth(a.stderr, minBarsWidth) {
		return func() {}
	}
	b := newBars(a.stderr)
	a.logOut.set(b)
	cfg.Progress = b.event
	return func() {
		b.finish()
		a.logOut.set(a.stderr)
	}
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr}
}

func (a *app) addGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&a.logFormat, "log-format", "auto", "log format: auto (console on a terminal, else JSON lines), console or json")
	f.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	def := os.Getenv("FAILOVER_STATE_DIR")
	if def == "" {
		def = ".failover"
	}
	f.StringVar(&a.stateDir, "state-dir", def, "directory of journals and locks (env FAILOVER_STATE_DIR)")
	f.StringVar(&a.stateURL, "state", os.Getenv(stateEnv), "keep journals and locks on etcd instead of --state-dir: "+
		"etcd://host:2379[,host:2379…]/prefix (env "+stateEnv+"; TLS and credentials only from the environment, see docs/shared-state.md)")
}

// setup builds the logger and the registry. Logging is configured here and
// only here: libraries take the logger they are given.
func (a *app) setup() error {
	level, err := zerolog.ParseLevel(a.logLevel)
	if err != nil || a.logLevel == "" {
		return fmt.Errorf("bad --log-level %q: want debug, info, warn or error", a.logLevel)
	}
	var w io.Writer
	switch a.logFormat {
	case "json":
		w = a.stderr
	case "console":
		a.logOut = &switchWriter{w: a.stderr}
		w = zerolog.ConsoleWriter{Out: a.logOut, TimeFormat: time.TimeOnly, NoColor: !isTerminal(a.stderr)}
	case "auto":
		if isTerminal(a.stderr) {
			a.logOut = &switchWriter{w: a.stderr}
			w = zerolog.ConsoleWriter{Out: a.logOut, TimeFormat: time.TimeOnly}
		} else {
			w = a.stderr
		}
	default:
		return fmt.Errorf("bad --log-format %q: want auto, console or json", a.logFormat)
	}
	// Steps run in parallel and log at once: serialise the writes.
	a.log = zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger()
	a.registry = builtin.New()
	if a.limits, err = planLimits(os.Getenv); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(plans.CLIGCPercent)
	}
	return nil
}

// isTerminal reports whether w is a terminal (a console on Windows).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// interactive reports whether the operator can be asked questions.
func (a *app) interactive() bool { return isTerminal(a.stdin) && isTerminal(a.stderr) }

// varFlags are the --var and --vars-file flags of commands that load a plan.
type varFlags struct {
	vars      []string
	varsFiles []string
}

func (v *varFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&v.vars, "var", nil, "override a plan var: key=value (repeatable; applied after --vars-file)")
	cmd.Flags().StringArrayVar(&v.varsFiles, "vars-file", nil, "YAML file of var values (repeatable, applied in order)")
}

// check rejects a malformed --var and a --vars-file that cannot be read
// as bad usage (exit 2), before any plan is loaded: they are mistakes on
// the command line, not defects of a plan, and would otherwise be
// reported once for every plan validated.
func (v *varFlags) check(a *app) error {
	if v == nil {
		return nil
	}
	for _, kv := range v.vars {
		if _, _, err := plans.ParseVarFlag(kv); err != nil {
			return withCode(exitUsage, err)
		}
	}
	for _, f := range v.varsFiles {
		// readable, not only present (permissions); a regular file, not a pipe
		if _, err := a.readPlanFile(f); err != nil {
			return withCode(exitUsage, fmt.Errorf("read --vars-file: %w", err))
		}
	}
	return nil
}

func (v *varFlags) options(a *app) plans.Options {
	return plans.Options{Registry: a.registry, Vars: v.vars, VarsFiles: v.varsFiles, Limits: a.limits}
}

// loadPlan loads and validates one plan. Diagnostics go to stderr with
// their source lines; an invalid plan is an exit-2 error (it cannot run).
func (a *app) loadPlan(path string, v *varFlags) (*plans.Plan, error) {
	if err := v.check(a); err != nil {
		return nil, err
	}
	p, diags := plans.Load(path, v.options(a))
	if len(diags) > 0 {
		if err := plans.RenderText(a.stderr, diags, a.readPlanFile); err != nil {
			return nil, err
		}
	}
	if diags.HasErrors() || p == nil {
		return nil, withCode(exitUsage, fmt.Errorf("plan %s is invalid: %d error(s)", path, countErrors(diags)))
	}
	return p, nil
}

func countErrors(ds plans.Diagnostics) int {
	n := 0
	for _, d := range ds {
		if d.Severity == plans.SeverityError {
			n++
		}
	}
	return n
}

// minBarsWidth is the narrowest terminal the bars are drawn on: a step
// name, the bar and its counts need room. A terminal that reports no size
// (some serial consoles and SSH sessions) gets log lines instead.
const minBarsWidth = 60

// hasWidth reports whether w is a terminal at least width columns wide.
func hasWidth(w io.Writer, width int) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	return err == nil && cols >= width
}

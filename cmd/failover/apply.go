package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/plans"
)

// runFlags are the flags apply and resume share.
type runFlags struct {
	vars        varFlags
	parallelism int
	only        []string
	from        string
	deadline    time.Duration
	approve     []string
	autoApprove bool
	yes         bool
	lockLease   time.Duration
}

func (f *runFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVar(&f.parallelism, "parallelism", engine.DefaultParallelism, "how many steps may run at once")
	fl.StringSliceVar(&f.only, "only", nil, "run only these steps (repeatable or comma-separated; journaled)")
	fl.StringVar(&f.from, "from", "", "run this step and its descendants only (journaled)")
	fl.DurationVar(&f.deadline, "deadline", 0, "bound the whole run (overrides the plan's deadline)")
	fl.StringSliceVar(&f.approve, "approve", nil, "approve this approval step without asking (repeatable)")
	fl.BoolVar(&f.autoApprove, "auto-approve", false, "apply without asking for confirmation and approve every approval step")
	fl.BoolVarP(&f.yes, "yes", "y", false, "start without asking for confirmation; approval steps still wait for an operator")
	fl.DurationVar(&f.lockLease, "lock-lease", envDuration(lockLeaseEnv, engine.DefaultLockLease),
		"how long the plan's lock outlives a silent holder: on etcd, how long another host waits to resume after this one dies (env "+lockLeaseEnv+")")
	f.vars.add(cmd)
}

// check rejects flag values that make no sense.
func (f *runFlags) check() error {
	if f.parallelism < 1 {
		return withCode(exitUsage, fmt.Errorf("--parallelism %d: want at least 1", f.parallelism))
	}
	if f.lockLease < time.Second {
		return withCode(exitUsage, fmt.Errorf("--lock-lease %s (or %s=%q): want a duration of at least 1s",
			f.lockLease, lockLeaseEnv, os.Getenv(lockLeaseEnv)))
	}
	if f.deadline < 0 {
		return withCode(exitUsage, fmt.Errorf("--deadline %s: want a positive duration", f.deadline))
	}
	return nil
}

// loadPlan checks the flags, then loads and validates the plan, and
// opens the state backend the run keeps its journal and lock in.
func (f *runFlags) loadPlan(a *app, path string) (*plans.Plan, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	p, err := a.loadPlan(path, &f.vars)
	if err != nil {
		return nil, err
	}
	if _, err := a.state(); err != nil {
		return nil, err
	}
	return p, nil
}

// config builds the engine's configuration for a loaded plan; term is
// nil without a terminal.
func (f *runFlags) config(a *app, p *plans.Plan, term *terminalApprover) engine.Config {
	cfg := engine.Config{Plan: p, Registry: a.registry, State: a.backend, Parallelism: f.parallelism,
		Log: a.log, Approve: f.approve, AutoApprove: f.autoApprove, Only: f.only, From: f.from,
		Deadline: f.deadline, Version: version, LockLease: f.lockLease}
	if term != nil {
		cfg.Approver = term
	}
	return cfg
}

func newApplyCmd(a *app) *cobra.Command {
	var rf runFlags
	var newRun bool
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Run a plan: print it, ask for confirmation, run every step with a durable journal",
		Long: "apply prints the plan's steps in order and asks for confirmation (unless --auto-approve or\n" +
			"--yes; without a terminal the answer is a line on standard input, or --approve STEP), then\n" +
			"runs them: preflight checks first, then each step with its checks, retries and timeout, every\n" +
			"start and outcome in the run's journal under the state dir. An interrupted or failed run is\n" +
			"continued with `failover resume PLAN`; apply refuses while one is unfinished.\n\n" +
			"--new-run sets the plan's unfinished run aside and starts a new one instead: for a run resume\n" +
			"cannot continue (its journal damaged or cut short) or one you mean to abandon. It says why\n" +
			"that run is unfinished and asks first (y/N on the terminal; --yes answers without one; not\n" +
			"--auto-approve). The new run's journal records which run it set aside, why and how you\n" +
			"confirmed; the old journal is kept as <run>.journal.set-aside. Steps the old run did may\n" +
			"run again: their actions' probes and skip_if decide.\n\n" +
			"Exit codes: 0 done; 1 a step failed; 2 cannot run (invalid plan, missing secret, preflight\n" +
			"failed, lock held, unfinished run); 3 waiting for the operator; 130 interrupted.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := rf.loadPlan(a, args[0])
			if err != nil {
				return err
			}
			printPlan(a.stdout, p)
			term := a.terminal()
			var aside *engine.SetAside
			if newRun {
				if aside, err = a.confirmNewRun(cmd.Context(), term, &rf, p); err != nil {
					return err
				}
			}
			// Without a terminal, steps approved on the command line say the
			// operator meant to run this unattended: that is the answer.
			if !rf.autoApprove && !rf.yes && (term != nil || len(rf.approve) == 0) {
				if err := a.confirm(cmd.Context(), term, fmt.Sprintf("Apply plan %s (%d steps)?", p.Name, len(p.Steps)), noTerminalApply,
					"not confirmed: nothing ran"); err != nil {
					return err
				}
			}
			cfg := rf.config(a, p, term)
			stop := a.showProgress(&cfg)
			var sum *engine.Summary
			if aside != nil {
				sum, err = engine.RunAfresh(cmd.Context(), cfg, *aside)
			} else {
				sum, err = engine.Run(cmd.Context(), cfg)
			}
			stop()
			return a.finishRun(sum, err)
		},
	}
	rf.add(cmd)
	cmd.Flags().BoolVar(&newRun, "new-run", false, "set the plan's unfinished run aside (asked first; journaled) and start a new run")
	return cmd
}

// noTerminalNewRun is apply --new-run's answer when no one can be asked.
const noTerminalNewRun = "no terminal to ask whether to set the unfinished run aside: nothing done; " +
	"pass --yes to set it aside and start a new run"

// confirmNewRun names the plan's unfinished run and why it is unfinished,
// and asks whether to set it aside (--yes answers without asking). It
// returns the run to set aside, with how the operator confirmed.
func (a *app) confirmNewRun(ctx context.Context, term *terminalApprover, rf *runFlags, p *plans.Plan) (*engine.SetAside, error) {
	last, why, err := engine.Unfinished(rf.config(a, p, term))
	if err != nil {
		return nil, withCode(exitUsage, err)
	}
	if last == nil {
		return nil, withCode(exitUsage, fmt.Errorf("--new-run: plan %s has no unfinished run to set aside; "+
			"apply it without --new-run", p.Name))
	}
	fmt.Fprintf(a.stderr, "Run %s of plan %s is unfinished: %s.\n", last.RunID, p.Name, strings.ReplaceAll(why, "\n", " "))
	aside := &engine.SetAside{RunID: last.RunID, How: "--yes"}
	if rf.yes {
		return aside, nil
	}
	question := fmt.Sprintf("Set run %s aside (its journal is kept as %s.set-aside) and start a new run? Steps it did may run again.",
		last.RunID, filepath.Base(last.Path))
	if err := a.confirm(ctx, term, question, noTerminalNewRun, "not confirmed: nothing set aside, nothing ran"); err != nil {
		return nil, err
	}
	aside.How = "standard input"
	if term != nil {
		aside.How = "terminal"
	}
	return aside, nil
}

// printPlan lists the steps in file order with their dependencies.
func printPlan(w io.Writer, p *plans.Plan) {
	fmt.Fprintf(w, "Plan %s", p.Name)
	if p.Description != "" {
		fmt.Fprintf(w, ": %s", p.Description)
	}
	fmt.Fprintf(w, "\n")
	for i, s := range p.Steps {
		fmt.Fprintf(w, "  %2d. %s (%s)", i+1, s.ID, s.Action)
		if s.Target != "" {
			fmt.Fprintf(w, " on %s", s.Target)
		}
		if len(s.Deps) > 0 {
			fmt.Fprintf(w, " after %s", strings.Join(s.Deps, ", "))
		}
		if s.Description != "" {
			fmt.Fprintf(w, " — %s", s.Description)
		}
		fmt.Fprintln(w)
	}
}

// noTerminalApply is apply's answer when no one can be asked.
const noTerminalApply = "no terminal to ask for confirmation on: nothing ran; pass --yes to start unattended " +
	"(approval steps then wait with exit 3), or --auto-approve to approve them too"

// confirm asks the operator a yes/no question before anything is done:
// on the terminal, or, without one, from a line on standard input (as in
// `echo y | failover apply plan.yaml`). No answer at all (standard input
// empty or closed) refuses with noTerminal, which says how to go on.
// Ctrl-C while it waits for the answer ends it at once (exit 130).
func (a *app) confirm(ctx context.Context, term *terminalApprover, question, noTerminal, refused string) error {
	if term == nil && isTerminal(a.stdin) {
		// A terminal for input but not for the question (stderr
		// redirected): the operator would not see what is asked.
		return withCode(exitUsage, errors.New(noTerminal))
	}
	type answer struct {
		ok  bool
		err error
	}
	ansCh := make(chan answer, 1)
	go func() {
		if term != nil {
			ok, err := term.ask(ctx, question)
			ansCh <- answer{ok, err}
			return
		}
		fmt.Fprintf(a.stderr, "%s [y/N] ", question)
		ok, err := readAnswer(bufio.NewReader(a.stdin))
		fmt.Fprintln(a.stderr)
		if errors.Is(err, io.EOF) {
			err = errors.New(noTerminal)
		}
		ansCh <- answer{ok, err}
	}()
	select {
	case <-ctx.Done():
		return withCode(exitInterrupted, errors.New("interrupted while asking: nothing done"))
	case ans := <-ansCh:
		if ans.err != nil {
			return withCode(exitUsage, ans.err)
		}
		if !ans.ok {
			return withCode(exitUsage, errors.New(refused))
		}
	}
	return nil
}

// finishRun prints the run's summary and maps its error to an exit code.
func (a *app) finishRun(sum *engine.Summary, err error) error {
	if sum != nil {
		printSummary(a.stdout, sum)
	}
	if err == nil {
		return nil
	}
	return withCode(engine.ExitCode(err), err)
}

// printSummary shows every step's end state; the root causes once.
func printSummary(w io.Writer, sum *engine.Summary) {
	fmt.Fprintf(w, "\nRun %s of %s: %s (journal %s)\n", sum.RunID, sum.Plan, sum.State, sum.JournalPath)
	writeStepTable(w, sum.Steps)
	if len(sum.RootCauses) > 0 {
		fmt.Fprintf(w, "Failed: %s\n", strings.Join(sum.RootCauses, ", "))
	}
	if len(sum.Left) > 0 {
		fmt.Fprintf(w, "Left out by --only/--from, not done: %s; `failover resume` runs them\n", strings.Join(sum.Left, ", "))
	}
}

// writeStepTable is the table status and the summary share.
func writeStepTable(w io.Writer, steps []engine.StepResult) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATE\tATTEMPTS\tLAST ATTEMPT\tELAPSED\tLAST ERROR / NOTE")
	for _, s := range steps {
		detail := s.Error
		if detail == "" {
			detail = s.Note
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.ID, s.State, s.Attempts, durText(s.Duration), durText(s.Elapsed), oneLine(detail))
	}
	tw.Flush()
}

// durText renders a step's duration; "-" when there is none.
func durText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// terminalApprover asks on the terminal: y/N, one question at a time.
// One goroutine reads standard input for the whole command and hands
// each line to the question waiting for it; a question that ended
// (Ctrl-C, its context) leaves no reader behind that would swallow the
// answer to the next one.
type terminalApprover struct {
	mu    sync.Mutex // one question at a time: steps run in parallel
	lines *lineReader
	out   io.Writer
	who   string
}

// lineReader reads lines from a reader on one goroutine, started on
// first use.
type lineReader struct {
	in      *bufio.Reader
	once    sync.Once
	linesCh chan lineRead
}

type lineRead struct {
	line string
	err  error
}

func newLineReader(in io.Reader) *lineReader {
	return &lineReader{in: bufio.NewReader(in), linesCh: make(chan lineRead, 16)}
}

// next waits for the next line typed after it was called: lines typed
// before (ahead of the question) are dropped.
func (lr *lineReader) next(ctx context.Context) (string, error) {
	lr.once.Do(func() {
		go func() {
			for {
				line, err := lr.in.ReadString('\n')
				lr.linesCh <- lineRead{line, err}
				if err != nil {
					return
				}
			}
		}()
	})
	for drained := false; !drained; {
		select {
		case r := <-lr.linesCh:
			if r.err != nil {
				return r.line, r.err
			}
		default:
			drained = true
		}
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-lr.linesCh:
		if r.err != nil {
			// End of input stays the answer for every later question.
			lr.linesCh <- lineRead{err: r.err}
		}
		return r.line, r.err
	}
}

// terminal returns a terminal approver that owns stdin for the command,
// or nil when the operator cannot be asked.
func (a *app) terminal() *terminalApprover {
	if !a.interactive() {
		return nil
	}
	return &terminalApprover{lines: newLineReader(a.stdin), out: a.stderr, who: operatorName()}
}

// operatorName names who answers on the terminal, for the journal.
func operatorName() string { return lock.CurrentUser() }

// Approve asks whether an approval step may pass. It waits as long as
// ctx allows (the run's deadline); a cancelled run stops waiting at once.
func (t *terminalApprover) Approve(ctx context.Context, stepID, prompt string) (actions.Approval, error) {
	ok, err := t.ask(ctx, prompt)
	if err != nil {
		return actions.Approval{}, err
	}
	return actions.Approval{Approved: ok, By: t.who, At: time.Now(), How: "terminal"}, nil
}

// ask shows the question and waits for the answer typed after it.
func (t *terminalApprover) ask(ctx context.Context, question string) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.out, "%s [y/N] ", question)
	line, err := t.lines.next(ctx)
	if err != nil && (line == "" || ctx.Err() != nil) {
		if ctx.Err() != nil {
			fmt.Fprintln(t.out)
			return false, ctx.Err()
		}
		return false, fmt.Errorf("read answer: %w", err)
	}
	return isYes(line), nil
}

// readAnswer reads one line: "y" or "yes" (any case) is yes, anything
// else no. Nothing at all before the end of input is an error wrapping
// io.EOF.
func readAnswer(in *bufio.Reader) (bool, error) {
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("read answer: %w", err)
	}
	return isYes(line), nil
}

// isYes: "y" or "yes", any case, is yes; anything else no.
func isYes(line string) bool {
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes"
}

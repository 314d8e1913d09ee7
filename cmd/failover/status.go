package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
	"github.com/failover-dev/failover/plans"
)

func newStatusCmd(a *app) *cobra.Command {
	var format string
	var watch bool
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "status [PLAN|RUN]",
		Short: "Show a run's steps (or, with no argument, every run in the state dir)",
		Long: "status shows the steps of a run with their state (pending, running, succeeded, satisfied,\n" +
			"skipped, failed, in-doubt, waiting), attempts, duration and last error. PLAN is a plan file\n" +
			"or a plan name (its latest run is shown), RUN a run id. With no argument it lists the runs\n" +
			"in the state dir.\n\n" +
			"--watch shows the run again at every change, live, whichever host runs it: on etcd (--state)\n" +
			"as each record is committed, in a state dir by looking every second. It ends when the run\n" +
			"has succeeded, or with Ctrl-C; with PLAN it follows the plan's latest run, and waits for one.\n" +
			"With --format json each view is one line.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want table or json", format))
			}
			switch {
			case watch && len(args) == 0:
				return withCode(exitUsage, errors.New("--watch follows one run: name a PLAN or a RUN"))
			case watch:
				return a.watchRun(cmd.Context(), args[0], &vf, format)
			case len(args) == 0:
				return a.listRuns(format)
			}
			v, err := a.runView(args[0], &vf)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(a.stdout, v)
			}
			writeRunView(a.stdout, v)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().BoolVar(&watch, "watch", false, "show the run again at every change until it has succeeded (Ctrl-C ends it)")
	vf.add(cmd)
	return cmd
}

// writeRunView writes a run as status shows it.
func writeRunView(w io.Writer, v *runView) {
	fmt.Fprintf(w, "Run %s of %s: %s (started %s by %s on %s)\n", v.RunID, v.Plan, v.State,
		v.Started.Format(time.RFC3339), v.User, v.Host)
	writeStepTable(w, v.Steps)
}

// runView is one run as status shows it; its JSON form is stable.
type runView struct {
	Plan    string              `json:"plan"`
	RunID   string              `json:"run"`
	State   string              `json:"state"`
	User    string              `json:"user"`
	Host    string              `json:"host"`
	Started time.Time           `json:"started"`
	Journal string              `json:"journal"`
	Steps   []engine.StepResult `json:"steps"`
}

// runView finds the run named by arg (a plan file or a run id) and folds
// its journal.
func (a *app) runView(arg string, vf *varFlags) (*runView, error) {
	b, err := a.state()
	if err != nil {
		return nil, err
	}
	var order []string
	actions := map[string]string{}
	var info journal.RunInfo
	switch _, serr := os.Stat(arg); {
	case journal.ValidRunID(arg):
		info, err = findRunByID(b, arg)
	case serr != nil && looksLikeFile(arg):
		return nil, withCode(exitUsage, fmt.Errorf("plan file %s: %w", arg, serr))
	case serr != nil:
		// Not a file: a plan name as the state dir spells it.
		info, err = latestRun(b, arg)
	default:
		p, lerr := a.loadPlan(arg, vf)
		if lerr != nil {
			return nil, lerr
		}
		order, actions = stepOrder(p)
		info, err = latestRun(b, p.Name)
	}
	if err != nil {
		return nil, err
	}
	return a.viewOf(b, info, order, actions)
}

// viewOf reads and folds the journal of run info (as listed), its steps
// in order (nil: the journal's) with their actions.
func (a *app) viewOf(b store.Backend, info journal.RunInfo, order []string, actions map[string]string) (*runView, error) {
	rep, err := b.Read(info.Path)
	if rep == nil {
		return nil, withCode(exitFailed, engine.JournalHint("PLAN", info.Path, err))
	}
	if rep.Damage != nil {
		// Shown as far as it can be read; the operator must know the rest
		// is missing.
		fmt.Fprintf(a.stderr, "warning: journal %s: %s\n", info.Path, damageText(rep.Damage, info.RunID))
	}
	rs := engine.Fold(rep)
	holder := readHolder(b, info.Plan)
	live := heldLive(holder, info.RunID)
	stale := staleText(holder, info.RunID)
	if stale != "" {
		// Its steps without an outcome are in doubt, not running.
		live = false
	}
	h := rep.Header
	steps := rs.Results(order, live)
	for i := range steps {
		if steps[i].Action == "" {
			steps[i].Action = actions[steps[i].ID]
		}
	}
	state := runState(rs, live)
	info.Records, info.Err = len(rep.Records), err
	if short := engine.CutShort(b, info, holder); short != nil {
		fmt.Fprintf(a.stderr, "warning: %s\n", short)
		state = "journal cut short: resume refuses it (see the warning)"
	}
	if stale != "" {
		state = stale + fmt.Sprintf("; if that run is dead, `failover unlock %s --run %s`", info.Plan, info.RunID)
	}
	return &runView{Plan: h.PlanName, RunID: h.RunID, State: state, User: h.User, Host: h.Host,
		Started: h.Started, Journal: info.Path, Steps: steps}, nil
}

// stepOrder returns a plan's step ids in file order, and their actions.
func stepOrder(p *plans.Plan) ([]string, map[string]string) {
	order, actions := make([]string, len(p.Steps)), make(map[string]string, len(p.Steps))
	for i, s := range p.Steps {
		order[i], actions[s.ID] = s.ID, s.Action
	}
	return order, actions
}

// looksLikeFile reports whether arg names a plan file rather than a plan
// name: plan names are [a-z0-9-]+, so a dot or a separator says file.
func looksLikeFile(arg string) bool {
	return strings.ContainsAny(arg, `./\`)
}

// runState says how a run stands: how it ended, running, or stopped
// without an end (the process died, or a forced repair cut its end off).
func runState(rs *engine.RunState, live bool) string {
	switch {
	case live:
		return "running"
	case rs.Ended == engine.RunSucceeded && !rs.Complete():
		return leftState(rs)
	case rs.Ended != "":
		return rs.Ended
	case rs.Repaired:
		return "stopped (its journal was cut back by `journal repair --force`; `failover resume` continues it)"
	}
	return "stopped (the process died; `failover resume` continues it)"
}

// readHolder reads the plan's lock once, for every judgement of a run
// shown (live, stale, cut short): the zero Info, which names no run, when
// there is none or it cannot be read.
func readHolder(b store.Backend, plan string) *lock.Info {
	if info, err := b.ReadLock(plan); err == nil && info != nil {
		return info
	}
	return &lock.Info{}
}

// lockHeldBy reports whether a live process holds the plan's lock for run.
func lockHeldBy(b store.Backend, plan, runID string) bool {
	return heldLive(readHolder(b, plan), runID)
}

// heldLive reports whether holder, the plan's lock as read, is run's and
// alive.
func heldLive(holder *lock.Info, runID string) bool {
	if runID == "" || holder.RunID != runID {
		return false
	}
	return holder.Judge(time.Now()) == lock.Live
}

// staleText describes holder, the plan's lock as read, when run holds it
// and its heartbeat is older than its lease (from another host, or a pid
// of this host that exists but does not renew it); "" otherwise.
func staleText(holder *lock.Info, runID string) string {
	if runID == "" || holder.RunID != runID {
		return ""
	}
	if v := holder.Judge(time.Now()); v != lock.Stale && v != lock.Silent {
		return "" // alive, or its process is gone: resume takes the lock over
	}
	age := time.Since(holder.Heartbeat)
	return fmt.Sprintf("stale lock: held by %s on %s (pid %d), no heartbeat for %s, longer than its lease of %s",
		holder.User, holder.Host, holder.PID, age.Round(time.Second), holder.Lease)
}

func findRunByID(b store.Backend, id string) (journal.RunInfo, error) {
	runs, err := b.List("")
	if err != nil {
		return journal.RunInfo{}, err
	}
	for _, r := range runs {
		if r.RunID == id {
			return r, nil
		}
	}
	return journal.RunInfo{}, withCode(exitUsage, fmt.Errorf("no run %s in %s", id, b))
}

func latestRun(b store.Backend, plan string) (journal.RunInfo, error) {
	runs, err := b.List(plan)
	if err != nil {
		return journal.RunInfo{}, err
	}
	if len(runs) == 0 {
		return journal.RunInfo{}, withCode(exitUsage, fmt.Errorf("no run of plan %s in %s", plan, b))
	}
	return engine.LatestRun(runs), nil
}

// runSummary is one line of `failover status` without an argument.
type runSummary struct {
	Plan     string    `json:"plan"`
	RunID    string    `json:"run"`
	State    string    `json:"state"`
	User     string    `json:"user"`
	Started  time.Time `json:"started"`
	LastTime time.Time `json:"last_activity"`
	Records  int       `json:"records"`
}

func (a *app) listRuns(format string) error {
	b, err := a.state()
	if err != nil {
		return err
	}
	runs, err := b.List("")
	if err != nil {
		return err
	}
	out := make([]runSummary, 0, len(runs))
	for _, r := range runs {
		out = append(out, runSummary{Plan: r.Plan, RunID: r.RunID, State: listState(b, r),
			User: r.Header.User, Started: r.Header.Started, LastTime: r.LastTime, Records: r.Records})
	}
	if format == "json" {
		return writeJSON(a.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintf(a.stdout, "no runs in %s\n", b)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tRUN\tSTATE\tUSER\tSTARTED\tLAST ACTIVITY")
	for _, r := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Plan, r.RunID, r.State, r.User,
			r.Started.Format(time.RFC3339), r.LastTime.Format(time.RFC3339))
	}
	return tw.Flush()
}

// listState judges a run from its last record, without folding it.
func listState(b store.Backend, r journal.RunInfo) string {
	if r.Err != nil {
		return unreadable(r.Err)
	}
	holder := readHolder(b, r.Plan)
	switch {
	case staleText(holder, r.RunID) != "":
		return "stale lock"
	case heldLive(holder, r.RunID):
		return "running"
	case engine.CutShort(b, r, holder) != nil:
		return "cut short (see journal dump)"
	}
	switch end := engine.EndOf(r.Last); {
	case end.Ended == engine.RunSucceeded && !end.Complete():
		return leftState(end)
	case end.Ended != "":
		return end.Ended
	}
	return "stopped"
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// planName returns the plan name of arg: a plan file's name, or arg itself
// when no such file exists (a plan name as the state dir spells it).
func (a *app) planName(arg string, vf *varFlags) (string, error) {
	if _, err := os.Stat(arg); errors.Is(err, os.ErrNotExist) {
		return arg, nil
	}
	p, err := a.loadPlan(arg, vf)
	if err != nil {
		return "", err
	}
	return p.Name, nil
}

// unreadable is the state of a run whose journal cannot be read, short
// enough for a table: `journal dump RUN` tells the whole story.
func unreadable(err error) string {
	var ce *journal.CorruptError
	if errors.As(err, &ce) {
		return fmt.Sprintf("corrupt at offset %d (see journal dump)", ce.Offset)
	}
	var he *journal.HeaderError
	if errors.As(err, &he) {
		return "header damaged (see journal dump)"
	}
	return "unreadable: " + strings.SplitN(err.Error(), "\n", 2)[0]
}

// leftState is the state of a targeted run that succeeded but left steps
// out: resume runs them.
func leftState(rs *engine.RunState) string {
	return fmt.Sprintf("succeeded, %d step(s) left out", len(rs.Left))
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/internal/report"
)

// reportFlags are report's flags.
type reportFlags struct {
	format string
	output string
	run    string
	vars   varFlags
}

func newReportCmd(a *app) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report RUN|PLAN",
		Short: "Write a run's post-incident report, Markdown or one HTML file, from its journal",
		Long: "report writes the post-incident record of a run from its journal alone: who ran it, where and\n" +
			"when (each apply and resume), every step and attempt with its times, outcome and error, who\n" +
			"approved what, the --retry and --mark-done decisions with their notes, leftovers ended, lock\n" +
			"takeovers, plan changes, forced repairs, the commands each step sent (secrets masked), its\n" +
			"outputs, the log backups applied, the data-loss window and the time against the plan's rto.\n\n" +
			"RUN is a run id or a journal file; PLAN a plan file or a plan name (its latest run, or --run).\n" +
			"The plan (given, or the file the journal names) adds descriptions, rto budgets and the commands\n" +
			"of steps that did not journal them, when its hash is the one the run ran with: give the same\n" +
			"--var and --vars-file as the run. --format html writes one self-contained page with a\n" +
			"timeline chart. The report goes to standard output unless --output.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.report(args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "md", "md (Markdown) or html (one self-contained page with a timeline chart)")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (default: standard output)")
	fl.StringVar(&f.run, "run", "", "with PLAN: the run to report (default: the plan's latest)")
	f.vars.add(cmd)
	return cmd
}

// report finds the run, folds its journal and writes its report.
func (a *app) report(arg string, f *reportFlags) error {
	if f.format != "md" && f.format != "html" {
		return withCode(exitUsage, fmt.Errorf("unknown --format %q: want md or html", f.format))
	}
	if err := f.vars.check(a); err != nil {
		return err
	}
	src, err := a.reportSource(arg, f)
	if err != nil {
		return err
	}
	b, err := a.state()
	if err != nil {
		return err
	}
	rep, rerr := b.Read(src.path)
	if rep == nil {
		return withCode(exitFailed, fmt.Errorf("no report of %s: %w", arg, rerr))
	}
	in := report.Input{State: engine.Fold(rep), Generated: time.Now()}
	if d := rep.Damage; d != nil {
		w := fmt.Sprintf("journal %s: %s. This report shows the %d record(s) before offset %d.",
			src.path, damageText(d, rep.Header.RunID), len(rep.Records), d.Offset)
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
		in.Warnings = append(in.Warnings, w)
	}
	in.Status = a.reportStatus(in.State)
	in.Plan, in.PlanNote = a.reportPlan(src, in.State, &f.vars)
	if in.Plan != nil {
		in.Previews = engine.Previews(in.Plan, a.registry)
	}
	if err := a.writeReport(report.Build(in), f); err != nil {
		return withCode(exitFailed, err)
	}
	if rerr != nil {
		// Damage followed by good records: the report says so at its top;
		// it is not the whole run.
		return withCode(exitFailed, fmt.Errorf("the report of %s is incomplete: %w", arg, rerr))
	}
	return nil
}

// reportStatus is how the run stands, as status says it.
func (a *app) reportStatus(rs *engine.RunState) string {
	h := rs.Header
	b, err := a.state()
	if err != nil {
		return runState(rs, false)
	}
	holder := readHolder(b, h.PlanName)
	if stale := staleText(holder, h.RunID); stale != "" {
		return runState(rs, false) + "; " + stale
	}
	return runState(rs, heldLive(holder, h.RunID))
}

// writeReport renders the report to standard output or, whole or not
// at all, to the --output file.
func (a *app) writeReport(r *report.Report, f *reportFlags) error {
	var b bytes.Buffer
	render := report.Markdown
	if f.format == "html" {
		render = report.HTML
	}
	if err := render(&b, r); err != nil {
		return err
	}
	if f.output == "" {
		_, err := a.stdout.Write(b.Bytes())
		return err
	}
	if err := writeFileAtomic(f.output, b.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "report of run %s written to %s\n", r.RunID, f.output)
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and
// renames it over path: a reader never sees half a report.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

// planArgError explains an argument that names neither a run nor a plan.
func planArgError(arg string) error {
	return withCode(exitUsage, fmt.Errorf("%q is not a run id (e.g. 20261126T031500Z-3f9a), a %s file, a plan file or a plan name",
		arg, journal.Extension))
}

// isJournalFile reports whether arg names a journal file.
func isJournalFile(arg string) bool { return strings.HasSuffix(arg, journal.Extension) }

package main

import (
	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
)

func newResumeCmd(a *app) *cobra.Command {
	var rf runFlags
	var opts engine.ResumeOptions
	var killLeftovers bool
	cmd := &cobra.Command{
		Use:   "resume PLAN",
		Short: "Continue the plan's unfinished run where it stopped",
		Long: "resume continues the plan's latest unfinished run (or --run RUN_ID). Succeeded and satisfied\n" +
			"steps never run again. A step that was started but whose outcome was never recorded is in\n" +
			"doubt: it runs again if its action is idempotent, is skipped if its skip_if says done, and\n" +
			"otherwise resume stops (exit 3) and says what to check; then either\n" +
			"  failover resume PLAN --retry STEP                  (it did not happen: run it again)\n" +
			"  failover resume PLAN --mark-done STEP --note \"…\"   (it happened: record it as done)\n" +
			"Both are journaled with who, when and the note. A changed plan is refused unless --force.\n" +
			"A lock left by a process that no longer exists on this host is taken over with a warning.\n" +
			"A program a step of the dead run started that still runs is named (step, pid, command); the\n" +
			"step is never started again beside it. --kill-leftovers ends it first (journaled).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := rf.loadPlan(a, args[0])
			if err != nil {
				return err
			}
			cfg := rf.config(a, p, a.terminal())
			cfg.KillLeftovers = killLeftovers
			stop := a.showProgress(&cfg)
			sum, err := engine.Resume(cmd.Context(), cfg, opts)
			stop()
			return a.finishRun(sum, err)
		},
	}
	rf.add(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.RunID, "run", "", "the run to resume (default: the plan's latest unfinished run)")
	f.StringArrayVar(&opts.Retry, "retry", nil, "run this in-doubt or failed step again (repeatable)")
	f.StringArrayVar(&opts.MarkDone, "mark-done", nil, "record this in-doubt or failed step as done (repeatable; needs --note)")
	f.StringVar(&opts.Note, "note", "", "what you checked, journaled with --retry or --mark-done")
	f.BoolVar(&opts.Force, "force", false, "resume although the plan changed since the run started (journaled)")
	f.BoolVar(&killLeftovers, "kill-leftovers", false, "end the programs steps of the dead run left running (journaled), then decide those steps as in doubt")
	return cmd
}

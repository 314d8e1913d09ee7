package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine/lock"
)

func newUnlockCmd(a *app) *cobra.Command {
	var runID string
	var yes bool
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "unlock PLAN --run RUN_ID",
		Short: "Break a plan's stale lock after confirmation",
		Long: "unlock breaks the lock of a plan (a plan file or a plan name) held by run RUN_ID, after\n" +
			"showing who holds it and asking (--yes skips the question). Use it only when that run is\n" +
			"really dead, e.g. its host is gone: two runs of one plan at once can do real damage.\n" +
			"A lock whose process is gone on this same host needs no unlock: resume takes it over.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runID == "" {
				return withCode(exitUsage, errors.New("--run RUN_ID is required: name the run whose lock you break"))
			}
			name, err := a.planName(args[0], &vf)
			if err != nil {
				return err
			}
			info, err := lock.Read(a.stateDir, name)
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("read the lock of %s: %w", name, err))
			}
			fmt.Fprintf(a.stdout, "Lock of %s: run %s, user %s on %s, pid %d, started %s, last heartbeat %s\n",
				name, info.RunID, info.User, info.Host, info.PID, info.Started.Format("2006-01-02 15:04:05Z07:00"),
				info.Heartbeat.Format("2006-01-02 15:04:05Z07:00"))
			if info.RunID != runID {
				return withCode(exitUsage, fmt.Errorf("the lock is held by run %s, not %s: nothing broken", info.RunID, runID))
			}
			if err := confirm(a.terminal(), yes, "Break this lock? Only if that run is really dead."); err != nil {
				return err
			}
			if err := lock.Break(a.stateDir, name, runID); err != nil {
				return withCode(exitFailed, err)
			}
			fmt.Fprintf(a.stdout, "Lock broken; continue the run with `failover resume %s`\n", args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "the run id holding the lock (required)")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	vf.add(cmd)
	return cmd
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/lock"
	"github.com/failover-dev/failover/engine/store"
)

// noTerminalUnlock is unlock's answer when no one can be asked.
const noTerminalUnlock = "no terminal to ask for confirmation on: the lock is left as it is; " +
	"pass --yes to break it without asking"

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
			"A lock whose process is gone on this same host needs no unlock: resume takes it over.\n" +
			"A lock whose process is alive on this host is never broken: stop that run first.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runID == "" {
				return withCode(exitUsage, errors.New("--run RUN_ID is required: name the run whose lock you break"))
			}
			name, err := a.planName(args[0], &vf)
			if err != nil {
				return err
			}
			b, err := a.state()
			if err != nil {
				return err
			}
			info, err := b.ReadLock(name)
			if errors.Is(err, fs.ErrNotExist) {
				return withCode(exitUsage, fmt.Errorf("plan %s has no lock in %s: nothing to break", name, b))
			}
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("read the lock of %s: %w", name, err))
			}
			fmt.Fprintf(a.stdout, "Lock of %s: run %s, user %s on %s, pid %d, started %s, last heartbeat %s\n  %s\n",
				name, info.RunID, info.User, info.Host, info.PID, info.Started.Format("2006-01-02 15:04:05Z07:00"),
				info.Heartbeat.Format("2006-01-02 15:04:05Z07:00"), holderState(info))
			if info.RunID != runID {
				return withCode(exitUsage, fmt.Errorf("the lock is held by run %s, not %s: nothing broken", info.RunID, runID))
			}
			if info.Host == lock.Hostname() && info.Judge(time.Now()) == lock.Live {
				return withCode(exitUsage, fmt.Errorf("run %s is alive on this host (pid %d): nothing broken; "+
					"stop that run first (Ctrl-C where it runs), its lock goes with it", info.RunID, info.PID))
			}
			if !yes {
				if err := a.confirm(cmd.Context(), a.terminal(), "Break this lock? Only if that run is really dead.", noTerminalUnlock,
					"not confirmed: the lock is left as it is"); err != nil {
					return err
				}
			}
			if err := b.BreakLock(name, runID); err != nil {
				return withCode(exitFailed, err)
			}
			fmt.Fprintf(a.stdout, "Lock broken; %s\n", afterUnlock(b, name, runID, args[0]))
			return nil
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "the run id holding the lock (required)")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	vf.add(cmd)
	return cmd
}

// holderState says what is known of the lock's holder: alive or gone on
// this host, or, on another host, whether its heartbeat is stale.
func holderState(info *lock.Info) string {
	age := time.Since(info.Heartbeat).Round(time.Second)
	switch v := info.Judge(time.Now()); {
	case v == lock.Expired:
		return "its lease expired: that run can write nothing more; `failover resume` takes the lock over by itself"
	case v == lock.Silent:
		return fmt.Sprintf("a process %d exists on this host, but the lock's heartbeat is %s old, longer than its "+
			"lease of %s: a pid reused after a reboot, or a hung run", info.PID, age, info.Lease)
	case v == lock.Live && info.Host == lock.Hostname():
		return fmt.Sprintf("its process %d is alive on this host", info.PID)
	case v == lock.Dead:
		return fmt.Sprintf("its process %d no longer exists on this host: `failover resume` takes the lock over by itself", info.PID)
	case v == lock.Stale:
		return fmt.Sprintf("stale: no heartbeat for %s, longer than its lease of %s", age, info.Lease)
	}
	if info.LeaseID != 0 {
		return fmt.Sprintf("WARNING: its lease is alive: that run renews it from %s and may well be running; breaking "+
			"the lock revokes the lease, after which that run can write nothing more to its journal (a step it is "+
			"running goes on)", info.Host)
	}
	return fmt.Sprintf("WARNING: its heartbeat is %s old, within its lease of %s: that run may well be alive on %s",
		age, info.Lease, info.Host)
}

// afterUnlock says what to do once the lock of run runID is broken: resume
// it only if it left a journal that is not finished. A run that died
// before its journal existed, or that had finished, leaves nothing to
// resume: the next step is a new apply.
func afterUnlock(b store.Backend, plan, runID, arg string) string {
	runs, err := b.List(plan)
	var ri *journal.RunInfo
	for i := range runs {
		if runs[i].RunID == runID {
			ri = &runs[i]
		}
	}
	switch {
	case err == nil && ri == nil:
		return fmt.Sprintf("run %s left no journal (it stopped before its first step): there is nothing to resume; "+
			"start the plan with `failover apply %s`", runID, arg)
	case ri != nil && ri.Err == nil && engine.Complete(ri.Last):
		return fmt.Sprintf("run %s had finished: there is nothing to resume; `failover apply %s` starts a new run", runID, arg)
	}
	return fmt.Sprintf("continue the run with `failover resume %s`", arg)
}

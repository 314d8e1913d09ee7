package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/lab"
)

func newFaultCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fault",
		Short: "Add, list and clear faults of a lab, also while it runs",
		Long: `Faults make the lab misbehave on purpose for statements that match a
regular expression (case-insensitive, over the statement text or an RPC's
procedure name): drop the connection, run the statement and then drop the
connection before its answer is sent, return an error number, or delay.
File-system faults act on the lab's folders (the share, the copy folder),
for its SQL Server and for a plan's file steps alike: share-gone,
share-hang, file-growing, file-locked, file-vanish, disk-full and
live-primary; fault list says what each does. They live in
DIR/faults.yaml, which a running lab re-reads when it changes.`,
	}
	cmd.AddCommand(newFaultAddCmd(g), newFaultListCmd(g), newFaultClearCmd(g))
	return cmd
}

func newFaultAddCmd(g *globals) *cobra.Command {
	var f lab.Fault
	var kind, free string
	cmd := &cobra.Command{
		Use:   "add --match REGEXP --kind drop|drop_after|error|delay [flags] | add --kind down --instance NAME | add --kind FILE-KIND [--path P]",
		Short: "Add a fault: drop the connection, lose the answer, return an error, or delay matching statements; stop an instance; or a file-system fault",
		Example: `  failover-lab fault add --dir DIR --match 'RESTORE LOG' --kind drop --nth 2
  failover-lab fault add --dir DIR --match 'WITH RECOVERY' --kind drop_after   # recovery happens, the answer is lost
  failover-lab fault add --dir DIR --match 'sys\.databases' --kind error --error 1205 --times 2
  failover-lab fault add --dir DIR --match 'RESTORE LOG' --kind delay --delay 3s --instance BACKUP
  failover-lab fault add --dir DIR --kind down --instance PRIMARY   # the datacenter goes dark until fault clear
  failover-lab fault add --dir DIR --kind share-gone                # \\DC1-FS01\LSBackup unreachable
  failover-lab fault add --dir DIR --kind share-hang --delay 20s
  failover-lab fault add --dir DIR --kind file-growing --delay 30s  # the newest log backup, still being written
  failover-lab fault add --dir DIR --kind file-locked --path '\\DC1-FS01\LSBackup\mgc_20261126011500.trn'
  failover-lab fault add --dir DIR --kind file-vanish
  failover-lab fault add --dir DIR --kind disk-full --free 64KiB    # the copy folder
  failover-lab fault add --dir DIR --kind live-primary --delay 10s --times 3
  failover-lab fault add --dir DIR --kind live-primary --match 'RESTORE LOG' --nth 2 --times -1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			f.Kind = lab.FaultKind(kind)
			if err := fileFaultFlags(cmd, &f, free); err != nil {
				return usageError{fmt.Errorf("fault add: %w", err)}
			}
			if err := checkFaultFlags(cmd, f); err != nil {
				return usageError{fmt.Errorf("fault add: %w", err)}
			}
			if err := f.Validate(); err != nil {
				return usageError{fmt.Errorf("fault add: %w", err)}
			}
			added, err := lab.AddFault(d.path, f)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, added.String())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Match, "match", "", "regular expression the statement (or RPC procedure) must match (required but for --kind down)")
	fl.StringVar(&kind, "kind", "", "drop (close the connection), drop_after (run the statement, then close the connection before its answer), error (return --error), delay (wait --delay) or down (stop --instance until cleared); file system: share-gone, share-hang, file-growing, file-locked, file-vanish, disk-full, live-primary")
	fl.StringVar(&f.Instance, "instance", "", "only this instance (default: all)")
	fl.IntVar(&f.Nth, "nth", 1, "fire from the Nth matching statement on")
	fl.IntVar(&f.Times, "times", 1, "fire this many times (-1: every time)")
	fl.Int32Var(&f.Error, "error", 0, "error number for --kind error, e.g. 1205 (deadlock victim)")
	fl.DurationVar(&f.Delay, "delay", 0*time.Second, "how long --kind delay waits, e.g. 3s; file-system faults: share-hang's wait, file-growing's time to complete, file-vanish's time to vanish, live-primary's interval")
	fl.StringVar(&f.ID, "id", "", "name the fault (default f1, f2, …)")
	fl.StringVar(&f.Path, "path", "", "file-system faults: the folder or file, as a Windows path of the lab's path map or a path in the lab dir (default: the share; the copy folder for disk-full; the newest log backup for file-growing, file-locked and file-vanish)")
	fl.StringVar(&free, "free", "", "disk-full: the space left, in bytes or with KiB, MiB, GiB (default 0)")
	return cmd
}

func newFaultListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the run-time faults",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			faults, err := lab.ListFaults(d.path)
			if err != nil {
				return err
			}
			fromConfig, err := d.configFaults()
			if err != nil {
				return err
			}
			if len(faults)+len(fromConfig) == 0 {
				fmt.Fprintln(g.stdout, "no faults")
			}
			for _, f := range fromConfig {
				fmt.Fprintln(g.stdout, f.String()+" (from the config)"+faultNote(d, f))
			}
			for _, f := range faults {
				fmt.Fprintln(g.stdout, f.String()+faultNote(d, f))
			}
			return nil
		},
	}
}

func newFaultClearCmd(g *globals) *cobra.Command {
	return newClearCmd(g, "fault", "Remove the fault ID, or every run-time fault", func(d labDir, id string) (bool, error) {
		removed, err := lab.ClearFaults(d.path, id)
		if err != nil {
			return false, err
		}
		if fromConfig, _ := d.configFaults(); id != "" && !removed && slices.ContainsFunc(fromConfig, func(f lab.Fault) bool { return f.ID == id }) {
			return false, usageError{fmt.Errorf("fault clear: %s comes from the config (DIR/lab.yaml) and stays while the lab runs; up --reset with a config without it", id)}
		}
		return removed, nil
	})
}

// newClearCmd is the clear command of the fault list named by group
// ("fault", "lync fault"): clear removes fault ID, or all of them when
// ID is "", and reports whether it removed one; asking for an ID that is
// not there is a usage error.
func newClearCmd(g *globals, group, short string, clear func(d labDir, id string) (bool, error)) *cobra.Command {
	return &cobra.Command{
		Use:   "clear [ID]",
		Short: short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			id := ""
			if len(args) == 1 {
				id = args[0]
			}
			removed, err := clear(d, id)
			if err != nil {
				return err
			}
			if id != "" && !removed {
				return usageError{fmt.Errorf("%s clear: no fault %q (failover-lab %s list)", group, id, group)}
			}
			fmt.Fprintln(g.stdout, "cleared")
			return nil
		},
	}
}

// configFaults are the faults of the dir's config (none before the first
// up).
func (d labDir) configFaults() ([]lab.Fault, error) {
	if !d.initialised() {
		return nil, nil
	}
	return lab.ConfigFaults(d.path)
}

// checkFaultFlags refuses what the file format cannot tell from a default
// (an explicit --nth 0 or --times 0, which would read as 1) and flags
// that the fault's kind would ignore.
func checkFaultFlags(cmd *cobra.Command, f lab.Fault) error {
	fl := cmd.Flags()
	switch {
	case fl.Changed("nth") && f.Nth == 0:
		return fmt.Errorf("--nth 0: the first matching statement is --nth 1")
	case fl.Changed("times") && f.Times == 0:
		return fmt.Errorf("--times 0: a fault fires at least once (-1: every time)")
	case fl.Changed("error") && f.Kind != lab.FaultError:
		return fmt.Errorf("--error goes with --kind error, not %s", f.Kind)
	case fl.Changed("delay") && f.Kind != lab.FaultDelay && !f.Kind.IsFile():
		return fmt.Errorf("--delay goes with --kind delay, not %s", f.Kind)
	}
	return nil
}

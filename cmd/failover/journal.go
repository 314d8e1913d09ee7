package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
)

func newJournalCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "Inspect or repair a run's journal",
	}
	cmd.AddCommand(newJournalDumpCmd(a), newJournalRepairCmd(a))
	return cmd
}

func newJournalDumpCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "dump RUN",
		Short: "Print a run's journal as JSON lines: the header, then every record",
		Long: "dump prints the journal of RUN (a run id, or a journal file's path) as JSON lines, the\n" +
			"header first. It never changes the file; a bad tail is reported on stderr.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := journalPath(a.stateDir, args[0])
			if err != nil {
				return err
			}
			rep, rerr := journal.Read(journal.OSFS{}, path)
			if rep == nil {
				return withCode(exitFailed, rerr)
			}
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(map[string]any{"header": rep.Header}); err != nil {
				return err
			}
			for _, r := range rep.Records {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			if d := rep.Damage; d != nil {
				fmt.Fprintf(a.stderr, "warning: %s\n", damageText(d, args[0]))
			}
			if rerr != nil {
				// Said just above, with the way on.
				return &silentError{code: exitFailed}
			}
			return nil
		},
	}
}

func newJournalRepairCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "repair RUN",
		Short: "Cut a journal's torn or corrupt tail back to the last good record",
		Long: "repair cuts the journal of RUN back to its last good record, keeping a copy of the file as it\n" +
			"was beside it. resume does this by itself for a torn final record. When good records follow\n" +
			"the bad one, repair refuses unless --force, which drops them too (they stay in the copy).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := journalPath(a.stateDir, args[0])
			if err != nil {
				return err
			}
			// The run's own process appends to its journal: cutting it
			// under that process would lose what it writes next.
			stateDir, plan := filepath.Dir(filepath.Dir(path)), filepath.Base(filepath.Dir(path))
			if run := strings.TrimSuffix(filepath.Base(path), journal.Extension); lockHeldBy(stateDir, plan, run) {
				return withCode(exitUsage, fmt.Errorf("run %s holds the lock of plan %s: it may be running and "+
					"writing its journal; nothing repaired (stop it first, or `failover unlock` a dead one)", run, plan))
			}
			d, inDoubt, err := engine.RepairJournal(journal.OSFS{}, path, force, operatorName())
			if errors.Is(err, journal.ErrCorrupt) && !force {
				return withCode(exitFailed, fmt.Errorf("%w; good records follow the damage: check them with "+
					"`failover journal dump %s`, then `failover journal repair %s --force` drops them (a copy is kept)", err, args[0], args[0]))
			}
			if err != nil {
				return withCode(exitFailed, err)
			}
			if d == nil {
				fmt.Fprintf(a.stdout, "%s is clean: nothing to repair\n", path)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s cut back to offset %d (%s); the original is kept as %s\n", path, d.Offset, d.Reason, d.Copy)
			if len(inDoubt) > 0 {
				fmt.Fprintf(a.stdout, "The dropped records show these steps started; they are now in doubt, and resume "+
					"asks you about each one that is not idempotent: %s\n", strings.Join(inDoubt, ", "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "also drop good records that follow the damage")
	return cmd
}

// journalPath resolves RUN: a journal file's path, or a run id in the state dir.
func journalPath(stateDir, arg string) (string, error) {
	if strings.HasSuffix(arg, journal.Extension) {
		if _, err := os.Stat(arg); err != nil {
			return "", withCode(exitUsage, err)
		}
		return arg, nil
	}
	if !journal.ValidRunID(arg) {
		return "", withCode(exitUsage, fmt.Errorf("%q is neither a run id (e.g. 20261126T031500Z-3f9a) nor a %s file", arg, journal.Extension))
	}
	info, err := findRunByID(stateDir, arg)
	if err != nil {
		return "", err
	}
	return info.Path, nil
}

// damageText describes a journal's bad record and the repair that fits:
// a torn tail is cut back as is; good records after the bad one are
// dropped only with --force.
func damageText(d *journal.Damage, run string) string {
	if d.Trailing {
		return fmt.Sprintf("bad record at offset %d: %s, and good records follow it; "+
			"`failover journal repair %s --force` cuts the journal back there, dropping them (a copy is kept)", d.Offset, d.Reason, run)
	}
	return fmt.Sprintf("bad record at offset %d: %s (a torn tail: `failover journal repair %s` or `failover resume` cuts it back)",
		d.Offset, d.Reason, run)
}

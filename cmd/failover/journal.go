package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/engine"
	"github.com/failover-dev/failover/engine/journal"
	"github.com/failover-dev/failover/engine/store"
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
			"header first. It never changes the file. A damaged journal is shown as far as it can be read,\n" +
			"with a warning on stderr and exit 1: good records found after damage as {\"salvaged\": …}\n" +
			"lines, and a damaged header as a {\"header_damage\": …} line with its raw text, followed by\n" +
			"every record found whole after it.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := a.state()
			if err != nil {
				return err
			}
			path, err := journalPath(b, args[0])
			if err != nil {
				return err
			}
			rep, rerr := b.Read(path)
			var he *journal.HeaderError
			if errors.As(rerr, &he) {
				return a.dumpRescued(b, path, args[0])
			}
			if rep == nil {
				return withCode(exitFailed, rerr)
			}
			enc := newDumpEncoder(a.stdout)
			if err := enc.Encode(map[string]any{"header": rep.Header}); err != nil {
				return err
			}
			for _, r := range rep.Records {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
			if err := encodeSalvaged(b, enc, path, rep.Damage); err != nil {
				return err
			}
			bad := rerr != nil
			if d := rep.Damage; d != nil {
				fmt.Fprintf(a.stderr, "warning: %s\n", damageText(d, args[0]))
			}
			ri := journal.RunInfo{Plan: rep.Header.PlanName, RunID: rep.Header.RunID, Path: path, Records: len(rep.Records)}
			if err := engine.CutShort(b, ri, nil); err != nil {
				fmt.Fprintf(a.stderr, "warning: %s\n", err)
				bad = true
			}
			if bad {
				// Said just above, with the way on.
				return &silentError{code: exitFailed}
			}
			return nil
		},
	}
}

func newDumpEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// encodeSalvaged writes the good records found after damage that good
// records follow, each as {"salvaged": {"offset": …, "record": …}}: they
// are not the run's records as a reader takes them, and a forced repair
// drops them.
func encodeSalvaged(b store.Backend, enc *json.Encoder, path string, d *journal.Damage) error {
	if d == nil || !d.Trailing {
		return nil
	}
	found, err := b.Salvage(path)
	if err != nil {
		return err
	}
	for _, s := range found {
		if err := enc.Encode(salvagedLine(s)); err != nil {
			return err
		}
	}
	return nil
}

func salvagedLine(s journal.Salvaged) map[string]any {
	return map[string]any{"salvaged": map[string]any{"offset": s.Offset, "record": s.Record}}
}

// dumpRescued shows a journal whose header is damaged: the header's frame
// as found (its raw text, and what it still decodes to, unverified), then
// the records found whole from the first on, then any found after a gap.
func (a *app) dumpRescued(b store.Backend, path, run string) error {
	rs, err := b.Rescue(path)
	if err != nil || rs == nil {
		return withCode(exitFailed, fmt.Errorf("rescue journal %s: %v", path, err))
	}
	enc := newDumpEncoder(a.stdout)
	dmg := map[string]any{"offset": rs.Err.Offset, "reason": rs.Err.Reason, "raw": string(rs.Raw)}
	if rs.Decoded != nil {
		dmg["decoded_unverified"] = rs.Decoded
	}
	if err := enc.Encode(map[string]any{"header_damage": dmg}); err != nil {
		return err
	}
	kept := rs.Kept()
	for i, s := range rs.Records {
		line := any(s.Record)
		if i >= kept {
			line = salvagedLine(s)
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stderr, "warning: the journal's header is damaged at offset %d (%s); shown past it: %d record(s) "+
		"whole from the first on, %d more after a gap. `failover journal repair %s --force` rebuilds the header and "+
		"keeps those records (a copy of the file is kept); or `failover apply PLAN --new-run` sets the run aside\n",
		rs.Err.Offset, rs.Err.Reason, kept, len(rs.Records)-kept, run)
	plan, id := b.RunOf(path)
	if id == "" {
		id = strings.TrimSuffix(filepath.Base(path), journal.Extension)
	}
	ri := journal.RunInfo{Path: path, Plan: plan, RunID: id, Records: kept}
	if err := engine.CutShort(b, ri, nil); err != nil {
		fmt.Fprintf(a.stderr, "warning: %s\n", err)
	}
	return &silentError{code: exitFailed}
}

func newJournalRepairCmd(a *app) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "repair RUN",
		Short: "Cut a journal's torn or corrupt tail back, or rebuild its damaged header, keeping a copy",
		Long: "repair cuts the journal of RUN back to its last good record, keeping a copy of the file as it\n" +
			"was beside it. resume does this by itself for a torn final record. When good records follow\n" +
			"the bad one, repair refuses unless --force, which drops them too (they stay in the copy).\n" +
			"With --force it also rebuilds a damaged header (from the records, the damaged header and the\n" +
			"file's name, saying which part came from where), and completes a journal cut short (fewer\n" +
			"records than its run synced) with a record of the loss. Steps the dropped or missing records\n" +
			"may show started are journaled in doubt: resume asks about each one that is not idempotent.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := a.state()
			if err != nil {
				return err
			}
			path, err := journalPath(b, args[0])
			if err != nil {
				return err
			}
			// The run's own process appends to its journal: cutting it
			// under that process would lose what it writes next.
			if plan, run := b.RunOf(path); run != "" && lockHeldBy(b, plan, run) {
				return withCode(exitUsage, fmt.Errorf("run %s holds the lock of plan %s: it may be running and "+
					"writing its journal; nothing repaired (stop it first, or `failover unlock` a dead one)", run, plan))
			}
			rr, err := engine.RepairJournal(b, path, force, operatorName())
			var ce *journal.CorruptError
			if errors.As(err, &ce) && !force {
				return withCode(exitFailed, fmt.Errorf("%w; good records follow the damage: check them with "+
					"`failover journal dump %s`, then `failover journal repair %s --force` drops them (a copy is kept)", err, args[0], args[0]))
			}
			if err != nil {
				return withCode(exitFailed, err)
			}
			printRepair(a.stdout, path, rr)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "also drop good records after the damage, rebuild a damaged header, record the loss of a journal cut short")
	return cmd
}

// printRepair says what a repair did, what it lost, and what it put in
// doubt.
func printRepair(w io.Writer, path string, rr *engine.RepairReport) {
	if rr.Copy == "" {
		fmt.Fprintf(w, "%s is clean: nothing to repair\n", path)
		return
	}
	switch {
	case rr.HeaderErr != nil:
		fmt.Fprintf(w, "%s: its damaged header (offset %d: %s) was rebuilt: %s\n", path, rr.HeaderErr.Offset,
			rr.HeaderErr.Reason, strings.Join(rr.Header, "; "))
	case rr.Damage != nil:
		fmt.Fprintf(w, "%s cut back to offset %d (%s)\n", path, rr.Damage.Offset, rr.Damage.Reason)
	}
	fmt.Fprintf(w, "Kept %d record(s) as they were", rr.Kept)
	if rr.Dropped > 0 {
		fmt.Fprintf(w, "; dropped %d good record(s) found after the damage", rr.Dropped)
	}
	fmt.Fprintf(w, ". The original is kept as %s\n", rr.Copy)
	if rr.Missing > 0 {
		fmt.Fprintf(w, "Lost: %d record(s) from record %d on are nowhere in the file, and %s; the loss is journaled.\n",
			rr.Missing, rr.MissingFrom, rr.Synced)
	}
	switch {
	case len(rr.InDoubt) > 0 && rr.Missing > 0:
		fmt.Fprintf(w, "Any step not known done may have run in the lost records; these are now in doubt, and resume "+
			"asks you about each one that is not idempotent: %s\n", strings.Join(rr.InDoubt, ", "))
	case len(rr.InDoubt) > 0:
		fmt.Fprintf(w, "The dropped records show these steps started; they are now in doubt, and resume "+
			"asks you about each one that is not idempotent: %s\n", strings.Join(rr.InDoubt, ", "))
	}
}

// journalPath resolves RUN: a run id, or a journal's name in the backend
// (a journal file's path, a kept copy or a run set aside too; a key on
// etcd).
func journalPath(b store.Backend, arg string) (string, error) {
	if !journal.ValidRunID(arg) {
		name, err := b.Locate(arg)
		return name, withCode(exitUsage, err)
	}
	info, err := findRunByID(b, arg)
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

package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/lab"
	"github.com/failover-dev/failover/internal/lyncshell"
)

// shellArgs reports whether args run the Management Shell stand-in,
// which main runs before cobra: its command line is powershell.exe's,
// not ours, and its exit code is PowerShell's, passed on as it is.
func shellArgs(args []string) ([]string, bool) {
	if len(args) >= 2 && args[0] == "lync" && args[1] == "shell" {
		return args[2:], true
	}
	return nil, false
}

// runShell runs the stand-in.
func runShell(args []string, stdout, stderr io.Writer) int {
	return lyncshell.Main(args, os.Stdin, stdout, stderr)
}

func newLyncCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lync",
		Short: "The lab's Lync Management Shell: run it, see the pool, add faults",
		Long: `The lab's stand-in for the Lync Server Management Shell. A powershell target
points at it (targets.yaml of up does: executable failover-lab, args
[lync, shell, --dir, DIR]); it takes powershell.exe's command line and
runs the Persistent Chat cmdlets over the pool kept in DIR/lync/state.json.
See docs/powershell.md.`,
	}
	shell := &cobra.Command{
		Use:                "shell [--dir DIR] [powershell.exe arguments]",
		Short:              "Run the shell as powershell.exe: -NoProfile -NonInteractive -EncodedCommand … or -Command …",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return fmt.Errorf("lync shell runs before the command line is parsed") // main intercepts it
		},
	}
	fault := &cobra.Command{Use: "fault", Short: "Add, list and clear the shell's faults (fail N times, hang)"}
	fault.AddCommand(newLyncFaultAddCmd(g), newLyncFaultListCmd(g), newLyncFaultClearCmd(g))
	cmd.AddCommand(shell, fault, newLyncStatusCmd(g))
	return cmd
}

func newLyncFaultAddCmd(g *globals) *cobra.Command {
	var f lyncshell.Fault
	var kind string
	cmd := &cobra.Command{
		Use:   "add --match REGEXP --kind fail|hang",
		Short: "Make cmdlets whose name matches fail (with an error record) or hang (until killed)",
		Example: `  failover-lab lync fault add --dir DIR --match '^Set-CsPersistentChatState$' --kind fail --times 2
  failover-lab lync fault add --dir DIR --match Install-CsMirrorDatabase --kind hang`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			f.Kind = lyncshell.FaultKind(kind)
			if err := f.Validate(); err != nil {
				return usageError{fmt.Errorf("lync fault add: %w", err)}
			}
			added, err := lyncshell.AddFault(d.path, f)
			if err != nil {
				return err
			}
			fmt.Fprintln(g.stdout, added.String())
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Match, "match", "", "regular expression over the cmdlet name (case-insensitive)")
	fl.StringVar(&kind, "kind", "", "fail (an error record) or hang (until the caller kills the shell)")
	fl.IntVar(&f.Nth, "nth", 1, "fire from the Nth matching call on")
	fl.IntVar(&f.Times, "times", 1, "fire this many times (-1: every time)")
	fl.StringVar(&f.Message, "message", "", "the failure's message (kind fail)")
	fl.StringVar(&f.ID, "id", "", "name the fault (default s1, s2, …)")
	return cmd
}

func newLyncFaultListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the shell's faults with their counters",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			return lyncshell.Update(d.path, func(st *lyncshell.State) error {
				if len(st.Faults) == 0 {
					fmt.Fprintln(g.stdout, "no faults")
				}
				for i := range st.Faults {
					fmt.Fprintln(g.stdout, st.Faults[i].String())
				}
				return nil
			})
		},
	}
}

func newLyncFaultClearCmd(g *globals) *cobra.Command {
	return newClearCmd(g, "lync fault", "Remove the shell's fault ID, or all of them", func(d labDir, id string) (bool, error) {
		return lyncshell.ClearFaults(d.path, id)
	})
}

func newLyncStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the simulated pool: state, active servers, SQL stores and mirrors",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			err = lyncshell.Update(d.path, func(st *lyncshell.State) error {
				fmt.Fprintf(g.stdout, "pool %s: %s\nactive servers: %s\n", st.Pool, st.PoolState, strings.Join(st.ActiveServers, ", "))
				fmt.Fprintf(g.stdout, "primary store %s (lab instance %s), backup store %s (lab instance %s)\n",
					st.Primary.Fqdn, st.Primary.LabInstance, st.Backup.Fqdn, st.Backup.LabInstance)
				fmt.Fprintf(g.stdout, "store mirrors in the topology: %s, %s\n", st.Primary.MirrorFqdn, st.Backup.MirrorFqdn)
				return nil
			})
			if err != nil {
				return err
			}
			return printMirroring(g.stdout, d.path)
		},
	}
}

// printMirroring lists the lab's database mirroring sessions, one line
// per partner, as sys.database_mirroring shows them (the SQL state, not
// the shell's: Install-CsMirrorDatabase sets them up there).
func printMirroring(out io.Writer, dir string) error {
	views, err := lab.ReadMirroring(dir)
	if err != nil {
		return err
	}
	if len(views) == 0 {
		fmt.Fprintln(out, "database mirroring: none")
	}
	for _, v := range views {
		fmt.Fprintf(out, "mirroring of %s on %s (%s): %s, partner %s, %s\n", v.Database, v.Instance, v.ServerName, v.Role, v.Partner, v.State)
	}
	return nil
}

// shellInfo is what lab.env and targets.yaml say of the shell: this
// program's path and the simulated pool (its state is created now if
// new, from the lab's config).
func shellInfo(d labDir) (exe, pool string, err error) {
	exe, err = os.Executable()
	if err != nil {
		return "", "", fmt.Errorf("find own executable for the lab's shell: %w", err)
	}
	err = lyncshell.Update(d.path, func(st *lyncshell.State) error {
		pool = st.Pool
		return nil
	})
	return exe, pool, err
}

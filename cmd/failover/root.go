package main

import (
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// newRootCmd builds the command tree. Every subcommand lives in its own
// file and is listed here explicitly.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "failover",
		Short: "Run disaster-recovery runbooks as code",
		Long: "failover runs disaster-recovery runbooks written as YAML plans: typed actions in a\n" +
			"dependency graph, with preconditions, retries, timeouts and a durable journal, so an\n" +
			"interrupted failover resumes exactly where it stopped.",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.setup()
		},
	}
	a.addGlobalFlags(root)
	root.AddCommand(
		newValidateCmd(a),
		newPlanCmd(a),
		newGraphCmd(a),
		newActionsCmd(a),
		newSchemaCmd(a),
		newApplyCmd(a),
		newResumeCmd(a),
		newStatusCmd(a),
		newUnlockCmd(a),
		newJournalCmd(a),
		newReportCmd(a),
		newStateCmd(a),
	)
	return root
}

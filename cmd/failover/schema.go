package main

import (
	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/internal/reference"
)

func newSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema (draft 2020-12) of plan files, for editors",
		Long: "schema prints a JSON Schema of plan files generated from the registered action, check and\n" +
			"target types. See docs/editors.md for the VS Code YAML extension.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := reference.Schema(a.registry)
			if err != nil {
				return err
			}
			_, err = a.stdout.Write(data)
			return err
		},
	}
}

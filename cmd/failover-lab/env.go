package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
)

func newEnvCmd(g *globals) *cobra.Command {
	var shell string
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print lab.env (DSNs, share and copy dir) for sh, or for PowerShell with --shell powershell",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := g.labDir()
			if err != nil {
				return err
			}
			return printEnv(g, d, shell)
		},
	}
	cmd.Flags().StringVar(&shell, "shell", "sh", "output for sh (KEY='value') or powershell ($env:KEY = 'value')")
	return cmd
}

// printEnv prints lab.env as it is (sh) or converted for PowerShell.
func printEnv(g *globals, d labDir, shell string) error {
	if _, err := formatEnv(nil, shell); err != nil {
		return err
	}
	b, err := os.ReadFile(d.envFile())
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no %s yet: the lab has not been up (failover-lab up --dir %s)", d.envFile(), d.path)
	}
	if err != nil {
		return fmt.Errorf("read lab.env: %w", err)
	}
	if shell == "sh" {
		_, err = g.stdout.Write(b)
		return err
	}
	vars, err := parseEnvOrdered(string(b))
	if err != nil {
		return err
	}
	text, err := formatEnv(vars, shell)
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(g.stdout, text)
	return err
}

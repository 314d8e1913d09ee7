package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"

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

// printMaskedEnv prints lab.env with its passwords masked, as up shows it
// on the terminal: the values are in the file, for `set -a; . lab.env`,
// and `failover-lab env` prints them for a shell to read.
func printMaskedEnv(g *globals, d labDir) error {
	b, err := os.ReadFile(d.envFile())
	if err != nil {
		return fmt.Errorf("read lab.env: %w", err)
	}
	vars, err := parseEnvOrdered(string(b))
	if err != nil {
		return err
	}
	for i, v := range vars {
		vars[i].Value = maskEnvValue(v.Key, v.Value)
	}
	text, err := formatEnv(vars, "sh")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(g.stdout, "# %s (passwords masked here; the file holds them)\n%s", d.envFile(), text)
	return err
}

// maskEnvValue masks a password variable's value and the password of a
// DSN's user information.
func maskEnvValue(key, value string) string {
	if strings.HasSuffix(key, "_PASSWORD") {
		return "***"
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "***")
			return strings.Replace(u.String(), "%2A%2A%2A", "***", 1)
		}
	}
	return value
}

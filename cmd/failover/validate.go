package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/cobra"

	"github.com/failover-dev/failover/plans"
)

func newValidateCmd(a *app) *cobra.Command {
	var format string
	var vf varFlags
	cmd := &cobra.Command{
		Use:   "validate FILE|GLOB...",
		Short: "Check plan files offline: no connection, no secret, no Windows needed",
		Long: "validate loads every plan named (globs with ** are expanded; quote them) and reports every\n" +
			"problem with its file, line and column. Exit 0: all valid (warnings allowed); 1: a plan is\n" +
			"invalid; 2: bad usage (no file matched, unknown format, a malformed --var, a missing --vars-file).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			render, ok := renderers[format]
			if !ok {
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want text, json, github or sarif", format))
			}
			if err := vf.check(); err != nil {
				return err
			}
			files, err := expandPlanArgs(args)
			if err != nil {
				return withCode(exitUsage, err)
			}
			var sets []plans.Diagnostics
			invalid := 0
			for _, f := range files {
				_, diags := plans.Load(f, vf.options(a.registry))
				if diags.HasErrors() {
					invalid++
				}
				sets = append(sets, diags)
			}
			if err := render(a, sets); err != nil {
				return err
			}
			if format == "text" {
				fmt.Fprintf(a.stdout, "%d plan(s) checked: %d valid, %d invalid\n", len(files), len(files)-invalid, invalid)
			}
			if invalid > 0 {
				return &silentError{code: exitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, github or sarif")
	vf.add(cmd)
	return cmd
}

// renderers write the diagnostics of every file validated, in one format.
var renderers = map[string]func(a *app, sets []plans.Diagnostics) error{
	"text": func(a *app, sets []plans.Diagnostics) error {
		for _, ds := range sets {
			if err := plans.RenderText(a.stdout, ds, os.ReadFile); err != nil {
				return err
			}
		}
		return nil
	},
	"json":   func(a *app, sets []plans.Diagnostics) error { return plans.RenderJSON(a.stdout, sets...) },
	"github": func(a *app, sets []plans.Diagnostics) error { return plans.RenderGitHub(a.stdout, sets...) },
	"sarif":  func(a *app, sets []plans.Diagnostics) error { return plans.RenderSARIF(a.stdout, sets...) },
}

// expandPlanArgs turns FILE and GLOB arguments into a sorted list of files
// without duplicates. A glob that matches nothing is an error; a plain
// path is kept as it is, so a missing file is reported by the loader at
// its name.
func expandPlanArgs(args []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	for _, arg := range args {
		matches := []string{arg}
		if hasGlobMeta(arg) {
			m, err := doublestar.FilepathGlob(arg, doublestar.WithFilesOnly())
			if err != nil {
				return nil, fmt.Errorf("bad pattern %q: %w", arg, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("no plan file matches %q", arg)
			}
			sort.Strings(m)
			matches = m
		}
		for _, f := range matches {
			key := filepath.Clean(f)
			if !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

func hasGlobMeta(s string) bool {
	for _, c := range s {
		switch c {
		case '*', '?', '[', '{':
			return true
		}
	}
	return false
}

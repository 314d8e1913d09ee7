package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

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
			"invalid; 2: bad usage (no file matched, a directory named or one a glob cannot list, unknown\n" +
			"format, a malformed --var, a missing --vars-file).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			render, ok := renderers[format]
			if !ok {
				return withCode(exitUsage, fmt.Errorf("unknown --format %q: want text, json, github or sarif", format))
			}
			if err := vf.check(a); err != nil {
				return err
			}
			files, err := expandPlanArgs(args)
			if err != nil {
				return withCode(exitUsage, err)
			}
			res := validateFiles(files, vf.options(a))
			if err := render(a, []plans.Diagnostics{res.diags}); err != nil {
				return err
			}
			if format == "text" {
				fmt.Fprintf(a.stdout, "%d plan(s) checked: %d valid, %d invalid", len(files), len(files)-res.invalid, res.invalid)
				if res.bases > 0 {
					fmt.Fprintf(a.stdout, " (%d base plan(s) checked as part of the plans that extend them)", res.bases)
				}
				fmt.Fprintln(a.stdout)
			}
			if res.invalid > 0 {
				return &silentError{code: exitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, github or sarif")
	vf.add(cmd)
	return cmd
}

// validation is the outcome of validating a set of files.
type validation struct {
	diags   plans.Diagnostics // of every plan loaded, each finding once
	invalid int               // files with an error
	bases   int               // files checked only through plans that extend them
}

// validateFiles loads every file that no other file of the set extends.
// A base plan that one of them extends is checked as part of it, where
// its every line is seen in context, and not alone, where it may lack
// what only a whole plan needs (a name, the vars its includers give): so
// that validating plans/**/*.yaml, base plans included, works. A finding
// in a base shared by several plans is reported once, naming the plans
// it concerns when not all of them, and makes the base invalid too.
func validateFiles(files []string, opts plans.Options) validation {
	includers := includersOf(files, opts)
	var res validation
	var order []plans.Diagnostic
	from := map[plans.Diagnostic][]string{} // finding → plans that reported it
	failed := map[string]bool{}             // files holding an error, by clean path
	for _, f := range files {
		if len(includers[fileKey(f)]) > 0 {
			res.bases++
			continue
		}
		_, diags := plans.Load(f, opts)
		for _, d := range diags {
			if d.Severity == plans.SeverityError {
				failed[fileKey(d.Pos.File)], failed[fileKey(f)] = true, true
			}
			if from[d] == nil {
				order = append(order, d)
			}
			from[d] = append(from[d], f)
		}
	}
	for _, d := range order {
		if inc := includers[fileKey(d.Pos.File)]; len(inc) > 1 && len(from[d]) < len(inc) {
			d.Message += " (through " + strings.Join(from[d], ", ") + ")"
		}
		res.diags = append(res.diags, d)
	}
	for _, f := range files {
		if failed[fileKey(f)] {
			res.invalid++
		}
	}
	return res
}

// includersOf maps each file (clean path) that a top plan of the set
// extends to those top plans, a top plan being one that no file of the
// set extends. Files that only extend each other in a cycle have no top
// plan: each is loaded alone and reports the cycle.
func includersOf(files []string, opts plans.Options) map[string][]string {
	chains := make([][]string, len(files))
	isBase := map[string]bool{}
	for i, f := range files {
		chains[i] = plans.BaseFiles(f, opts)
		for _, b := range chains[i] {
			isBase[fileKey(b)] = true
		}
	}
	includers := map[string][]string{}
	for i, f := range files {
		if isBase[fileKey(f)] {
			continue
		}
		for _, b := range chains[i] {
			includers[fileKey(b)] = append(includers[fileKey(b)], f)
		}
	}
	return includers
}

// fileKey identifies a file however its path is written (relative,
// absolute, with ./ or .., through a symbolic link), so that a base named
// on the command line is recognised in an extends and a file two globs
// match is validated once.
func fileKey(path string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// renderers write the diagnostics of every file validated, in one format.
var renderers = map[string]func(a *app, sets []plans.Diagnostics) error{
	"text": func(a *app, sets []plans.Diagnostics) error {
		for _, ds := range sets {
			if err := plans.RenderText(a.stdout, ds, a.readPlanFile); err != nil {
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
// without duplicates. A glob that matches nothing, and a directory, are
// errors; a plain path is kept as it is, so a missing file is reported by
// the loader at its name.
func expandPlanArgs(args []string) ([]string, error) {
	seen := map[string]bool{}
	var files []string
	for _, arg := range args {
		matches := []string{arg}
		if fi, err := os.Stat(arg); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory: name plan files, or a glob such as '%s'",
				arg, filepath.Join(arg, "**", "*.yaml"))
		}
		if hasGlobMeta(arg) {
			m, err := doublestar.FilepathGlob(arg, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
			switch {
			case errors.Is(err, doublestar.ErrBadPattern):
				return nil, fmt.Errorf("bad pattern %q: %w", arg, err)
			case err != nil: // a directory it cannot list may hold plans: not a silent pass
				return nil, fmt.Errorf("expand %q: %w", arg, globError(arg, err))
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("no plan file matches %q", arg)
			}
			sort.Strings(m)
			matches = m
		}
		for _, f := range matches {
			key := fileKey(f)
			if !seen[key] {
				seen[key] = true
				files = append(files, f)
			}
		}
	}
	return files, nil
}

// globError names the directory of an I/O error in full: doublestar
// reports it relative to the pattern's fixed leading directories.
func globError(pattern string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	base, _ := doublestar.SplitPattern(filepath.ToSlash(pattern))
	return &fs.PathError{Op: pe.Op, Path: filepath.Join(filepath.FromSlash(base), filepath.FromSlash(pe.Path)), Err: pe.Err}
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

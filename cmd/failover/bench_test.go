package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/failover-dev/failover/actions/builtin"
	"github.com/failover-dev/failover/plans"
)

// benchPlan writes a plan of n steps as people write them: exec.run
// steps with vars, every other one needing the first, the rest a chain,
// every tenth also verifying with an fs.exists check.
func benchPlan(b *testing.B, n int) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("version: 1\nname: bench\nvars: { share: 'D:\\Backups' }\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - id: step-%d\n    action: exec.run\n    with: { program: robocopy, args: ['${vars.share}\\%d', 'E:\\Copy'] }\n", i, i)
		switch {
		case i == 0:
		case i%2 == 1:
			sb.WriteString("    needs: [step-0]\n")
		default:
			fmt.Fprintf(&sb, "    needs: [step-%d]\n", i-1)
		}
		if i%10 == 5 {
			sb.WriteString("    verify:\n      - { check: fs.exists, with: { path: 'E:\\Copy' } }\n")
		}
	}
	path := filepath.Join(b.TempDir(), "plan.yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	return path
}

// benchApp is the app the commands run with, writing to io.Discard.
func benchApp() *app {
	a := newApp(strings.NewReader(""), io.Discard, io.Discard)
	a.registry = builtin.New()
	return a
}

// BenchmarkCommands100k runs validate, plan and graph on a plan of
// 100,000 steps as the commands do, output included (to io.Discard):
// each must stay linear in the steps.
func BenchmarkCommands100k(b *testing.B) {
	commands := []struct {
		name string
		run  func(a *app, path string) error
	}{
		{"validate", func(a *app, path string) error {
			res := validateFiles([]string{path}, plans.Options{Registry: a.registry})
			if res.invalid > 0 {
				return fmt.Errorf("invalid: %v", res.diags[:min(3, len(res.diags))])
			}
			return renderers["text"](a, []plans.Diagnostics{res.diags})
		}},
		{"plan", func(a *app, path string) error {
			p, err := a.loadPlan(path, &varFlags{})
			if err != nil {
				return err
			}
			newPlanView(p, a.registry).writeText(a.stdout)
			return nil
		}},
		{"graph", func(a *app, path string) error {
			p, err := a.loadPlan(path, &varFlags{})
			if err != nil {
				return err
			}
			writeDot(a.stdout, p)
			writeMermaid(a.stdout, p)
			return nil
		}},
	}
	for _, c := range commands {
		b.Run(c.name, func(b *testing.B) {
			path := benchPlan(b, 100_000)
			a := benchApp()
			for b.Loop() {
				if err := c.run(a, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

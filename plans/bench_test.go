package plans

import (
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

// generatePlan writes a plan of n steps. deep chains every step to the
// one before it; otherwise every step but the first needs the first, and
// every tenth also uses an output of the one before (a wide graph with
// implicit edges).
func generatePlan(n int, deep bool) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: generated\nvars: { db: mgc, share: 'D:\\Backups' }\n")
	b.WriteString("secrets: { pw: { env: PW } }\n")
	b.WriteString("targets:\n  sql: { type: sqlserver, server: sql01, password: \"${secrets.pw}\" }\n")
	b.WriteString("defaults: { timeout: 5m, retry: { attempts: 3, delay: 2s } }\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: step-%d\n", i)
		switch {
		case i%2 == 0:
			b.WriteString("    action: sql.exec\n    target: sql\n")
			b.WriteString("    with: { database: \"${vars.db}\", query: \"SELECT 1 AS n\" }\n")
		default:
			b.WriteString("    action: fs.copy\n")
			fmt.Fprintf(&b, "    with: { from: \"${vars.share}\\\\%d\", to: 'E:\\Copy', include: ['*.trn'] }\n", i)
		}
		switch {
		case i == 0:
		case deep:
			fmt.Fprintf(&b, "    needs: [step-%d]\n", i-1)
		default:
			b.WriteString("    needs: [step-0]\n")
		}
		if !deep && i%10 == 5 {
			fmt.Fprintf(&b, "    verify:\n      - check: db.state\n        target: sql\n        with: { database: \"${steps.step-%d.outputs.n}\", state: ONLINE }\n", i-1)
		}
	}
	return b.String()
}

// BenchmarkValidate loads and validates generated 10,000-step plans.
func BenchmarkValidate(b *testing.B) {
	for _, shape := range []struct {
		name string
		deep bool
		gogc int
	}{{"wide", false, 100}, {"deep", true, 100}, {"wide/cli-gc", false, CLIGCPercent}, {"deep/cli-gc", true, CLIGCPercent}} {
		b.Run(shape.name, func(b *testing.B) {
			// The cli-gc cases run with the GC setting the failover command uses.
			defer debug.SetGCPercent(debug.SetGCPercent(shape.gogc))
			files := map[string]string{"plan.yaml": generatePlan(10_000, shape.deep)}
			opts := Options{Registry: testRegistry(), ReadFile: memFiles(files)}
			b.SetBytes(int64(len(files["plan.yaml"])))
			for b.Loop() {
				p, ds := Load("plan.yaml", opts)
				if p == nil {
					b.Fatalf("generated plan is invalid:\n%s", textOf(ds[:min(len(ds), 5)]))
				}
			}
		})
	}
}

// BenchmarkValidateOneLine loads a 10,000-step plan written as JSON on
// one line, as a generator might write it: finding the columns inside its
// strings must not take time in proportion to the line for each string.
func BenchmarkValidateOneLine(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"version": 1, "name": "generated", "vars": {"share": "D:\\Backups"}, "steps": [`)
	for i := range 10_000 {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, `{"id": "step-%d", "action": "exec.run", "with": {"program": "robocopy", "args": ["${vars.share}\\%d", "E:\\Copy"]}}`, i, i)
	}
	sb.WriteString("]}\n")
	files := map[string]string{"plan.json": sb.String()}
	opts := Options{Registry: testRegistry(), ReadFile: memFiles(files)}
	b.SetBytes(int64(sb.Len()))
	for b.Loop() {
		if p, ds := Load("plan.json", opts); p == nil {
			b.Fatalf("generated plan is invalid:\n%s", textOf(ds[:min(len(ds), 5)]))
		}
	}
}

// BenchmarkValidate100k loads and validates generated 100,000-step
// plans: loading must stay linear in the steps.
func BenchmarkValidate100k(b *testing.B) {
	for _, shape := range []struct {
		name string
		deep bool
	}{{"wide", false}, {"deep", true}} {
		b.Run(shape.name, func(b *testing.B) {
			defer debug.SetGCPercent(debug.SetGCPercent(CLIGCPercent))
			files := map[string]string{"plan.yaml": generatePlan(100_000, shape.deep)}
			opts := Options{Registry: testRegistry(), ReadFile: memFiles(files), Limits: Limits{FileSize: 64 << 20}}
			b.SetBytes(int64(len(files["plan.yaml"])))
			for b.Loop() {
				if p, ds := Load("plan.yaml", opts); p == nil {
					b.Fatalf("generated plan is invalid:\n%s", textOf(ds[:min(len(ds), 5)]))
				}
			}
		})
	}
}

// BenchmarkStepLookup100k looks up every step of a 100,000-step plan by
// id, as plan, resume and status do: each lookup must take constant time.
func BenchmarkStepLookup100k(b *testing.B) {
	steps := make([]*Step, 100_000)
	for i := range steps {
		steps[i] = &Step{ID: fmt.Sprintf("step-%d", i)}
	}
	p := &Plan{Steps: steps}
	for b.Loop() {
		for _, s := range steps {
			if p.Step(s.ID) != s {
				b.Fatalf("Step(%q) is not the step", s.ID)
			}
		}
	}
}

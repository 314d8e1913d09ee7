package plans

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLoadShapes loads plans shaped to find what is not linear:
// 100,000 steps each needing a missing step (suggestions), a plan and its
// base each of 100,000 vars (the merge), a block of 100,000 references
// (their columns), a step needing 20,000 others.
func BenchmarkLoadShapes(b *testing.B) {
	var dangling, base, over, block, manyNeeds strings.Builder
	dangling.WriteString("version: 1\nname: x\nsteps:\n")
	for i := range 100_000 {
		fmt.Fprintf(&dangling, "  - { id: s%d, action: exec.run, with: { program: echo }, needs: [t%d] }\n", i, i)
	}
	base.WriteString("vars:\n")
	over.WriteString("version: 1\nname: x\nextends: base.yaml\nsteps: []\nvars:\n")
	for i := range 100_000 {
		fmt.Fprintf(&base, "  v%d: a\n", i)
		fmt.Fprintf(&over, "  v%d: b\n", i)
	}
	block.WriteString("version: 1\nname: x\nvars: { a: b }\ndescription: |\n")
	for range 50_000 {
		block.WriteString("  ${vars.a} and ${vars.a}\n")
	}
	block.WriteString("steps: []\n")
	manyNeeds.WriteString("version: 1\nname: x\nsteps:\n")
	var ids []string
	for i := range 20_000 {
		fmt.Fprintf(&manyNeeds, "  - { id: s%d, action: exec.run, with: { program: echo } }\n", i)
		ids = append(ids, fmt.Sprintf("s%d", i))
	}
	fmt.Fprintf(&manyNeeds, "  - { id: last, action: exec.run, with: { program: echo }, needs: [%s] }\n", strings.Join(ids, ", "))
	cases := []struct {
		name  string
		files map[string]string
		valid bool
	}{
		{"dangling-needs", map[string]string{"p.yaml": dangling.String()}, false},
		{"extends-vars", map[string]string{"p.yaml": over.String(), "base.yaml": base.String()}, true},
		{"block-of-references", map[string]string{"p.yaml": block.String()}, true},
		{"many-needs", map[string]string{"p.yaml": manyNeeds.String()}, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, ds := Load("p.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(c.files)}); ds.HasErrors() == c.valid {
					b.Fatalf("want valid %v, got:\n%s", c.valid, textOf(ds[:min(len(ds), 3)]))
				}
			}
		})
	}
}

package plans

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// planWithNeeds writes a plan of approval steps with the given needs.
func planWithNeeds(steps [][2]string) string {
	var b strings.Builder
	b.WriteString("version: 1\nname: graph\nsteps:\n")
	for _, s := range steps {
		fmt.Fprintf(&b, "  - id: %s\n    action: approval\n", s[0])
		if s[1] != "" {
			fmt.Fprintf(&b, "    needs: [%s]\n", s[1])
		}
	}
	return b.String()
}

func loadGraph(t *testing.T, steps [][2]string) (*Plan, Diagnostics) {
	t.Helper()
	files := map[string]string{"g.yaml": planWithNeeds(steps)}
	return Load("g.yaml", Options{Registry: testRegistry(), ReadFile: memFiles(files)})
}

func TestGraphLevels(t *testing.T) {
	p, ds := loadGraph(t, [][2]string{{"d", "b, c"}, {"b", "a"}, {"c", "a"}, {"a", ""}, {"e", ""}})
	if ds.HasErrors() {
		t.Fatal(textOf(ds))
	}
	g := p.Graph
	if want := [][]string{{"a", "e"}, {"b", "c"}, {"d"}}; !reflect.DeepEqual(g.Levels, want) {
		t.Errorf("levels = %v, want %v", g.Levels, want)
	}
	if want := []string{"b", "c"}; !reflect.DeepEqual(g.Dependents["a"], want) {
		t.Errorf("dependents of a = %v, want %v", g.Dependents["a"], want)
	}
	if want := []string{"d", "b", "c", "a", "e"}; !reflect.DeepEqual(g.IDs, want) {
		t.Errorf("ids = %v, want file order %v", g.IDs, want)
	}
}

func TestGraphCycles(t *testing.T) {
	tests := []struct {
		name  string
		steps [][2]string
		want  []string // the cycle paths reported, in order
	}{
		{"two cycles sharing a step", [][2]string{{"c", "a"}, {"a", "b, c"}, {"b", "a"}},
			[]string{"a → b → a", "a → c → a"}},
		{"disjoint cycles", [][2]string{{"z", "y"}, {"y", "z"}, {"m", "n"}, {"n", "m"}, {"free", ""}},
			[]string{"m → n → m", "y → z → y"}},
		{"self", [][2]string{{"solo", "solo"}}, []string{"solo → solo"}},
		{"cycle behind a chain", [][2]string{{"top", "p"}, {"p", "q"}, {"q", "r"}, {"r", "p"}},
			[]string{"p → q → r → p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 3 { // the same messages on every run
				_, ds := loadGraph(t, tt.steps)
				var got []string
				for _, d := range ds {
					if msg, ok := strings.CutPrefix(d.Message, "dependency cycle: "); ok {
						got = append(got, msg[:strings.Index(msg, " (")])
					}
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("cycles = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestCycleLimit(t *testing.T) {
	// A complete graph on 8 steps has far more than maxCycles cycles.
	var steps [][2]string
	for i := range 8 {
		var needs []string
		for j := range 8 {
			if j != i {
				needs = append(needs, fmt.Sprintf("s%d", j))
			}
		}
		steps = append(steps, [2]string{fmt.Sprintf("s%d", i), strings.Join(needs, ", ")})
	}
	_, ds := loadGraph(t, steps)
	if len(ds) != maxCycles+1 || !strings.Contains(ds[maxCycles].Message, "more dependency cycles") {
		t.Errorf("want %d cycles and a note that more exist, got %d diagnostics", maxCycles, len(ds))
	}
}

func TestLongCycle(t *testing.T) {
	// 10,000 steps in one ring: one cycle, reported in a bounded message.
	const n = 10_000
	steps := make([][2]string, n)
	for i := range n {
		steps[i] = [2]string{fmt.Sprintf("s%05d", i), fmt.Sprintf("s%05d", (i+1)%n)}
	}
	_, ds := loadGraph(t, steps)
	if len(ds) != 1 {
		t.Fatalf("want one cycle, got %d diagnostics", len(ds))
	}
	msg := ds[0].Message
	if !strings.HasPrefix(msg, "dependency cycle: s00000 → s00001 → ") || !strings.Contains(msg, "… 10000 steps in all") || len(msg) > 4000 {
		t.Errorf("message of %d bytes: %.300s", len(msg), msg)
	}
}

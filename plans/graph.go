package plans

import (
	"fmt"
	"sort"
	"strings"
)

// maxCycles bounds how many cycles are reported: a tangle of needs can
// hold exponentially many, and the first ones show what to fix.
const maxCycles = 50

// edge is one dependency of a step, with where it is written.
type edge struct {
	from, to string
	pos      Pos
	how      string // "needs" or the reference that implies it
}

// buildGraph builds the dependency graph of the steps, reporting
// dangling needs and every dependency cycle.
func (l *loader) buildGraph(steps []*Step) *Graph {
	g := &Graph{Deps: make(map[string][]string, len(steps)), Dependents: make(map[string][]string, len(steps))}
	known := make(map[string]bool, len(steps))
	var first []*Step // the first step of each id, in file order
	for _, s := range steps {
		if s.ID != "" && !known[s.ID] {
			known[s.ID] = true
			g.IDs = append(g.IDs, s.ID)
			first = append(first, s)
		}
	}
	for _, s := range first {
		l.checkNeeds(s, known)
		deps := make([]string, 0, len(s.Deps))
		for _, d := range s.Deps {
			if known[d] {
				deps = append(deps, d)
				g.Dependents[d] = append(g.Dependents[d], s.ID)
			}
		}
		g.Deps[s.ID] = deps
	}
	for _, ds := range g.Dependents {
		sort.Strings(ds)
	}
	var leveled int
	g.Levels, leveled = levels(g)
	if leveled < len(g.IDs) { // Kahn's algorithm stopped short: there are cycles
		l.reportCycles(g, l.edgeIndex(first))
	}
	return g
}

// checkNeeds reports needs of unknown steps.
func (l *loader) checkNeeds(s *Step, known map[string]bool) {
	for _, nd := range s.Needs {
		if !known[nd.ID] {
			l.errorf(nd.Pos, "step %q needs unknown step %q%s", s.ID, nd.ID, l.didYouMean(nd.ID, func() []string { return keysOf(known) }))
		}
	}
}

// edgeIndex records the first place each dependency is written, for
// cycle messages.
func (l *loader) edgeIndex(steps []*Step) map[[2]string]edge {
	edges := make(map[[2]string]edge, 2*len(steps))
	add := func(e edge) {
		if _, ok := edges[[2]string{e.from, e.to}]; !ok {
			edges[[2]string{e.from, e.to}] = e
		}
	}
	for _, s := range steps {
		for _, nd := range s.Needs {
			add(edge{from: s.ID, to: nd.ID, pos: nd.Pos, how: "needs"})
		}
		for _, d := range l.implied[s] {
			add(edge{from: s.ID, to: d.id, pos: d.pos, how: "uses the outputs of"})
		}
	}
	return edges
}

// reportCycles reports each elementary cycle once, starting at its
// smallest step id, in order of that id and then of the path.
func (l *loader) reportCycles(g *Graph, edges map[[2]string]edge) {
	cycles, more := findCycles(g.Deps)
	for _, c := range cycles {
		first := edges[[2]string{c[0], c[1%len(c)]}]
		l.errorf(first.pos, "dependency cycle: %s", composed(cycleText(c, edges)))
	}
	if more {
		first := edges[[2]string{cycles[0][0], cycles[0][1%len(cycles[0])]}]
		l.errorf(first.pos, "more dependency cycles than the %d shown; fix these first", maxCycles)
	}
}

// maxCycleShown bounds how many steps of one cycle a message lists.
const maxCycleShown = 20

// cycleText renders a cycle as its path, then where each edge is written:
// "a → b → a (a needs b at f:3:12; b needs a at f:7:12)". A longer cycle
// shows its first maxCycleShown edges and how many steps it has.
func cycleText(c []string, edges map[[2]string]edge) string {
	var path, where []string
	for i, id := range c {
		if i == maxCycleShown {
			path = append(path, "…")
			where = append(where, fmt.Sprintf("… %d steps in all", len(c)))
			break
		}
		next := c[(i+1)%len(c)]
		e := edges[[2]string{id, next}]
		path = append(path, shownValue(id))
		where = append(where, fmt.Sprintf("%s %s %s at %s:%d:%d", shownValue(id), shownValue(e.how), shownValue(next), e.pos.File, e.pos.Line, e.pos.Col))
	}
	path = append(path, shownValue(c[0]))
	return strings.Join(path, " → ") + " (" + strings.Join(where, "; ") + ")"
}

// levels assigns each step the length of its longest dependency chain
// (Kahn's algorithm) and returns how many steps got one: steps on or
// behind a cycle get none.
func levels(g *Graph) ([][]string, int) {
	pending := make(map[string]int, len(g.IDs))
	level := make(map[string]int, len(g.IDs))
	var queue []string
	for _, id := range g.IDs {
		pending[id] = len(g.Deps[id])
		if pending[id] == 0 {
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, d := range g.Dependents[id] {
			level[d] = max(level[d], level[id]+1)
			if pending[d]--; pending[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	var out [][]string
	leveled := 0
	for _, id := range g.IDs {
		if pending[id] != 0 {
			continue
		}
		leveled++
		for len(out) <= level[id] {
			out = append(out, nil)
		}
		out[level[id]] = append(out[level[id]], id)
	}
	return out, leveled
}

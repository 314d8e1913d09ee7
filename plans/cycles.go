package plans

import "sort"

// findCycles returns the elementary cycles of a graph given as sorted
// adjacency lists, at most maxCycles of them (more says some were left
// out). Each cycle starts at its smallest id; cycles are ordered by that
// id, then by path. Strongly connected components (Tarjan) come first so
// that an acyclic graph costs one linear pass; cycles inside them are
// enumerated with Johnson's algorithm.
func findCycles(adj map[string][]string) (cycles [][]string, more bool) {
	ids := sortedKeys(adj)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	succ := make([][]int, len(ids))
	for i, id := range ids {
		for _, d := range adj[id] {
			if j, ok := index[d]; ok {
				succ[i] = append(succ[i], j)
			}
		}
		sort.Ints(succ[i])
	}
	j := &johnson{succ: succ, blocked: make([]bool, len(ids)), b: make([]map[int]bool, len(ids))}
	// Johnson: take the least vertex on a cycle among those >= s, find
	// every cycle through it, then drop it. Each round finds at least one
	// cycle, so the rounds are bounded by maxCycles.
	for s := 0; s < len(ids) && !j.more; s++ {
		j.comp = tarjan(succ, s)
		s = j.nextStart(s)
		if s < 0 {
			break
		}
		j.start = s
		for i := s; i < len(ids); i++ {
			if j.comp[i] == j.comp[s] {
				j.blocked[i] = false
				j.b[i] = nil
			}
		}
		j.circuit(s)
	}
	for _, c := range j.cycles {
		named := make([]string, len(c))
		for i, v := range c {
			named[i] = ids[v]
		}
		cycles = append(cycles, named)
	}
	return cycles, j.more
}

// tarjan returns the strongly connected component of each vertex of the
// subgraph of vertices >= from (-1 for those below).
func tarjan(succ [][]int, from int) []int {
	n := len(succ)
	idx, low, comp := make([]int, n), make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range idx {
		idx[i], comp[i] = -1, -1
	}
	var stack []int
	next, ncomp := 0, 0
	var visit func(v int)
	visit = func(v int) {
		idx[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range succ[v] {
			if w < from {
				continue
			}
			if idx[w] < 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], idx[w])
			}
		}
		if low[v] != idx[v] {
			return
		}
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp[w] = ncomp
			if w == v {
				break
			}
		}
		ncomp++
	}
	for v := from; v < n; v++ {
		if idx[v] < 0 {
			visit(v)
		}
	}
	return comp
}

// johnson holds the state of Johnson's elementary-cycle search.
type johnson struct {
	succ    [][]int
	comp    []int
	start   int
	blocked []bool
	b       []map[int]bool
	stack   []int
	cycles  [][]int
	more    bool
}

// nextStart returns the least vertex >= s that lies on a cycle of the
// current subgraph, or -1.
func (j *johnson) nextStart(s int) int {
	for v := s; v < len(j.succ); v++ {
		for _, w := range j.succ[v] {
			if w >= s && (w == v || j.comp[w] == j.comp[v]) {
				return v
			}
		}
	}
	return -1
}

// circuit finds the cycles through start among vertices >= start in
// start's component.
func (j *johnson) circuit(v int) bool {
	found := false
	j.stack = append(j.stack, v)
	j.blocked[v] = true
	for _, w := range j.succ[v] {
		if j.more || w < j.start || j.comp[w] != j.comp[j.start] {
			continue
		}
		if w == j.start {
			if len(j.cycles) == maxCycles {
				j.more = true
				continue
			}
			j.cycles = append(j.cycles, append([]int(nil), j.stack...))
			found = true
		} else if !j.blocked[w] && j.circuit(w) {
			found = true
		}
	}
	if found {
		j.unblock(v)
	} else {
		for _, w := range j.succ[v] {
			if w >= j.start && j.comp[w] == j.comp[j.start] {
				if j.b[w] == nil {
					j.b[w] = map[int]bool{}
				}
				j.b[w][v] = true
			}
		}
	}
	j.stack = j.stack[:len(j.stack)-1]
	return found
}

func (j *johnson) unblock(u int) {
	j.blocked[u] = false
	for w := range j.b[u] {
		delete(j.b[u], w)
		if j.blocked[w] {
			j.unblock(w)
		}
	}
}

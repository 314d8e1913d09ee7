package actions

import "fmt"

// MaxListed bounds the lists an action puts in its outputs (files
// copied, log backups applied, …): outputs are journaled, and a list of
// thousands would make every journal read slow.
const MaxListed = 100

// CapList returns items as an output list of at most MaxListed entries,
// with one more entry counting the rest ("… and 12 more").
func CapList(items []string) []any {
	out := make([]any, 0, min(len(items), MaxListed+1))
	for i, s := range items {
		if i == MaxListed {
			out = append(out, fmt.Sprintf("… and %d more", len(items)-MaxListed))
			break
		}
		out = append(out, s)
	}
	return out
}

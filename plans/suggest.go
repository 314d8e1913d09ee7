package plans

import (
	"strings"
)

// synonyms are abbreviations and near words people type for a parameter
// or field; a suggestion is made when the wanted name is among them.
var synonyms = map[string][]string{
	"dst":         {"to", "dest", "destination", "target"},
	"dest":        {"to", "destination", "target"},
	"destination": {"to", "dest", "target"},
	"src":         {"from", "source"},
	"source":      {"from", "src"},
	"db":          {"database"},
	"pwd":         {"password"},
	"pass":        {"password"},
	"cmd":         {"command", "program"},
	"args":        {"arguments", "argv"},
	"depends_on":  {"needs"},
	"depends":     {"needs"},
	"after":       {"needs"},
	"dir":         {"directory", "path"},
	"retries":     {"retry", "attempts"},
	"type":        {"action", "check"},
	"host":        {"server", "computer", "address"},
}

// suggest returns the candidate closest to word, or "" when none is
// close enough to be a likely typo.
func suggest(word string, candidates []string) string {
	if alts, ok := synonyms[strings.ToLower(word)]; ok {
		for _, a := range alts {
			for _, c := range candidates {
				if c == a {
					return c
				}
			}
		}
	}
	if len(word) > maxSuggested {
		return ""
	}
	best, bestDist := "", -1
	limit := max(2, len(word)/3)
	lw := strings.ToLower(word)
	for _, c := range candidates {
		if len(c) > len(word)+limit || len(c) < len(word)-limit {
			continue // more edits than the limit apart
		}
		d := distance(lw, strings.ToLower(c))
		// An edit that replaces all of the shorter word is no likeness
		// ("a" for "max"). Of two as close, the first in sorted order.
		if d >= min(len(lw), len(c)) || d > limit {
			continue
		}
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	return best
}

// maxSuggested is the longest word a suggestion is looked for: a typo
// of a longer one is no typo.
const maxSuggested = 100

// suggestBudget bounds the candidates looked at for the suggestions of
// one load (didYouMean through the loader): a plan of 100,000 steps each
// naming a missing step would otherwise compare each with every step.
const suggestBudget = 5_000_000

// didYouMean is didYouMean for candidates the plan declares (steps,
// vars, targets, secrets), which may be many: they are listed only while
// the load's budget lasts, and counted against it.
func (l *loader) didYouMean(word string, candidates func() []string) string {
	if l.suggested >= suggestBudget || len(word) > maxSuggested {
		return ""
	}
	list := candidates()
	l.suggested += len(list)
	return didYouMean(word, list)
}

// didYouMean formats a suggestion for the end of a message.
func didYouMean(word string, candidates []string) string {
	if s := suggest(word, candidates); s != "" {
		return " (did you mean \"" + s + "\"?)"
	}
	return ""
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

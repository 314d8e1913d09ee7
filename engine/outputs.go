package engine

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxOutputsSize bounds a step's outputs as journaled JSON. A record may
// not exceed journal.MaxRecordSize (1 MiB); outputs over it would make the
// outcome of a step that succeeded impossible to journal, and the run
// would stop with the step in doubt. What is left of the record (type,
// step, time, seq) is small.
const maxOutputsSize = 768 << 10

// fitOutputs returns outputs whose JSON fits in limit bytes: the longest
// string values are cut to their end (the end of a command's output is
// what tells how it went), then, if that is not enough, other large
// values are replaced by a note. It reports whether anything was cut.
// Dependents see the same outputs as a resumed run reads back.
func fitOutputs(out map[string]any, limit int) (map[string]any, bool) {
	size := jsonSize(out)
	if size <= limit {
		return out, false
	}
	fit := make(map[string]any, len(out))
	for k, v := range out {
		fit[k] = v
	}
	for size > limit {
		k, n := largest(fit)
		if k == "" {
			break
		}
		// Keep the share of the string its JSON may still take, a little
		// less: escapes make JSON longer than the string.
		s, ok := fit[k].(string)
		keep := int(float64(n-(size-limit)) / float64(n) * 0.95 * float64(len(s)))
		if ok && keep > 1024 {
			fit[k] = cutTail(s, keep)
		} else {
			fit[k] = fmt.Sprintf("(output %q of %d bytes dropped: too large for the journal)", k, n)
		}
		size = jsonSize(fit)
	}
	return fit, true
}

// largest returns the key whose value has the longest JSON, and that length
// ("" when every value is small: there is nothing left worth cutting).
func largest(m map[string]any) (string, int) {
	best, bestN := "", 256
	for k, v := range m {
		if n := jsonSize(v); n > bestN {
			best, bestN = k, n
		}
	}
	return best, bestN
}

// cutTail keeps the last keep bytes of s behind a marker, starting on a
// whole UTF-8 character.
func cutTail(s string, keep int) string {
	rest := s[len(s)-keep:]
	for len(rest) > 0 && !utf8.RuneStart(rest[0]) {
		rest = rest[1:]
	}
	return "…(cut: too large for the journal)…\n" + rest
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

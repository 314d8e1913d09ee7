package plans

import (
	"fmt"
	"strings"
)

// Limits bound what loading one plan may cost, so that a small hostile
// or broken file (vars that each repeat the one before, a base plan that
// is /dev/zero) gets a quick error instead of exhausting memory. A zero
// field takes its default. The failover command reads them from
// FAILOVER_MAX_FILE_SIZE, FAILOVER_MAX_VALUE_SIZE and
// FAILOVER_MAX_TOTAL_SIZE.
type Limits struct {
	// FileSize bounds each file read: the plan, its base plans and vars
	// files (default 16 MiB).
	FileSize int64
	// ValueSize bounds one string once vars are substituted (default
	// 1 MiB); a run-time reference counts as written.
	ValueSize int
	// TotalSize bounds what substitution adds up to over the whole plan:
	// every string that holds a ${vars.…} or ${plan.name}, and every
	// value a reference copies whole (default 64 MiB).
	TotalSize int64
}

// The default limits.
const (
	DefaultFileSize  = 16 << 20
	DefaultValueSize = 1 << 20
	DefaultTotalSize = 64 << 20
)

// orDefaults fills the zero fields with the defaults.
func (lim Limits) orDefaults() Limits {
	if lim.FileSize <= 0 {
		lim.FileSize = DefaultFileSize
	}
	if lim.ValueSize <= 0 {
		lim.ValueSize = DefaultValueSize
	}
	if lim.TotalSize <= 0 {
		lim.TotalSize = DefaultTotalSize
	}
	return lim
}

// FormatSize renders a byte count for messages: 16 MiB, 1.5 KiB, 300 bytes.
func FormatSize(n int64) string {
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	f, unit := float64(n)/1024, units[0]
	for _, u := range units[1:] {
		if f < 1024 {
			break
		}
		f, unit = f/1024, u
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0") + " " + unit
}

// chargeTotal adds n bytes of substituted values to the plan's total. Past
// the limit it reports once, at pos, and returns false: the value is
// then poisoned without a word, so that a plan of a million such
// references costs no more once the limit is passed.
func (l *loader) chargeTotal(n int64, pos Pos) bool {
	if l.total += n; l.total <= l.limits.TotalSize {
		return true
	}
	if !l.overTotal {
		l.overTotal = true
		l.errorf(pos, "vars substituted here bring the plan's values to more than %s, the most all substituted values may add up to "+
			"(a large var referenced many times; FAILOVER_MAX_TOTAL_SIZE sets the limit)", FormatSize(l.limits.TotalSize))
	}
	return false
}

// tooLong reports a string longer than the value limit at pos: the
// reference (ref) that made it so, or the string itself (ref "").
func (l *loader) tooLong(pos Pos, ref string) {
	what := "this value"
	if k := len(l.vars.chain); k > 0 {
		what = "vars." + l.vars.chain[k-1]
	}
	cause := what + " is"
	if ref != "" {
		cause = ref + " makes " + what
	}
	l.errorf(pos, "%s longer than %s, the most one value may hold once vars are substituted "+
		"(vars that each repeat the one before grow exponentially; FAILOVER_MAX_VALUE_SIZE sets the limit)",
		cause, FormatSize(int64(l.limits.ValueSize)))
}

// sizeOf is how many bytes a value holds: its strings, the references of
// its templates as written, and 8 for each value (an empty string, a list
// of them, counts too). Values shared by several vars are counted each
// time, as they are printed and hashed each time. It is remembered per
// value: a var referenced everywhere is measured once.
func (l *loader) sizeOf(v *Value) int64 {
	if n, ok := l.sizes[v]; ok {
		return n
	}
	n := int64(8)
	switch v.Kind {
	case KindString:
		n += int64(len(v.Str))
	case KindTemplate:
		for _, p := range v.Parts {
			n += int64(len(p.Lit)) + int64(refLen(p.Ref))
		}
	case KindList:
		for _, e := range v.List {
			n += l.sizeOf(e)
		}
	case KindMap:
		for k, e := range v.Map {
			n += int64(len(k)) + l.sizeOf(e)
		}
	}
	l.sizes[v] = n
	return n
}

// refsOf is v.Refs(), remembered per value: a var is checked where it is
// used, and may be used everywhere.
func (l *loader) refsOf(v *Value) []*Ref {
	refs, ok := l.refs[v]
	if !ok {
		refs = v.Refs()
		l.refs[v] = refs
	}
	return refs
}

// refLen is the length of a reference as written (${scope.a.b}), 0 for none.
func refLen(r *Ref) int {
	if r == nil {
		return 0
	}
	n := len("${}") + len(r.Scope)
	for _, p := range r.Path {
		n += 1 + len(p)
	}
	return n
}

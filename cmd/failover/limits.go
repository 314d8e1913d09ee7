package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/failover-dev/failover/plans"
)

// limitVars are the environment variables that change the limits on
// loading a plan (plans.Limits), and the field each sets.
var limitVars = []struct {
	name string
	set  func(l *plans.Limits, n int64)
}{
	{"FAILOVER_MAX_FILE_SIZE", func(l *plans.Limits, n int64) { l.FileSize = n }},
	{"FAILOVER_MAX_VALUE_SIZE", func(l *plans.Limits, n int64) { l.ValueSize = int(n) }},
	{"FAILOVER_MAX_TOTAL_SIZE", func(l *plans.Limits, n int64) { l.TotalSize = n }},
}

// planLimits reads the limits on loading a plan from the environment
// (getenv); an unset variable keeps the default.
func planLimits(getenv func(string) string) (plans.Limits, error) {
	var l plans.Limits
	for _, v := range limitVars {
		text := getenv(v.name)
		if text == "" {
			continue
		}
		n, err := parseSize(text)
		if err != nil {
			return l, fmt.Errorf("bad %s=%q: %w", v.name, text, err)
		}
		v.set(&l, n)
	}
	return l, nil
}

// sizeUnits are the suffixes parseSize accepts, by their lower case.
var sizeUnits = map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30}

// parseSize reads a positive size in bytes: 1048576, 512KiB, 16MiB, 1GiB
// (K, M and G count in 1024s too).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	unit, known := sizeUnits[strings.ToLower(strings.TrimSpace(s[i:]))]
	if err != nil || !known || n <= 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("want a positive size such as 1048576, 512KiB, 16MiB or 1GiB")
	}
	return n * unit, nil
}

// readPlanFile reads a plan or vars file as plans.Load does: a regular
// file, within the file size limit. Diagnostics show their source lines
// through it too: a file is never read without bound, nor from a pipe.
func (a *app) readPlanFile(path string) ([]byte, error) {
	return plans.ReadFile(path, a.limits.FileSize)
}

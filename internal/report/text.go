package report

import (
	"fmt"
	"strings"
	"time"
)

// timeLayout is how the report writes a moment: in UTC, to the second.
const timeLayout = "2006-01-02 15:04:05"

// Time writes t in UTC, or "—" for the zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(timeLayout) + " UTC"
}

// Clock writes t's time of day in UTC, for tables whose date is known.
func Clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.TimeOnly)
}

// Duration writes d rounded for people: milliseconds under a second,
// tenths of a second under a minute, seconds above.
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + Duration(-d)
	case d.Round(time.Millisecond) < time.Second:
		return d.Round(time.Millisecond).String()
	case d.Round(100*time.Millisecond) < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	s := d.Round(time.Second).String()
	// 45m0s reads 45m, 1h0m0s 1h.
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}

// BudgetText says how a time stands against its rto.
func BudgetText(b Budget) string {
	switch {
	case b.Limit == 0:
		return ""
	case b.Over && b.Known:
		return fmt.Sprintf("over its rto of %s by %s", Duration(b.Limit), Duration(b.Took-b.Limit))
	case b.Over:
		return fmt.Sprintf("over its rto of %s by %s already, and not finished", Duration(b.Limit), Duration(b.Took-b.Limit))
	case b.Known:
		return fmt.Sprintf("within its rto of %s (%s to spare)", Duration(b.Limit), Duration(b.Limit-b.Took))
	}
	return fmt.Sprintf("within its rto of %s so far (%s left), not finished", Duration(b.Limit), Duration(b.Limit-b.Took))
}

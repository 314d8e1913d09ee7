package engine

import "time"

// logDur renders a duration for the log, console and JSON alike, as a Go
// duration string an operator reads at a glance: "1.002s", "250ms",
// "2m30s", "40µs". It is rounded to the millisecond from one millisecond
// up, to the microsecond below; zerolog's default (a float of
// milliseconds with no unit) read as "1000.6" for one second.
func logDur(d time.Duration) string {
	switch {
	case d >= time.Millisecond || d <= -time.Millisecond:
		return d.Round(time.Millisecond).String()
	case d >= time.Microsecond || d <= -time.Microsecond:
		return d.Round(time.Microsecond).String()
	}
	return d.String()
}

package lab

import (
	"fmt"
	"time"

	// The lab's time zone must load on every machine, Windows included,
	// which has no zoneinfo files of its own.
	_ "time/tzdata"
)

// defaultTimeZone is the lab's default server time zone: not UTC, so that
// a tool that mixes server-local times with UTC (file names) fails in the
// lab, and with summer time, as the Persistent Chat servers' zone has.
const defaultTimeZone = "Europe/Berlin"

// Zone is the servers' time zone: TimeZone, or the default for a config
// without one.
func (c Config) Zone() string {
	if c.TimeZone == "" {
		return defaultTimeZone
	}
	return c.TimeZone
}

// loadLocation loads a configured time zone ("" is the default).
func loadLocation(name string) (*time.Location, error) {
	if name == "" {
		name = defaultTimeZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: not a time zone (an IANA name such as Europe/Berlin, America/New_York or UTC)", name)
	}
	return loc, nil
}

// mustDefaultLocation is the default zone; the embedded tzdata has it.
func mustDefaultLocation() *time.Location {
	loc, err := loadLocation("")
	if err != nil {
		panic(err)
	}
	return loc
}

// localTime is an instant as the server's wall clock: what a DATETIME
// column of SQL Server holds for a local time (GETDATE, msdb's *_date
// columns, RESTORE HEADERONLY's dates). The zero time stays zero (NULL).
func (in *instance) localTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(in.loc)
}

// utcTime is an instant as a UTC wall clock (msdb's *_date_utc columns,
// GETUTCDATE).
func utcTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

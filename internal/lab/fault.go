package lab

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// FaultKind is what a fault does to a matching statement.
type FaultKind string

// The fault kinds.
const (
	// FaultDrop closes the connection: before the statement runs, or for
	// RESTORE LOG after the restore started (so the next attempt sees
	// 4319).
	FaultDrop FaultKind = "drop"
	// FaultError answers the statement with error Error (its real text
	// when the lab knows the number) instead of running it.
	FaultError FaultKind = "error"
	// FaultDelay waits Delay, then runs the statement.
	FaultDelay FaultKind = "delay"
	// FaultDown stops Instance (it stops listening and drops its
	// connections) until the fault is cleared; Match is not used.
	FaultDown FaultKind = "down"
	// FaultDropAfter runs the statement to its end (its effect stays),
	// then closes the connection before the answer reaches the client:
	// a RESTORE … WITH RECOVERY that happened although the client saw
	// only a dropped connection.
	FaultDropAfter FaultKind = "drop_after"
)

// Fault is an injected failure. It watches the statements that match
// Match (a case-insensitive regular expression over the statement text, or
// an RPC's procedure name) on Instance ("" for all instances), fires from
// the Nth match on, and fires Times times.
type Fault struct {
	// ID names the fault for listing and clearing; AddFault fills it in.
	ID       string    `yaml:"id,omitempty"`
	Instance string    `yaml:"instance,omitempty"`
	Match    string    `yaml:"match"`
	Kind     FaultKind `yaml:"kind"`
	// Nth is the first matching statement the fault fires on (default 1).
	Nth int `yaml:"nth,omitempty"`
	// Times is how often it fires (default 1; -1: every time).
	Times int `yaml:"times,omitempty"`
	// Error is the error number of a FaultError (e.g. 1205).
	Error int32 `yaml:"error,omitempty"`
	// Delay is the wait of a FaultDelay (and the time of a file-system
	// fault: see fsfault.go).
	Delay time.Duration `yaml:"delay,omitempty"`
	// Path is what a file-system fault acts on (a folder or a file): a
	// Windows path through the path map or a path in the lab dir. AddFault
	// fills in the kind's default.
	Path string `yaml:"path,omitempty"`
	// Free is the space left in the folder of a disk-full fault, bytes.
	Free int64 `yaml:"free,omitempty"`
}

// Validate checks that the fault can fire.
func (f Fault) Validate() error {
	if f.Kind.IsFile() {
		return f.validateFile()
	}
	if f.Path != "" || f.Free != 0 {
		return fmt.Errorf("path and free go with the file-system kinds (%s), not %s", fileKindList(), f.Kind)
	}
	if f.Kind == FaultDown {
		switch {
		case f.Instance == "":
			return errors.New("a down fault needs instance, the instance to stop")
		case f.Match != "":
			return fmt.Errorf("match %q does not go with kind down: a down fault stops the whole instance", f.Match)
		case f.Error != 0:
			return fmt.Errorf("error %d goes with kind error, not down", f.Error)
		case f.Delay != 0:
			return fmt.Errorf("delay %s goes with kind delay, not down", f.Delay)
		}
		return nil
	}
	if f.Match == "" {
		return errors.New("a fault needs match, a regular expression")
	}
	if _, err := regexp.Compile("(?i)" + f.Match); err != nil {
		return fmt.Errorf("compile match %q: %w", f.Match, err)
	}
	if f.Nth < 0 || f.Times < -1 {
		return fmt.Errorf("nth must be >= 1 and times >= 1 or -1")
	}
	switch {
	case f.Error != 0 && f.Kind != FaultError:
		return fmt.Errorf("error %d goes with kind error, not %s", f.Error, f.Kind)
	case f.Delay != 0 && f.Kind != FaultDelay:
		return fmt.Errorf("delay %s goes with kind delay, not %s", f.Delay, f.Kind)
	}
	switch f.Kind {
	case FaultDrop, FaultDropAfter:
	case FaultError:
		if f.Error <= 0 {
			return errors.New("an error fault needs error, an error number")
		}
	case FaultDelay:
		if f.Delay <= 0 {
			return errors.New("a delay fault needs delay, a positive duration")
		}
	default:
		return fmt.Errorf("unknown fault kind %q (drop, drop_after, error, delay, down, or one of the file system's: %s)", f.Kind, fileKindList())
	}
	return nil
}

// String describes the fault for `failover-lab fault list`.
func (f Fault) String() string {
	if f.Kind.IsFile() {
		return f.fileString()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", f.ID, f.Kind)
	if f.Kind == FaultDown {
		fmt.Fprintf(&b, " %s", f.Instance)
		return b.String()
	}
	switch f.Kind {
	case FaultError:
		fmt.Fprintf(&b, " %d", f.Error)
	case FaultDelay:
		fmt.Fprintf(&b, " %s", f.Delay)
	}
	fmt.Fprintf(&b, " on /%s/", f.Match)
	if f.Instance != "" {
		fmt.Fprintf(&b, " at %s", f.Instance)
	}
	fmt.Fprintf(&b, " from match %d, %s", max(f.Nth, 1), timesText(f.Times))
	return b.String()
}

func timesText(n int) string {
	switch n {
	case -1:
		return "every time"
	case 0, 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// armed is a fault with its counters.
type armed struct {
	Fault
	re      *regexp.Regexp
	matched int // guarded by faultSet.mu
	fired   int // guarded by faultSet.mu
}

// compileMatch compiles a validated fault's pattern (nil for down faults
// and file-system faults that watch no statement).
func compileMatch(f Fault) *regexp.Regexp {
	if f.Kind == FaultDown || f.Match == "" {
		return nil
	}
	return regexp.MustCompile("(?i)" + f.Match)
}

// faultSet holds the active faults of a running lab.
type faultSet struct {
	mu     sync.Mutex
	faults []*armed // guarded by mu
}

// replace sets the active faults, keeping the counters of faults whose ID
// stays, so re-reading the faults file does not re-arm spent faults.
func (fs *faultSet) replace(list []Fault) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	old := map[string]*armed{}
	for _, a := range fs.faults {
		old[a.ID] = a
	}
	next := make([]*armed, 0, len(list))
	for _, f := range list {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("fault %s: %w", f.ID, err)
		}
		a := &armed{Fault: f, re: compileMatch(f)}
		if o, ok := old[f.ID]; ok && f.ID != "" && o.Fault == f {
			a.matched, a.fired = o.matched, o.fired
		}
		next = append(next, a)
	}
	fs.faults = next
	return nil
}

// add arms one more fault.
func (fs *faultSet) add(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = append(fs.faults, &armed{Fault: f, re: compileMatch(f)})
	return nil
}

// fire returns the first fault that fires for a statement on an instance,
// counting the match for every fault that matches.
func (fs *faultSet) fire(instance, text string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var hit *armed
	for _, a := range fs.faults {
		if a.re == nil || a.Instance != "" && !strings.EqualFold(a.Instance, instance) {
			continue
		}
		if !a.re.MatchString(text) {
			continue
		}
		a.matched++
		if hit == nil && a.matched >= max(a.Nth, 1) && (a.Times == -1 || a.fired < max(a.Times, 1)) {
			hit = a
		}
	}
	if hit == nil {
		return Fault{}, false
	}
	hit.fired++
	return hit.Fault, true
}

package lyncshell

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// FaultKind is what a shell fault does.
type FaultKind string

// The fault kinds.
const (
	// FaultFail makes the matching cmdlet fail with an error record.
	FaultFail FaultKind = "fail"
	// FaultHang makes the shell hang (as a prompt or a stuck remote call
	// would) until it is killed.
	FaultHang FaultKind = "hang"
)

// Fault makes cmdlets whose name matches misbehave: from the Nth
// matching call on, Times times (-1: always). Counters live in the state
// file, since every call is a process of its own.
type Fault struct {
	ID    string    `json:"id"`
	Match string    `json:"match"`
	Kind  FaultKind `json:"kind"`
	Nth   int       `json:"nth"`
	Times int       `json:"times"`
	// Message is the failure's message (default: says it is injected).
	Message string `json:"message,omitempty"`
	Seen    int    `json:"seen"`
	Fired   int    `json:"fired"`
}

// Validate checks that a fault can fire.
func (f *Fault) Validate() error {
	if f.Match == "" {
		return errors.New("a fault needs match, a regular expression over the cmdlet name")
	}
	if _, err := regexp.Compile("(?i)" + f.Match); err != nil {
		return fmt.Errorf("match %q: %w", f.Match, err)
	}
	switch {
	case f.Kind != FaultFail && f.Kind != FaultHang:
		return fmt.Errorf("kind %q: want fail or hang", f.Kind)
	case f.Nth < 1:
		return fmt.Errorf("nth %d: the first matching call is 1", f.Nth)
	case f.Times == 0 || f.Times < -1:
		return fmt.Errorf("times %d: at least 1, or -1 for always", f.Times)
	case f.Message != "" && f.Kind != FaultFail:
		return errors.New("message goes with kind fail")
	}
	return nil
}

// String describes the fault for fault list.
func (f *Fault) String() string {
	times := strconv.Itoa(f.Times) + " times"
	if f.Times == -1 {
		times = "always"
	}
	return fmt.Sprintf("%s: %s cmdlets matching %q from call %d, %s (seen %d, fired %d)", f.ID, f.Kind, f.Match, f.Nth, times, f.Seen, f.Fired)
}

// AddFault adds a fault to the lab in labDir and returns it with its id.
func AddFault(labDir string, f Fault) (Fault, error) {
	if f.Nth == 0 {
		f.Nth = 1
	}
	if f.Times == 0 {
		f.Times = 1
	}
	if err := f.Validate(); err != nil {
		return Fault{}, err
	}
	err := Update(labDir, func(st *State) error {
		taken := map[string]bool{}
		for _, g := range st.Faults {
			taken[g.ID] = true
		}
		if f.ID == "" {
			for n := len(st.Faults) + 1; f.ID == "" || taken[f.ID]; n++ {
				f.ID = "s" + strconv.Itoa(n)
			}
		} else if taken[f.ID] {
			return fmt.Errorf("fault id %q is taken", f.ID)
		}
		f.Seen, f.Fired = 0, 0
		st.Faults = append(st.Faults, f)
		return nil
	})
	return f, err
}

// ClearFaults removes the fault id, or all with id "", and reports
// whether it removed any.
func ClearFaults(labDir, id string) (bool, error) {
	removed := false
	err := Update(labDir, func(st *State) error {
		kept := st.Faults[:0]
		for _, f := range st.Faults {
			if id == "" || f.ID == id {
				removed = true
				continue
			}
			kept = append(kept, f)
		}
		st.Faults = kept
		return nil
	})
	return removed, err
}

// fire counts a call of cmdlet and returns the fault that fires on it.
func (st *State) fire(cmdlet string) *Fault {
	for i := range st.Faults {
		f := &st.Faults[i]
		re, err := regexp.Compile("(?i)" + f.Match)
		if err != nil || !re.MatchString(cmdlet) {
			continue
		}
		f.Seen++
		if f.Seen >= f.Nth && (f.Times == -1 || f.Fired < f.Times) {
			f.Fired++
			return f
		}
	}
	return nil
}

package actions

import (
	"testing"
	"time"
)

// TestProgressSinkThrottles: the first report and one that completes its
// total are passed on; the rest wait for the interval; a stopped sink
// passes nothing and says what it passed last.
func TestProgressSinkThrottles(t *testing.T) {
	var got []Progress
	s := NewProgressSink(time.Hour, func(p Progress) { got = append(got, p) })
	env := &Env{Progress: s}
	for i := int64(1); i <= 1000; i++ {
		env.Report(Progress{Done: i, Total: 1000})
	}
	env.Report(Progress{Done: 5}) // no total: not complete
	if len(got) != 2 || got[0].Done != 1 || got[1].Done != 1000 {
		t.Fatalf("passed %v, want the first and the last", got)
	}
	last, ok := s.Stop()
	env.Report(Progress{Done: 1000, Total: 1000})
	if !ok || last.Done != 1000 || len(got) != 2 {
		t.Errorf("after stop: last %v (%v), passed %d", last, ok, len(got))
	}
	(&Env{}).Report(Progress{Done: 1, Total: 1}) // no sink: nothing happens
	var nilEnv *Env
	nilEnv.Report(Progress{})
}

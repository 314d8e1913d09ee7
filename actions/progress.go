package actions

import (
	"sync"
	"sync/atomic"
	"time"
)

// ProgressSink throttles one attempt's progress reports: a report is
// passed on at most once per interval (and always when it completes its
// total); the others are dropped. The engine makes one per attempt; a
// test may make its own with NewProgressSink.
type ProgressSink struct {
	// due is set when the next report may be passed on. It is the only
	// thing a report that is not due reads: reporting every item of a
	// 10,000-file copy costs next to nothing.
	due      atomic.Bool
	interval time.Duration
	emit     func(Progress)

	mu       sync.Mutex // guards the fields below, and serialises emit
	timer    *time.Timer
	last     Progress
	reported bool
	stopped  bool
}

// NewProgressSink returns a sink passing reports to emit at most once per
// interval (0: every report).
func NewProgressSink(interval time.Duration, emit func(Progress)) *ProgressSink {
	s := &ProgressSink{interval: interval, emit: emit}
	s.due.Store(true)
	return s
}

// Report passes p on if a report is due or p completes its total. A
// report that is not due costs a load and a compare (uint64(Total-1) <
// uint64(Done) is Total > 0 && Done >= Total for the counts a report
// holds). A nil sink discards it.
func (s *ProgressSink) Report(p Progress) {
	if s != nil && (s.due.Load() || uint64(p.Total-1) < uint64(p.Done)) {
		s.pass(&p)
	}
}

// pass is Report's slow path, kept apart so that Report inlines.
func (s *ProgressSink) pass(p *Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.last, s.reported = *p, true
	s.emit(*p)
	if s.interval <= 0 {
		return
	}
	s.due.Store(false)
	if s.timer == nil {
		s.timer = time.AfterFunc(s.interval, func() { s.due.Store(true) })
	} else {
		s.timer.Reset(s.interval)
	}
}

// Stop ends the sink: later reports are dropped. It returns the last
// progress passed on, and whether there was any.
func (s *ProgressSink) Stop() (last Progress, reported bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.timer != nil {
		s.timer.Stop()
	}
	return s.last, s.reported
}

package engine

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/failover-dev/failover/actions"
)

// progressInterval is the fastest a step's progress is rendered: reports
// in between are dropped, so an action may report every item it handles.
const progressInterval = 100 * time.Millisecond

// ProgressEvent is one step's progress, for the console's bars or a log
// line.
type ProgressEvent struct {
	Step   string
	Action string
	actions.Progress
	// Ended says the step's attempt is over: the bar is complete or
	// abandoned, and no event of this attempt follows.
	Ended bool
}

// progressSink throttles one attempt's progress reports. Report costs an
// atomic compare when no event is due, so that reporting every item of a
// 10,000-file copy is cheap.
type progressSink struct {
	r      *run
	step   string
	action string
	// due is set when the next report may be rendered: at the start, then
	// progressInterval after each rendering.
	due atomic.Bool
	// reported says at least one event was rendered (stop then ends it).
	reported atomic.Bool
	mu       sync.Mutex // guards timer and last
	timer    *time.Timer
	last     actions.Progress
	stopped  bool
}

func (r *run) progressSink(st *stepState) *progressSink {
	s := &progressSink{r: r, step: st.step.ID, action: st.step.Action}
	s.due.Store(true)
	return s
}

// Report implements actions.ProgressSink. A report that completes its
// total is always rendered.
func (s *progressSink) Report(p actions.Progress) {
	final := p.Total > 0 && p.Done >= p.Total
	if !final && (!s.due.Load() || !s.due.CompareAndSwap(true, false)) {
		return
	}
	s.due.Store(false)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.last = p
	s.reported.Store(true)
	s.r.progress(ProgressEvent{Step: s.step, Action: s.action, Progress: p})
	if s.timer == nil {
		s.timer = time.AfterFunc(progressInterval, func() { s.due.Store(true) })
	} else {
		s.timer.Reset(progressInterval)
	}
}

// stop ends the attempt's progress: a bar that was shown is ended with
// the last progress reported.
func (s *progressSink) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.reported.Load() {
		s.r.progress(ProgressEvent{Step: s.step, Action: s.action, Progress: s.last, Ended: true})
	}
}

// progress hands an event to the console, or logs it when there is none:
// JSON-lines logs carry progress as records.
func (r *run) progress(ev ProgressEvent) {
	r.progressMu.Lock()
	defer r.progressMu.Unlock()
	ev.Item = r.red.Redact(ev.Item)
	if r.cfg.Progress != nil {
		r.cfg.Progress(ev)
		return
	}
	e := r.log.Info().Str("step", ev.Step).Str("action", ev.Action).Int64("done", ev.Done)
	if ev.Total > 0 {
		e = e.Int64("total", ev.Total)
	}
	if ev.Unit != "" {
		e = e.Str("unit", ev.Unit)
	}
	if ev.TotalBytes > 0 || ev.Bytes > 0 {
		e = e.Int64("bytes", ev.Bytes).Int64("total_bytes", ev.TotalBytes)
	}
	if ev.Item != "" {
		e = e.Str("item", ev.Item)
	}
	e.Bool("ended", ev.Ended).Msg("progress")
}

package engine

import (
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

// attemptProgress is one attempt's progress sink.
type attemptProgress struct {
	r    *run
	st   *stepState
	sink *actions.ProgressSink
}

func (r *run) progressSink(st *stepState) *attemptProgress {
	ap := &attemptProgress{r: r, st: st}
	ap.sink = actions.NewProgressSink(progressInterval, func(p actions.Progress) {
		r.progress(ProgressEvent{Step: st.step.ID, Action: st.step.Action, Progress: p})
	})
	return ap
}

// stop ends the attempt's progress: a bar that was shown is ended with
// the last progress reported.
func (ap *attemptProgress) stop() {
	if last, ok := ap.sink.Stop(); ok {
		ap.r.progress(ProgressEvent{Step: ap.st.step.ID, Action: ap.st.step.Action, Progress: last, Ended: true})
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

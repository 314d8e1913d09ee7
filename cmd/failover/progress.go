package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/failover-dev/failover/engine"
)

// bars renders the progress of long steps as one bar a step on a
// terminal: done of total (files, logs, bytes), rate, ETA and the current
// item. Log lines written meanwhile go through it, above the bars.
type bars struct {
	out io.Writer
	now func() time.Time

	mu sync.Mutex // guards the fields below (never held while calling a bar)
	p  *mpb.Progress
	// refreshCh makes the renderer draw a frame: after every event and
	// log line, and before it stops. Frames are drawn on demand rather
	// than on a timer so that the last one (a step done in less than a
	// refresh period, the last log line) is never lost.
	refreshCh chan any
	// steps by step id, while their bar shows.
	steps map[string]*stepBar
	done  bool
}

// stepBar is one step's bar and what its decorators show. Its own lock:
// the renderer's goroutine reads last while drawing, and a bar's methods
// wait for that goroutine, so no lock is held while calling them.
type stepBar struct {
	bar   *mpb.Bar
	start time.Time
	mu    sync.Mutex // guards last
	last  engine.ProgressEvent
}

func newBars(out io.Writer) *bars {
	return &bars{out: out, now: time.Now, steps: map[string]*stepBar{}}
}

// event renders one progress event (engine.Config.Progress).
func (b *bars) event(ev engine.ProgressEvent) {
	sb := b.bar(ev)
	if sb == nil {
		return
	}
	sb.mu.Lock()
	sb.last = ev
	sb.mu.Unlock()
	total, current := barTotal(ev), barCurrent(ev)
	if total > 0 {
		sb.bar.SetTotal(total, false)
	}
	sb.bar.SetCurrent(current)
	if ev.Ended && (total <= 0 || current < total) {
		// Stopped short (failed, interrupted): the bar stays as it is.
		sb.bar.Abort(false)
	}
	b.refresh()
}

// refresh draws a frame now.
func (b *bars) refresh() {
	b.mu.Lock()
	ch := b.refreshCh
	b.mu.Unlock()
	if ch != nil {
		ch <- struct{}{}
	}
}

// bar returns the step's bar, adding it on the step's first event; nil
// once the run is over.
func (b *bars) bar(ev engine.ProgressEvent) *stepBar {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return nil
	}
	if b.p == nil {
		// Started on the first event: a run without long steps never
		// starts the renderer.
		b.refreshCh = make(chan any)
		b.p = mpb.New(mpb.WithOutput(b.out), mpb.WithWidth(32), mpb.WithManualRefresh(b.refreshCh))
	}
	sb := b.steps[ev.Step]
	if sb == nil {
		sb = &stepBar{start: b.now(), last: ev}
		sb.bar = b.p.AddBar(barTotal(ev), mpb.PrependDecorators(decor.Name(ev.Step, decor.WC{C: decor.DindentRight | decor.DextraSpace})),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return b.text(sb) })))
		b.steps[ev.Step] = sb
	}
	if ev.Ended {
		delete(b.steps, ev.Step)
	}
	return sb
}

// barTotal and barCurrent measure a bar in bytes when the step counts
// bytes, else in items.
func barTotal(ev engine.ProgressEvent) int64 {
	if ev.TotalBytes > 0 {
		return ev.TotalBytes
	}
	return ev.Total
}

func barCurrent(ev engine.ProgressEvent) int64 {
	if ev.TotalBytes > 0 {
		return ev.Bytes
	}
	return ev.Done
}

// text is what follows a bar: counts, rate, ETA, current item.
func (b *bars) text(sb *stepBar) string {
	sb.mu.Lock()
	ev, start := sb.last, sb.start
	sb.mu.Unlock()
	parts := []string{count(ev.Done, ev.Total, ev.Unit)}
	if ev.TotalBytes > 0 || ev.Bytes > 0 {
		parts = append(parts, fmt.Sprintf("%s/%s", size(ev.Bytes), size(ev.TotalBytes)))
	}
	elapsed := b.now().Sub(start)
	if rate, eta := rateETA(ev, elapsed); rate != "" {
		parts = append(parts, rate, "ETA "+eta)
	}
	if ev.Item != "" {
		parts = append(parts, shorten(ev.Item, 40))
	}
	return strings.Join(parts, "  ")
}

func count(done, total int64, unit string) string {
	s := fmt.Sprint(done)
	if total > 0 {
		s += fmt.Sprintf("/%d", total)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// rateETA is the average rate since the bar started and the time left at
// that rate; "" until there is something to measure.
func rateETA(ev engine.ProgressEvent, elapsed time.Duration) (string, string) {
	secs := elapsed.Seconds()
	if secs < 0.5 {
		return "", ""
	}
	if ev.TotalBytes > 0 && ev.Bytes > 0 {
		perSec := float64(ev.Bytes) / secs
		left := time.Duration(float64(ev.TotalBytes-ev.Bytes) / perSec * float64(time.Second))
		return size(int64(perSec)) + "/s", left.Round(time.Second).String()
	}
	if ev.Total > 0 && ev.Done > 0 {
		perSec := float64(ev.Done) / secs
		left := time.Duration(float64(ev.Total-ev.Done) / perSec * float64(time.Second))
		return fmt.Sprintf("%.1f %s/s", perSec, cmpOr(ev.Unit, "items")), left.Round(time.Second).String()
	}
	return "", ""
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// size renders bytes in binary units.
func size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// shorten keeps the end of s (a file name's end tells most).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// Write writes a log line: above the bars while they show, else to the
// terminal.
func (b *bars) Write(p []byte) (int, error) {
	b.mu.Lock()
	pr := b.p
	b.mu.Unlock()
	if pr != nil {
		if n, err := pr.Write(p); err == nil {
			// Written into the frame buffer: drawn with the next frame.
			b.refresh()
			return n, nil
		}
	}
	return b.out.Write(p)
}

// finish ends every bar still showing (the run stopped) and waits for the
// renderer to draw the last frame.
func (b *bars) finish() {
	b.mu.Lock()
	pr, open, ch := b.p, b.steps, b.refreshCh
	b.done, b.p, b.steps = true, nil, map[string]*stepBar{}
	b.mu.Unlock()
	if pr == nil {
		return
	}
	for _, sb := range open {
		if !sb.bar.Completed() {
			sb.bar.Abort(false)
		}
	}
	// Bars end once a frame has drawn them in their final state: draw
	// until every bar is done, then stop the renderer.
	done := make(chan struct{})
	go func() {
		pr.Wait()
		close(done)
	}()
	for {
		select {
		case <-done:
			b.mu.Lock()
			b.refreshCh = nil
			b.mu.Unlock()
			return
		case ch <- struct{}{}:
		}
	}
}

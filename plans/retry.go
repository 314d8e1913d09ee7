package plans

import "time"

// engineRetry is the retry policy when a plan sets none: one attempt.
var engineRetry = Retry{Attempts: 1, Delay: time.Second, Backoff: 2, MaxDelay: time.Minute, On: "retryable"}

// decodeDefaults reads defaults: {timeout, retry}.
func (l *loader) decodeDefaults(n *node) Defaults {
	d := Defaults{Retry: engineRetry}
	if n.isNull() || !l.checkKeys(n, "defaults", "timeout", "retry") {
		return d
	}
	if tn := n.get("timeout"); !tn.isNull() {
		d.Timeout, _ = l.durationField(tn, "defaults timeout")
	}
	d.Retry = l.decodeRetry(n.get("retry"), engineRetry, "defaults retry")
	return d
}

// decodeRetry reads a retry policy field by field over base.
func (l *loader) decodeRetry(n *node, base Retry, what string) Retry {
	r := base
	if n.isNull() || !l.checkKeys(n, what, "attempts", "delay", "backoff", "max_delay", "on") {
		return r
	}
	if an := n.get("attempts"); !an.isNull() {
		if a, ok := l.intField(an, "attempts"); ok && a < 1 {
			l.errorf(an.pos, "attempts must be at least 1 (it counts the first attempt)")
		} else if ok {
			r.Attempts = a
		}
	}
	l.retryDurations(n, &r)
	if bn := n.get("backoff"); !bn.isNull() {
		if b, ok := l.floatField(bn, "backoff"); ok && b < 1 {
			l.errorf(bn.pos, "backoff must be at least 1 (1: the same delay every time)")
		} else if ok {
			r.Backoff = b
		}
	}
	if on := n.get("on"); !on.isNull() {
		if s, ok := l.stringField(on, "on"); ok && s != "retryable" && s != "any" {
			l.errorf(on.pos, "on must be \"retryable\" or \"any\", got %q%s", s, didYouMean(s, []string{"retryable", "any"}))
		} else if ok {
			r.On = s
		}
	}
	return r
}

func (l *loader) retryDurations(n *node, r *Retry) {
	if dn := n.get("delay"); !dn.isNull() {
		if d, ok := l.durationField(dn, "delay"); ok {
			r.Delay = d
		}
	}
	if mn := n.get("max_delay"); !mn.isNull() {
		if d, ok := l.durationField(mn, "max_delay"); ok {
			r.MaxDelay = d
		}
	}
}

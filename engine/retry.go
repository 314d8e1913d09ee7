package engine

import (
	"math"
	"time"

	"github.com/failover-dev/failover/actions"
	"github.com/failover-dev/failover/plans"
)

// maxAttempts is the policy's attempt count; 0 means one attempt.
func maxAttempts(p plans.Retry) int {
	if p.Attempts < 1 {
		return 1
	}
	return p.Attempts
}

// retryable reports whether an attempt's error is worth another attempt
// under the step's policy: errors the action marked retryable and attempt
// timeouts always, unknown errors only with `on: any`, permanent never.
func retryable(p plans.Retry, err error) bool {
	switch actions.ClassOf(err) {
	case actions.Retryable:
		return true
	case actions.Unknown:
		return p.On == "any"
	}
	return false
}

// backoffCap is the upper bound of the sleep after the n-th failed attempt
// (n from 1): delay × backoff^(n-1), at most max_delay.
func backoffCap(p plans.Retry, n int) time.Duration {
	factor := p.Backoff
	if factor < 1 {
		factor = 1
	}
	d := float64(p.Delay) * math.Pow(factor, float64(n-1))
	if p.MaxDelay > 0 && d > float64(p.MaxDelay) {
		d = float64(p.MaxDelay)
	}
	if d > float64(math.MaxInt64) {
		d = float64(math.MaxInt64)
	}
	return time.Duration(d)
}

// backoffDelay is "full jitter": a uniform random sleep in [0, cap), so
// that parallel steps retrying against the same server spread out.
func backoffDelay(p plans.Retry, n int, rnd func() float64) time.Duration {
	return time.Duration(rnd() * float64(backoffCap(p, n)))
}

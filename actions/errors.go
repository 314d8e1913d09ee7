package actions

import (
	"context"
	"errors"
)

// Class says whether an error is worth another attempt.
type Class int

// The classes. Unknown errors are retried only when the step's retry
// policy says `on: any`.
const (
	Unknown Class = iota
	Retryable
	Permanent
)

type classified struct {
	err   error
	class Class
}

func (c *classified) Error() string { return c.err.Error() }
func (c *classified) Unwrap() error { return c.err }

// MarkPermanent marks err as one that no retry can fix (a syntax error, a
// broken log chain, a missing file). It returns nil for nil.
func MarkPermanent(err error) error {
	if err == nil {
		return nil
	}
	return &classified{err: err, class: Permanent}
}

// MarkRetryable marks err as worth another attempt (a dropped connection,
// a deadlock victim, a timeout). It returns nil for nil.
func MarkRetryable(err error) error {
	if err == nil {
		return nil
	}
	return &classified{err: err, class: Retryable}
}

// ClassOf returns the class of err: the outermost mark wins; an attempt
// that hit its own timeout is retryable.
func ClassOf(err error) Class {
	var c *classified
	if errors.As(err, &c) {
		return c.class
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Retryable
	}
	return Unknown
}

// String names the class.
func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Permanent:
		return "permanent"
	}
	return "unknown"
}

package hvc

import (
	"context"
	"reflect"
	"time"
)

// This file exports internals to the external tests (package hvc_test).

// ErrorKind is one entry of the generated allErrorTypes.
type ErrorKind struct {
	Type     ErrorType
	Sentinel error
	// Named is the pointer type of the type's named error, e.g.
	// *NotFoundError.
	Named reflect.Type
}

// ErrorKinds returns every standard error type in documentation order.
func ErrorKinds() []ErrorKind {
	out := make([]ErrorKind, 0, len(allErrorTypes))
	for _, k := range allErrorTypes {
		out = append(out, ErrorKind{Type: k.typ, Sentinel: k.sentinel, Named: reflect.TypeOf(typed[k.typ](&StdError{}))})
	}
	return out
}

// SetRetryWait replaces how c waits between retry attempts; wait is given
// the backoff the policy chose. Call it before c is used.
func SetRetryWait(c *Client, wait func(ctx context.Context, d time.Duration) error) {
	c.wait = wait
}

// SleepCtx is the client's real retry wait.
var SleepCtx = sleepCtx

// SetPollClock replaces the clock SyncProvidersService.Wait reads (now) and
// sleeps on between polls (sleep). Call it before c is used.
func SetPollClock(c *Client, now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) {
	c.pollClock = &pollClock{now: now, sleep: sleep}
}

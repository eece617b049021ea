package hvc

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/transport"
	"github.com/hvcsdk/hvc/internal/wire"
)

// RetryPolicy makes the client retry idempotent requests (GET, DELETE and
// the PUT of the administrators set) that failed in a transport error, got
// 429 or 503, or a SERVICE_UNAVAILABLE error. POSTs are never retried:
// vCenter has no idempotency keys and a duplicated create is data damage.
// Backoff is exponential with jitter, honours Retry-After and stops at once
// when the context is done.
type RetryPolicy struct {
	// MaxAttempts is the total number of tries, first included (≥ 1).
	MaxAttempts int
	// MinBackoff is the wait before the second try; it doubles each time.
	MinBackoff time.Duration
	// MaxBackoff caps one wait (Retry-After included).
	MaxBackoff time.Duration
}

// WithRetry enables retries of idempotent requests under p. Retries are off
// by default.
//
// A retried DELETE whose earlier attempt may have been applied (the request
// was sent but no reply came back, or the reply was a 5xx status) reports
// success when a later attempt gets 404 NOT_FOUND: the object is gone,
// most likely deleted by that earlier attempt. A 404 on the first attempt,
// or after attempts that cannot have been applied (e.g. 429), is still a
// *NotFoundError.
func WithRetry(p RetryPolicy) Option {
	return func(c *config) error {
		switch {
		case p.MaxAttempts < 1:
			return errors.New("hvc: WithRetry: MaxAttempts must be at least 1")
		case p.MinBackoff <= 0 || p.MaxBackoff < p.MinBackoff:
			return errors.New("hvc: WithRetry: need 0 < MinBackoff <= MaxBackoff")
		}
		c.retry = &p
		return nil
	}
}

// shouldRetry decides whether attempt (1-based) may be followed by another.
// A per-request timeout counts as a transport error; the caller's context
// being done never does.
func (c *Client) shouldRetry(ctx context.Context, op *ops.Op, attempt int, rep transport.Reply, err error) bool {
	p := c.cfg.retry
	if p == nil || attempt >= p.MaxAttempts || !op.Idempotent || ctx.Err() != nil {
		return false
	}
	if err != nil {
		var te *TransportError
		var cm *CertificateMismatchError
		var ce *CertificateError
		return errors.As(err, &te) && !errors.As(err, &cm) && !errors.As(err, &ce)
	}
	return rep.Status == http.StatusTooManyRequests || rep.Status == http.StatusServiceUnavailable ||
		(rep.Status >= 400 && retryableBody(rep.Body))
}

// mayHaveApplied reports an attempt that failed but may have been applied:
// its request was written and no reply came back, or the reply was 5xx (a
// proxy may answer so after forwarding it).
func mayHaveApplied(rep transport.Reply, err error) bool {
	if err != nil {
		return rep.Sent
	}
	return rep.Status >= 500
}

// alreadyDeleted reports a DELETE answered 404 NOT_FOUND (a std error body
// of that type, not a bare 404 from a proxy or a server without the API).
func alreadyDeleted(op *ops.Op, rep transport.Reply) bool {
	if op.Method != http.MethodDelete || rep.Status != http.StatusNotFound {
		return false
	}
	env, ok := wire.DecodeError(rep.Body)
	return ok && env.Type == string(ErrorTypeNotFound)
}

// retryableBody reports a SERVICE_UNAVAILABLE error body sent with another status.
func retryableBody(body []byte) bool {
	env, ok := wire.DecodeError(body)
	return ok && env.Type == string(ErrorTypeServiceUnavailable)
}

// backoff waits before attempt+1, or returns ctx's error as soon as it is done.
func (c *Client) backoff(ctx context.Context, attempt int, rep transport.Reply) error {
	p := c.cfg.retry
	d := p.MinBackoff << (attempt - 1)
	if d > p.MaxBackoff || d <= 0 {
		d = p.MaxBackoff
	}
	d = d/2 + rand.N(d/2+1) //nolint:gosec // jitter needs no cryptographic randomness; in [d/2, d]
	if ra, ok := rep.RetryAfter(); ok {
		d = min(max(d, ra), p.MaxBackoff)
	}
	if c.wait != nil {
		return c.wait(ctx, d)
	}
	return sleepCtx(ctx, d)
}

// waitFunc waits d before the next attempt, or returns ctx's cause once
// ctx is done. It is the seam that lets retry tests run without sleeping.
type waitFunc func(ctx context.Context, d time.Duration) error

// sleepCtx waits for d, or returns ctx's cause as soon as ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}

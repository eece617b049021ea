package simulator

import (
	"errors"
	"time"
)

// WithClock makes the server read the time from now instead of time.Now.
// Everything the simulator times follows it: session idle expiry (and the
// sweep of expired sessions), sync progress under WithSyncDuration, and the
// times it reports (created_time, start_time, …) and records in the
// request log. Connection timeouts (WithHTTPTimeouts) and fault latency
// stay on wall time: they bound real sockets.
//
// now is called with the server's lock held, so it must not call the
// server. Most tests need no clock of their own: Server.Advance moves
// whichever clock the server reads.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("simulator: WithClock: nil clock")
		}
		c.clock = now
		return nil
	}
}

// Advance moves the server's clock forward by d, on top of the clock it
// reads (WithClock, or wall time), and sweeps the sessions that have now
// been idle longer than the idle timeout. Time never runs backwards: a
// negative d is ignored. Reset keeps the advance.
//
// A test of idle expiry logs in, calls Advance with more than the idle
// timeout, and gets 401 UNAUTHENTICATED on its next call; a test of sync
// progress under WithSyncDuration starts a sync and Advances through it.
func (s *Server) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	s.offset.Add(int64(d))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepSessions(s.now())
}

// now is the server's time: its clock plus what Advance added.
func (s *Server) now() time.Time {
	return s.cfg.clock().Add(time.Duration(s.offset.Load()))
}

// Now is the server's time: its clock (WithClock, or wall time) plus what
// Advance added.
func (s *Server) Now() time.Time { return s.now() }

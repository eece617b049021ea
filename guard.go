package hvc

import (
	"context"
)

// checkCall refuses (on any receiver, nil included), before anything
// starts, a call that could only panic: a nil ctx (which would otherwise
// crash the process from inside the shared login or probe goroutine, where
// no caller's recover reaches) or a Client not made by New. Every I/O entry
// point calls it first. The error matches ErrNotInitialized for a zero
// Client, and for a nil ctx is an *InvalidArgumentError naming o, the call
// refused.
func (c *Client) checkCall(ctx context.Context, o origin) error {
	if c == nil || c.tr == nil {
		return ErrNotInitialized
	}
	if ctx == nil {
		return o.refusal("hvc.client.nil_context", "ctx",
			"ctx must not be nil; pass context.Background() or a request's context (request not sent)")
	}
	return nil
}

// c returns the service's Client, or nil for a nil service (a Client{}
// not made by New has nil service fields); Client.do then returns
// ErrNotInitialized instead of the call panicking.
func (s *LinksService) c() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// c returns the service's Client, or nil for a nil service.
func (s *SyncService) c() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// c returns the service's Client, or nil for a nil service.
func (s *SyncProvidersService) c() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// c returns the service's Client, or nil for a nil service.
func (s *AdministratorsService) c() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

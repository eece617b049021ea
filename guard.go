package hvc

import (
	"context"
)

// checkCall refuses (on any receiver, nil included), before anything starts, a call that could only panic:
// a nil ctx (which would otherwise crash the process from inside the
// shared login or probe goroutine, where no caller's recover reaches) or a
// Client not made by New. The error matches ErrInvalidArgument for a nil
// ctx and ErrNotInitialized for a zero Client.
func (c *Client) checkCall(ctx context.Context) error {
	if c == nil || c.tr == nil {
		return ErrNotInitialized
	}
	if ctx == nil {
		return &InvalidArgumentError{&StdError{
			ErrorType: ErrorTypeInvalidArgument,
			Messages: []LocalizableMessage{{ID: "hvc.client.nil_context",
				DefaultMessage: "ctx must not be nil; pass context.Background() or a request's context (request not sent)",
				Args:           []string{"ctx"}}},
		}}
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

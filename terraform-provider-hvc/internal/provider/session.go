package provider

import (
	"context"
	"sync"
	"time"

	"github.com/hvcsdk/hvc"
)

// logoutTimeout bounds the logout that ends a session.
const logoutTimeout = 10 * time.Second

// sessions hands the resource and data source operations of one provider
// instance a client, and logs its session out as soon as no operation is
// using it. The framework gives a provider no hook at the end of a
// terraform command, so the provider cannot wait for one: a session ends
// when the last concurrent operation ends. Operations that overlap (a
// refresh of many resources) share one login; nothing is left open when
// the command ends. The price is a fresh login for an operation that starts
// after the others ended.
type sessions struct {
	newClient func() (*hvc.Client, error)

	mu     sync.Mutex
	client *hvc.Client
	users  int
}

// acquire returns the shared client, creating it when no operation holds
// one; release must be called when the operation is done with it.
func (s *sessions) acquire() (*hvc.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		c, err := s.newClient()
		if err != nil {
			return nil, err
		}
		s.client = c
	}
	s.users++
	return s.client, nil
}

// release ends one operation's use of the client; the last one logs the
// session out, under a context of its own so that an operation that
// timed out still logs out. A logout failure is returned for a warning.
func (s *sessions) release(ctx context.Context) error {
	s.mu.Lock()
	s.users--
	var c *hvc.Client
	if s.users == 0 {
		c, s.client = s.client, nil
	}
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
	defer cancel()
	return c.Close(lctx)
}

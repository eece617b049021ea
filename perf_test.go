package hvc_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/hvcsdk/hvc"
)

// TestRequestHeadersUnderConcurrency: every request carries the user
// agent, Accept and the current session id, a Content-Type exactly when it
// has a body, and a login carries Basic auth and no session id, while many
// goroutines call through one client across session expiries (the header
// maps the client shares between requests must never be written to: run
// under -race).
func TestRequestHeadersUnderConcurrency(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, path, ua, accept, ctype, session, authn string
		basic                                           bool
		body                                            int
	}
	var (
		mu      sync.Mutex
		got     []seen
		valid   atomic.Pointer[string]
		logins  atomic.Int64
		expired atomic.Int64
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _, basic := r.BasicAuth()
		s := seen{r.Method, r.URL.Path, r.Header.Get("User-Agent"), r.Header.Get("Accept"), r.Header.Get("Content-Type"),
			r.Header.Get("vmware-api-session-id"), r.Header.Get("vmware-use-header-authn"), basic, len(b)}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/session" {
			id := fmt.Sprintf("sid-%d", logins.Add(1))
			valid.Store(&id)
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `"`+id+`"`)
			return
		}
		if v := valid.Load(); v == nil || *v != s.session {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error_type":"UNAUTHENTICATED","messages":[]}`)
			return
		}
		// Expire the session every 40 calls, so that requests run with
		// old and new ids at once.
		if expired.Add(1)%40 == 0 {
			valid.Store(new(string))
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/hvc/links":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `"link-new"`)
		case r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `[]`)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	t.Cleanup(ts.Close)
	c := fvcNew(t, ts.URL, hvc.WithCredentials("u@example", "pw"), hvc.WithFlavor(hvc.FlavorAPI), hvc.WithUserAgent("perf-test/1"))

	ctx := context.Background()
	// A call whose one re-login is overtaken by the next expiry fails with
	// UNAUTHENTICATED, as it should; only other errors fail the test.
	ok := func(err error) error {
		if errors.Is(err, hvc.ErrUnauthenticated) {
			return nil
		}
		return err
	}
	var g errgroup.Group
	for range 8 {
		g.Go(func() error {
			for range 15 {
				if _, err := c.Links.Create(ctx, fullSpec()); ok(err) != nil {
					return err
				}
				if _, err := c.Links.List(ctx); ok(err) != nil {
					return err
				}
				if err := c.SyncProviders.Start(ctx, "link-1", "p1", nil); ok(err) != nil {
					return err
				}
				if err := c.Links.Delete(ctx, "link-1"); ok(err) != nil {
					return err
				}
			}
			return nil
		})
	}
	require.NoError(t, g.Wait())

	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, logins.Load(), int64(2), "the session must have been renewed under load")
	for _, s := range got {
		name := s.method + " " + s.path
		assert.Equal(t, "perf-test/1", s.ua, name)
		assert.Equal(t, "application/json", s.accept, name)
		if s.body > 0 {
			assert.Equal(t, "application/json", s.ctype, name)
		} else {
			assert.Empty(t, s.ctype, name+": no body, no Content-Type")
		}
		if s.path == "/api/session" {
			assert.True(t, s.basic && s.authn == "true" && s.session == "", "%s: %+v", name, s)
			continue
		}
		assert.True(t, strings.HasPrefix(s.session, "sid-") && !s.basic && s.authn == "", "%s: %+v", name, s)
	}
}

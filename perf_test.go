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

// lyingRT answers every request with body, declaring contentLength.
type lyingRT struct {
	body          string
	contentLength int64
}

func (l lyingRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusCreated, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(l.body)),
		ContentLength: l.contentLength, Request: r}, nil
}

// TestReplyBodyLengths: a reply body is read whole, up to the size limit,
// whatever length the transport declares: exactly, none (-1), too short a
// one (the rest is read too), or too long a one (an error, never a
// truncated value).
func TestReplyBodyLengths(t *testing.T) {
	t.Parallel()
	const id = `"link-0123456789"` // 17 bytes
	for _, tc := range []struct {
		name     string
		body     string
		declared int64
		max      int
		want     string // the id, or a substring of the error
	}{
		{"exact", id, 17, 1 << 20, "link-0123456789"},
		{"unknown", id, -1, 1 << 20, "link-0123456789"},
		{"declared zero", id, 0, 1 << 20, "link-0123456789"},
		{"declared short", id, 5, 1 << 20, "link-0123456789"},
		{"declared long", id, 40, 1 << 20, "unexpected EOF"},
		{"at the limit", id, 17, 17, "link-0123456789"},
		{"declared over the limit", id, 17, 16, "larger than 16 bytes"},
		{"declared short, over the limit", id, 5, 16, "larger than 16 bytes"},
		{"declared zero, over the limit", id, 0, 16, "larger than 16 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := hvc.New("https://vc.example", hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID("sid"),
				hvc.WithMaxResponseBytes(tc.max), hvc.WithHTTPClient(&http.Client{Transport: lyingRT{tc.body, tc.declared}}))
			require.NoError(t, err)
			got, err := c.Links.Create(context.Background(), fullSpec())
			if strings.HasPrefix(tc.want, "link-") {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, got)
		})
	}
}

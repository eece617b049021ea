package hvc_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// countingServer counts POSTs to /api/hvc/links and answers a login with
// sessionID; react decides the reply to a create (nil: 201).
type countingServer struct {
	creates   atomic.Int64
	sessionID string
	react     func(w http.ResponseWriter, r *http.Request)
}

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/api/session" && r.Method == http.MethodPost:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, s.sessionID)
	case r.URL.Path == "/api/hvc/links" && r.Method == http.MethodPost:
		s.creates.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		if s.react != nil {
			s.react(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `"link-1"`)
	default:
		http.NotFound(w, r)
	}
}

// TestOutcomeUnknownOnlyWhenSent: a POST matches ErrOutcomeUnknown only
// when it may have reached the server. Failures before anything is written
// (certificate, protocol, cancelled context, invalid header, refused dial)
// do not, whatever the error kind; a connection dropped after the request
// was read does. Before the fix every one of them matched.
func TestOutcomeUnknownOnlyWhenSent(t *testing.T) {
	t.Parallel()
	drop := func(w http.ResponseWriter, _ *http.Request) { fvcDrop(w) }
	cases := []struct {
		name string
		// setup returns the endpoint, the options and the server's count.
		setup       func(t *testing.T) (string, []hvc.Option, *atomic.Int64)
		ctx         func() context.Context
		wantUnknown bool
		check       func(t *testing.T, err error)
	}{
		{name: "thumbprint mismatch", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{}
			ts := httptest.NewUnstartedServer(s)
			ts.Config.ErrorLog = quietLog()
			ts.StartTLS()
			t.Cleanup(ts.Close)
			return ts.URL, []hvc.Option{hvc.WithThumbprint(strings.Repeat("11", 32)), hvc.WithSessionID("sid")}, &s.creates
		}, check: func(t *testing.T, err error) {
			var cm *hvc.CertificateMismatchError
			assert.ErrorAs(t, err, &cm)
		}},
		{name: "untrusted certificate", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{}
			ts := httptest.NewUnstartedServer(s)
			ts.Config.ErrorLog = quietLog()
			ts.StartTLS()
			t.Cleanup(ts.Close)
			return ts.URL, []hvc.Option{hvc.WithSessionID("sid")}, &s.creates
		}, check: func(t *testing.T, err error) {
			var ce *hvc.CertificateError
			require.ErrorAs(t, err, &ce)
			var ua x509.UnknownAuthorityError
			assert.ErrorAs(t, err, &ua, "the x509 cause stays reachable")
			var cve *tls.CertificateVerificationError
			assert.ErrorAs(t, err, &cve)
		}},
		{name: "https to a plain-HTTP server", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{}
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			return "https://" + ts.Listener.Addr().String(), []hvc.Option{hvc.WithSessionID("sid")}, &s.creates
		}},
		{name: "context already cancelled", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{}
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			return ts.URL, []hvc.Option{hvc.WithSessionID("sid")}, &s.creates
		}, ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, check: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) }},
		{name: "invalid header", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			// A login reply whose session id cannot go in a header: either
			// the login is refused or the create fails before sending.
			s := &countingServer{sessionID: `"bad\u0001id"`}
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			return ts.URL, []hvc.Option{hvc.WithCredentials("u", "p")}, &s.creates
		}},
		{name: "connection refused", setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			addr := ln.Addr().String()
			require.NoError(t, ln.Close())
			return "http://" + addr, []hvc.Option{hvc.WithSessionID("sid")}, new(atomic.Int64)
		}},
		{name: "dropped after the request was read", wantUnknown: true, setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{react: drop}
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			return ts.URL, []hvc.Option{hvc.WithSessionID("sid")}, &s.creates
		}},
		{name: "dropped after the request was read, TLS", wantUnknown: true, setup: func(t *testing.T) (string, []hvc.Option, *atomic.Int64) {
			s := &countingServer{react: drop}
			ts := httptest.NewTLSServer(s)
			t.Cleanup(ts.Close)
			pool := x509.NewCertPool()
			pool.AddCert(ts.Certificate())
			return ts.URL, []hvc.Option{hvc.WithSessionID("sid"), hvc.WithRootCAs(pool)}, &s.creates
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			endpoint, opts, creates := tc.setup(t)
			c := fvcNew(t, endpoint, append(opts, hvc.WithFlavor(hvc.FlavorAPI), hvc.WithTimeout(5*time.Second))...)
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			_, err := c.Links.Create(ctx, fullSpec())
			t.Logf("%s: %v", tc.name, err)
			require.Error(t, err)
			assert.Equal(t, tc.wantUnknown, errors.Is(err, hvc.ErrOutcomeUnknown), "ErrOutcomeUnknown")
			if tc.wantUnknown {
				assert.EqualValues(t, 1, creates.Load())
			} else {
				assert.EqualValues(t, 0, creates.Load(), "nothing reached the server")
				assert.NotContains(t, err.Error(), "outcome unknown")
			}
			if tc.check != nil {
				tc.check(t, err)
			}
		})
	}
}

// TestCertificateErrorSaysWhatToPass: an untrusted certificate fails with
// the SHA-256 thumbprint it presented and the options that would trust it.
func TestCertificateErrorSaysWhatToPass(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	want := fvcColonUpper(fvcSHA256(f))
	c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass))
	err := c.Login(context.Background())
	var ce *hvc.CertificateError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, want, ce.Thumbprint)
	assert.Contains(t, err.Error(), `WithThumbprint("`+want+`")`)
	assert.Contains(t, err.Error(), "WithRootCAs")
	assert.Equal(t, 1, strings.Count(err.Error(), "hvc: "), "one hvc: prefix: %v", err)
	assert.False(t, errors.Is(err, hvc.ErrOutcomeUnknown))
	var te *hvc.TransportError
	assert.ErrorAs(t, err, &te)
	assert.Zero(t, f.logins())

	// The pinned thumbprint it names is the one that works.
	c = fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass), hvc.WithThumbprint(ce.Thumbprint))
	require.NoError(t, c.Login(context.Background()))
}

// quietLog drops a test server's log lines (failed handshakes are expected).
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

// TestBodylessPOSTContentLength: a POST without a body goes out with
// "Content-Length: 0" on the SDK's own transport, as the official runtime
// sends it; before the fix it went out chunked.
func TestBodylessPOSTContentLength(t *testing.T) {
	t.Parallel()
	type seen struct {
		contentLength int64
		header        string
		te            []string
	}
	var mu sync.Mutex
	got := map[string]seen{}
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n != 0 {
			t.Errorf("%s %s: %d body bytes", r.Method, r.URL.Path, n)
		}
		mu.Lock()
		got[r.Method+" "+r.URL.Path] = seen{r.ContentLength, r.Header.Get("Content-Length"), r.TransferEncoding}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/session" {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `"sid"`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	c := fvcNew(t, ts.URL, hvc.WithRootCAs(pool), hvc.WithCredentials("u", "p"), hvc.WithFlavor(hvc.FlavorAPI))
	ctx := context.Background()
	require.NoError(t, c.Login(ctx))
	require.NoError(t, c.SyncProviders.Start(ctx, "l", "p", nil))
	require.NoError(t, c.Sync.Reset(ctx, "l"))
	mu.Lock()
	defer mu.Unlock()
	for _, k := range []string{"POST /api/session", "POST /api/hvc/links/l/sync/providers/p", "POST /api/hvc/links/l/sync"} {
		s, ok := got[k]
		require.True(t, ok, k)
		t.Logf("%s: ContentLength=%d Content-Length=%q Transfer-Encoding=%v", k, s.contentLength, s.header, s.te)
		assert.Equal(t, seen{0, "0", nil}, s, k)
	}
}

// TestGzipReplies: a gzip reply is decoded whether the transport asked for
// it (and decoded it) or the server sent it unasked to a transport with
// compression off; a small gzip body that inflates past
// WithMaxResponseBytes is a *DecodeError, read only up to the limit.
func TestGzipReplies(t *testing.T) {
	t.Parallel()
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = io.WriteString(zw, s)
		_ = zw.Close()
		return b.Bytes()
	}
	list := `[{"link":"link-1","display_name":"foreign.local"}]`
	bomb := gz(`[` + strings.Repeat(" ", 8<<20) + `]`)
	cases := []struct {
		name    string
		body    []byte
		noComp  bool
		wantErr bool
	}{
		{"transport decodes", gz(list), false, false},
		{"sent unasked", gz(list), true, false},
		{"bomb", bomb, true, true},
		{"bomb, transport decodes", bomb, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(tc.body)
			}))
			t.Cleanup(ts.Close)
			opts := []hvc.Option{hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID("sid"), hvc.WithMaxResponseBytes(1 << 20)}
			if tc.noComp {
				opts = append(opts, hvc.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableCompression: true}}))
			}
			c := fvcNew(t, ts.URL, opts...)
			links, err := c.Links.List(context.Background())
			if tc.wantErr {
				var de *hvc.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, err.Error(), "larger than")
				return
			}
			require.NoError(t, err)
			require.Len(t, links, 1)
		})
	}
}

package transport

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRestyContract pins, one subtest each, every resty behaviour this
// package relies on, over a real HTTP server. A resty upgrade that changes
// one fails the subtest named for it.
func TestRestyContract(t *testing.T) {
	t.Parallel()

	t.Run("SharedHeaderMapSentAsGivenAndNeverWritten", func(t *testing.T) {
		t.Parallel()
		// The header map is shared by every request of a session; resty must
		// send exactly it (no User-Agent, Accept or Content-Type of its own)
		// and must not write to it.
		var got http.Header
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Clone()
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		h := tr.header("sess-1", false)
		before := h.Clone()
		_, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/x", Body: []byte(`{}`), SessionID: "sess-1"})
		require.NoError(t, err)
		assert.Equal(t, before, h, "resty wrote to the shared header map")
		assert.Equal(t, "test-agent", got.Get("User-Agent"))
		assert.Equal(t, "application/json", got.Get("Accept"))
		assert.Equal(t, "application/json", got.Get("Content-Type"))
		assert.Equal(t, "sess-1", got.Get(SessionHeader))
		for k := range got {
			switch k {
			case "User-Agent", "Accept", "Content-Type", "Content-Length", "Accept-Encoding", SessionHeader:
			default:
				t.Errorf("resty added header %q", k)
			}
		}
	})

	t.Run("NoRetryAfterAFailure", func(t *testing.T) {
		t.Parallel()
		// resty must send a failed request once (SetRetryCount(0)): the
		// at-most-once POST depends on it.
		var n atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			_, _ = io.Copy(io.Discard, r.Body)
			hijackClose(t, w)
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		rep, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/x", Body: []byte(`{"a":1}`)})
		require.Error(t, err)
		assert.True(t, rep.Sent)
		assert.Equal(t, int64(1), n.Load(), "requests the server saw")
	})

	t.Run("ResponseBodyLeftUnread", func(t *testing.T) {
		t.Parallel()
		// SetDoNotParseResponse: resty leaves the body to us, unread and
		// still gzip-encoded when the server encoded it, so the body limit
		// is ours to apply.
		var zbuf bytes.Buffer
		zw := gzip.NewWriter(&zbuf)
		_, _ = zw.Write([]byte(`"hello"`))
		require.NoError(t, zw.Close())
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(zbuf.Bytes())
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		resp, err := tr.rc.R().SetContext(context.Background()).SetDoNotParseResponse(true).
			SetHeader("Accept-Encoding", "gzip").Execute(http.MethodGet, srv.URL+"/x")
		require.NoError(t, err)
		defer resp.RawResponse.Body.Close()
		assert.Empty(t, resp.Body(), "resty read the body")
		raw, err := io.ReadAll(resp.RawResponse.Body)
		require.NoError(t, err)
		assert.Equal(t, zbuf.Bytes(), raw, "the raw body is the server's gzip bytes")
	})

	t.Run("PreRequestHookRunsOnTheRequestSent", func(t *testing.T) {
		t.Parallel()
		// The pre-request hook (noReplay) sees the *http.Request net/http
		// sends: the Content-Type it drops from a body-less POST is not on
		// the wire, and the body it sets is what is sent.
		var ct []string
		var cl int64 = -2
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ct, cl = r.Header.Values("Content-Type"), r.ContentLength
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		_, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/x"})
		require.NoError(t, err)
		assert.Empty(t, ct, "Content-Type of a body-less POST")
		assert.Equal(t, int64(0), cl, "Content-Length of a body-less POST on the SDK's HTTP/1.1 transport")
	})

	t.Run("BytesReaderBodySentAsIsWithItsLength", func(t *testing.T) {
		t.Parallel()
		// resty hands a *bytes.Reader body to net/http as is, so the
		// request has a known length and the bytes are ours.
		body := []byte(`{"spec":{"port":443}}`)
		var got []byte
		var cl int64
		var hooked int64 = -1
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = io.ReadAll(r.Body)
			cl = r.ContentLength
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		tr.rc.SetPreRequestHook(func(c *resty.Client, r *http.Request) error {
			hooked = r.ContentLength
			return tr.noReplay(c, r)
		})
		_, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/x", Body: body})
		require.NoError(t, err)
		assert.Equal(t, body, got)
		assert.Equal(t, int64(len(body)), cl)
		assert.Equal(t, int64(len(body)), hooked, "ContentLength the hook saw")
	})

	t.Run("HTTPClientRedirectPolicyKept", func(t *testing.T) {
		t.Parallel()
		// resty keeps the *http.Client's CheckRedirect: a redirect is
		// returned, never followed (a session header must not follow one).
		var followed atomic.Bool
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				followed.Store(true)
				return
			}
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		rep, err := tr.Do(context.Background(), Request{Method: http.MethodGet, URL: srv.URL + "/x", SessionID: "s"})
		require.NoError(t, err)
		assert.Equal(t, http.StatusFound, rep.Status)
		assert.False(t, followed.Load())
	})

	t.Run("NoCookieJar", func(t *testing.T) {
		t.Parallel()
		// resty.NewWithClient adds no cookie jar to the client it is given.
		var cookies atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Cookie") != "" {
				cookies.Add(1)
			}
			// Not Secure: a jar would not send a Secure cookie over http://.
			http.SetCookie(w, &http.Cookie{Name: "vmware-api-session-id", Value: "c"}) //nolint:gosec // see above
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		for range 2 {
			_, err := tr.Do(context.Background(), Request{Method: http.MethodGet, URL: srv.URL + "/x"})
			require.NoError(t, err)
		}
		assert.Zero(t, cookies.Load(), "requests that carried a cookie")
	})

	t.Run("FailureIsURLErrorWithCause", func(t *testing.T) {
		t.Parallel()
		// Execute returns net/http's *url.Error, whose cause cause() keeps
		// (so context.Canceled stays reachable) without its URL text.
		ctx, cancel := context.WithCancel(context.Background())
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel()
			<-r.Context().Done()
		}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		_, err := tr.rc.R().SetContext(ctx).SetDoNotParseResponse(true).Execute(http.MethodGet, srv.URL+"/x")
		var ue *url.Error
		require.ErrorAs(t, err, &ue)
		assert.ErrorIs(t, err, context.Canceled)
		_, err = tr.Do(ctx, Request{Method: http.MethodGet, URL: srv.URL + "/x"})
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotContains(t, err.Error(), srv.URL)
	})

	t.Run("NoWarningsLogged", func(t *testing.T) {
		t.Parallel()
		// SetDisableWarn: resty logs nothing of its own, e.g. its warning
		// about Basic auth over plain http://.
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		defer srv.Close()
		tr := newTestTransport(t, srv.URL)
		rec := &recordingLogger{}
		tr.rc.SetLogger(rec)
		_, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/session", Login: true})
		require.NoError(t, err)
		assert.Empty(t, rec.lines(), "resty log lines")
	})
}

// newTestTransport returns a Transport on the SDK's own HTTP/1.1 transport.
func newTestTransport(t *testing.T, endpoint string) *Transport {
	t.Helper()
	tr, err := New(Config{Endpoint: endpoint, MaxBody: 1 << 20, UserAgent: "test-agent", User: "u", Password: "p"})
	require.NoError(t, err)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// hijackClose closes the connection without a response.
func hijackClose(t *testing.T, w http.ResponseWriter) {
	t.Helper()
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// recordingLogger records resty's log lines.
type recordingLogger struct {
	mu  sync.Mutex
	out []string
}

func (l *recordingLogger) add(s string) { l.mu.Lock(); l.out = append(l.out, s); l.mu.Unlock() }
func (l *recordingLogger) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.out...)
}
func (l *recordingLogger) Errorf(f string, _ ...any) { l.add("E " + f) }
func (l *recordingLogger) Warnf(f string, _ ...any)  { l.add("W " + f) }
func (l *recordingLogger) Debugf(f string, _ ...any) { l.add("D " + f) }

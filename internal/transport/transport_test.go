package transport

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplySent: Reply.Sent says whether any of a failed request may have
// been written: not for a refused dial or a done context, yes for a
// request the server read before it dropped the connection.
func TestReplySent(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	var seen atomic.Int64
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		hijackClose(t, w)
	}))
	t.Cleanup(drop.Close)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		url  string
		sent bool
	}{
		{"refused dial", context.Background(), refused, false},
		{"context already done", done, drop.URL, false},
		{"read then dropped", context.Background(), drop.URL, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTestTransport(t, tt.url)
			rep, err := tr.Do(tt.ctx, Request{Method: http.MethodPost, URL: tt.url + "/hvc/links", Body: []byte(`{}`)})
			require.Error(t, err)
			assert.Equal(t, tt.sent, rep.Sent, "%v", err)
			assert.NotContains(t, err.Error(), tt.url, "the cause without the *url.Error's URL")
		})
	}
}

// TestBodies: gzip is decoded whether or not the transport asked for it,
// the body limit holds for declared, chunked and gzip bodies, and an empty
// body reads as nil.
func TestBodies(t *testing.T) {
	t.Parallel()
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(s))
		_ = zw.Close()
		return b.Bytes()
	}
	big := strings.Repeat("x", 64)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		tooBig  bool
	}{
		{"plain", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`"ok"`)) }, `"ok"`, false},
		{"empty", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }, "", false},
		{"gzip unasked", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz(`"zipped"`))
		}, `"zipped"`, false},
		{"declared too big", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(big)) }, "", true},
		{"chunked too big", func(w http.ResponseWriter, _ *http.Request) {
			for range 8 {
				_, _ = w.Write([]byte(big[:8]))
				http.NewResponseController(w).Flush()
			}
		}, "", true},
		{"gzip too big", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz(big))
		}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			tr, err := New(Config{Endpoint: srv.URL, MaxBody: 32, UserAgent: "t"})
			require.NoError(t, err)
			defer tr.CloseIdleConnections()
			rep, err := tr.Do(context.Background(), Request{Method: http.MethodGet, URL: srv.URL + "/x"})
			if tt.tooBig {
				var be *BodyError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, http.StatusOK, be.Status)
				assert.Contains(t, be.Error(), "larger than 32 bytes")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(rep.Body))
			assert.True(t, rep.Sent)
		})
	}
}

// TestDebugLog: a debug record names method, path and status, masks the
// password, the session id and the request's secrets, and never holds a
// sensitive request's bodies.
func TestDebugLog(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"echo":"sekrit-1 sess-9 pw-0"}`))
	}))
	defer srv.Close()
	var buf bytes.Buffer
	tr, err := New(Config{Endpoint: srv.URL, MaxBody: 1 << 10, UserAgent: "t", User: "u", Password: "pw-0",
		Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	require.NoError(t, err)
	defer tr.CloseIdleConnections()
	_, err = tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/api/hvc/links",
		Body: []byte(`{"password":"sekrit-1"}`), SessionID: "sess-9", Secrets: []string{"sekrit-1"}})
	require.NoError(t, err)
	_, err = tr.Do(context.Background(), Request{Method: http.MethodPost, URL: srv.URL + "/api/session", Login: true, Sensitive: true})
	require.NoError(t, err)
	out := buf.String()
	assert.Contains(t, out, "method=POST path=/api/hvc/links")
	assert.Contains(t, out, "status=200")
	for _, s := range []string{"sekrit-1", "sess-9", "pw-0", "echo"} {
		if s == "echo" {
			assert.Equal(t, 1, strings.Count(out, s), "only the non-sensitive reply is recorded")
			continue
		}
		assert.NotContains(t, out, s)
	}
}

// TestRetryAfter: seconds and HTTP dates are read, a past date is 0, and
// anything else is no Retry-After.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name, value string
		ok          bool
		min, max    time.Duration
	}{
		{"seconds", "7", true, 7 * time.Second, 7 * time.Second},
		{"zero", "0", true, 0, 0},
		{"future date", future, true, 58 * time.Minute, time.Hour},
		{"past date", "Mon, 02 Jan 2006 15:04:05 GMT", true, 0, 0},
		{"negative", "-3", false, 0, 0},
		{"garbage", "soon", false, 0, 0},
		{"absent", "", false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			d, ok := Reply{Header: h}.RetryAfter()
			assert.Equal(t, tt.ok, ok)
			assert.GreaterOrEqual(t, d, tt.min)
			assert.LessOrEqual(t, d, tt.max)
		})
	}
}

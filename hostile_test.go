package hvc_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// The documented bounds of a decoded error: params nest at most
// maxParamDepth messages deep, and at most maxMessages messages are kept.
const (
	maxParamDepth = 32
	maxMessages   = 64
)

// poolOf trusts an httptest TLS server's certificate.
func poolOf(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}

// hostileServer is a TLS server answering every request with status and
// body, counting the requests it received.
func hostileServer(t *testing.T, status int, body []byte) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// deepBody nests depth messages inside each other through "l" params, in
// the /api object form or the legacy key/value list form of params.
func deepBody(depth int, legacyParams bool) []byte {
	var b strings.Builder
	b.WriteString(`{"error_type":"ERROR","messages":[{"id":"top","default_message":"deep","args":[],"params":`)
	for i := range depth {
		if legacyParams {
			b.WriteString(`[{"key":"p","value":{"l":{"id":"n` + strconv.Itoa(i) + `","params":`)
		} else {
			b.WriteString(`{"p":{"l":{"id":"n` + strconv.Itoa(i) + `","params":`)
		}
	}
	b.WriteString(`{}`)
	for range depth {
		if legacyParams {
			b.WriteString(`}}}]`)
		} else {
			b.WriteString(`}}}`)
		}
	}
	b.WriteString(`}]}`)
	return []byte(b.String())
}

// nestedDepth counts the "l" levels kept under a message's params.
func nestedDepth(m hvc.LocalizableMessage) (int, string) {
	ps, depth, last := m.Params, 0, ""
	for {
		p, ok := ps["p"]
		if !ok || p.L == nil {
			return depth, last
		}
		depth++
		last = p.L.ID
		ps = p.L.Params
	}
}

// TestHostileNestingBounded: a 93 KiB error body nesting messages 3,000
// levels deep costs a small multiple of its size, and the decoded params
// stop at the documented depth with a marker saying so. Not parallel: it
// reads the process's allocation counter.
func TestHostileNestingBounded(t *testing.T) { //nolint:paralleltest // reads the process-wide allocation counter
	for _, legacyParams := range []bool{false, true} {
		// 3,000 levels of the /api form (9,000 JSON levels), 2,000 of the
		// legacy list form (8,000): both under encoding/json's own limit.
		levels := 3000
		if legacyParams {
			levels = 2000
		}
		body := deepBody(levels, legacyParams)
		srv, hits := hostileServer(t, http.StatusInternalServerError, body)
		c := fvcNew(t, srv.URL, hvc.WithRootCAs(poolOf(srv)), hvc.WithSessionID("sess-1"), hvc.WithFlavor(hvc.FlavorAPI))

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := c.Links.List(context.Background())
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		alloc := after.TotalAlloc - before.TotalAlloc

		var std *hvc.StdError
		require.ErrorAs(t, err, &std)
		require.Len(t, std.Messages, 1)
		depth, last := nestedDepth(std.Messages[0])
		assert.Equal(t, maxParamDepth+1, depth, "nesting kept, marker included")
		assert.Equal(t, "hvc.client.nesting_truncated", last)
		assert.Less(t, alloc, uint64(64*len(body)), "bytes allocated for a %d-byte body", len(body))
		assert.EqualValues(t, 1, hits.Load())
		t.Logf("legacy params %v: %d-byte body, %d request, %v, %d bytes allocated", legacyParams, len(body), hits.Load(), took, alloc)
	}
}

// TestHostileMessageCount: an error body with 100,000 messages keeps the
// first MaxMessages and says how many it dropped.
func TestHostileMessageCount(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"error_type":"ERROR","messages":[`)
	for i := range 100000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"m","default_message":"x","args":[]}`)
	}
	b.WriteString(`]}`)
	srv, hits := hostileServer(t, http.StatusInternalServerError, []byte(b.String()))
	c := fvcNew(t, srv.URL, hvc.WithRootCAs(poolOf(srv)), hvc.WithSessionID("sess-1"), hvc.WithFlavor(hvc.FlavorAPI))
	_, err := c.Links.List(context.Background())
	var std *hvc.StdError
	require.True(t, errors.As(err, &std), "%v", err)
	require.Equal(t, maxMessages+1, len(std.Messages))
	lastMsg := std.Messages[maxMessages]
	assert.Equal(t, "hvc.client.messages_truncated", lastMsg.ID)
	assert.Contains(t, lastMsg.DefaultMessage, strconv.Itoa(100000-maxMessages))
	assert.EqualValues(t, 1, hits.Load())
}

// loginServer is a TLS server whose logins answer with the JSON session id
// reply and whose other calls answer 200 with an empty list; it counts
// requests by "METHOD path".
func loginServer(t *testing.T, reply string) (*httptest.Server, func(string) int64) {
	t.Helper()
	var mu sync.Mutex
	hits := map[string]int64{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/session" && r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, reply)
			return
		}
		_, _ = io.WriteString(w, `[]`)
	}))
	t.Cleanup(srv.Close)
	return srv, func(k string) int64 {
		mu.Lock()
		defer mu.Unlock()
		return hits[k]
	}
}

// TestSessionIDValidated: a login reply whose session id holds CR/LF or
// other control characters, a space, or more than 4 KiB is a *DecodeError
// that does not quote the id, and WithSessionID refuses the same ids.
func TestSessionIDValidated(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"CRLF":      "abc\r\nX-Evil: 1",
		"control":   "abc\x01def",
		"space":     "abc def",
		"DEL":       "abc\x7f",
		"non-ASCII": "sessión",
		"5 KiB":     strings.Repeat("a", 5<<10),
	}
	for name, id := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q, _ := json.Marshal(id)
			srv, hits := loginServer(t, string(q))
			c := fvcNew(t, srv.URL, hvc.WithRootCAs(poolOf(srv)), hvc.WithCredentials("u", "p-login-9"), hvc.WithFlavor(hvc.FlavorAPI))
			err := c.Login(context.Background())
			var de *hvc.DecodeError
			require.ErrorAs(t, err, &de, "Login accepted session id %.40q", id)
			assert.NotContains(t, fmt.Sprintf("%+v", err), id)
			assert.Empty(t, c.SessionID())
			_, err = c.Links.List(context.Background())
			require.ErrorAs(t, err, &de)
			assert.Zero(t, hits("GET /api/hvc/links"), "nothing sent with a bad session id")
			assert.EqualValues(t, 2, hits("POST /api/session"))

			_, err = hvc.New(srv.URL, hvc.WithSessionID(id))
			require.Error(t, err, "WithSessionID(%.40q)", id)
			assert.NotContains(t, err.Error(), id)
		})
	}
	t.Run("4 KiB is fine", func(t *testing.T) {
		t.Parallel()
		id := strings.Repeat("a", 4<<10)
		srv, hits := loginServer(t, `"`+id+`"`)
		c := fvcNew(t, srv.URL, hvc.WithRootCAs(poolOf(srv)), hvc.WithCredentials("u", "p-login-9"), hvc.WithFlavor(hvc.FlavorAPI))
		require.NoError(t, c.Login(context.Background()))
		_, err := c.Links.List(context.Background())
		require.NoError(t, err)
		assert.EqualValues(t, 1, hits("GET /api/hvc/links"))
		_, err = hvc.New(srv.URL, hvc.WithSessionID(id))
		require.NoError(t, err)
	})
}

// TestPortCanonical: only a canonical port 1–65535 passes local
// validation; "+443", "0443" and friends fail before anything is sent.
func TestPortCanonical(t *testing.T) {
	t.Parallel()
	srv, hits := loginServer(t, `"sess-ok"`)
	c := fvcNew(t, srv.URL, hvc.WithRootCAs(poolOf(srv)), hvc.WithSessionID("sess-ok"), hvc.WithFlavor(hvc.FlavorAPI))
	for _, port := range []string{"+1", "+443", "0443", "00443", "0", "-1", " 443", "443 ", "65536", "4_43", "0x1bb", "٤٤٣"} {
		spec := maskSpec("pw-port-9", "")
		spec.Port = port
		_, err := c.Links.Create(context.Background(), spec)
		require.ErrorIs(t, err, hvc.ErrInvalidArgument, "port %q", port)
	}
	assert.Zero(t, hits("POST /api/hvc/links"), "no invalid port was sent")
	for _, port := range []string{"1", "443", "65535"} {
		spec := maskSpec("pw-port-9", "")
		spec.Port = port
		_, err := c.Links.Create(context.Background(), spec)
		var de *hvc.DecodeError // the fake answers [] to a create
		require.ErrorAs(t, err, &de, "port %q", port)
	}
	assert.EqualValues(t, 3, hits("POST /api/hvc/links"))
}

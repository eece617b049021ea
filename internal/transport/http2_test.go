package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Answer is how the raw HTTP/2 server ends each complete request.
type h2Answer int

const (
	// h2ResetProtocol resets the stream with PROTOCOL_ERROR after reading
	// the whole request: Go's HTTP/2 client takes this as retryable.
	h2ResetProtocol h2Answer = iota
	// h2RefusedStream resets the stream with REFUSED_STREAM.
	h2RefusedStream
	// h2GoAway sends GOAWAY naming no processed stream and closes.
	h2GoAway
)

// h2Server is a TLS server that speaks HTTP/2 (h2 ALPN) with the x/net
// framer and never answers: it reads each request in full (headers and
// body), counts it, then ends it as told.
type h2Server struct {
	addr   string
	pool   *x509.CertPool
	answer h2Answer

	requests atomic.Int64
	mu       sync.Mutex
	bodies   [][]byte
	paths    []string
}

func newH2Server(t *testing.T, answer h2Answer) *h2Server {
	t.Helper()
	// Borrow httptest's certificate, trusted through pool.
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.StartTLS()
	cert := ts.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	ts.Close()

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	require.NoError(t, err)
	s := &h2Server{addr: ln.Addr().String(), pool: pool, answer: answer}
	var wg sync.WaitGroup
	var conns sync.Map
	t.Cleanup(func() {
		_ = ln.Close()
		conns.Range(func(k, _ any) bool { _ = k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(c, true)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conns.Delete(c)
				defer c.Close()
				s.serveConn(c)
			}()
		}
	}()
	return s
}

func (s *h2Server) URL() string { return "https://" + s.addr }

func (s *h2Server) serveConn(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(br, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	bw := bufio.NewWriter(c)
	fr := http2.NewFramer(bw, br)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	flush := func() bool { return bw.Flush() == nil }
	if fr.WriteSettings() != nil || !flush() {
		return
	}
	type stream struct {
		path string
		body bytes.Buffer
	}
	streams := map[uint32]*stream{}
	done := func(id uint32) bool {
		st := streams[id]
		delete(streams, id)
		s.requests.Add(1)
		s.mu.Lock()
		s.bodies = append(s.bodies, st.body.Bytes())
		s.paths = append(s.paths, st.path)
		s.mu.Unlock()
		switch s.answer {
		case h2RefusedStream:
			return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) == nil && flush()
		case h2GoAway:
			_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
			_ = flush()
			return false
		default:
			return fr.WriteRSTStream(id, http2.ErrCodeProtocol) == nil && flush()
		}
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && (fr.WriteSettingsAck() != nil || !flush()) {
				return
			}
		case *http2.PingFrame:
			if !f.IsAck() && (fr.WritePing(true, f.Data) != nil || !flush()) {
				return
			}
		case *http2.MetaHeadersFrame:
			st := &stream{path: f.PseudoValue("path")}
			streams[f.StreamID] = st
			if f.StreamEnded() && !done(f.StreamID) {
				return
			}
		case *http2.DataFrame:
			st := streams[f.StreamID]
			if st == nil {
				continue
			}
			st.body.Write(f.Data())
			if n := len(f.Data()); n > 0 {
				_ = fr.WriteWindowUpdate(0, uint32(n))
				_ = flush()
			}
			if f.StreamEnded() && !done(f.StreamID) {
				return
			}
		}
	}
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// h2Transports are HTTP/2-capable transports a caller may hand the SDK.
func h2Transports(pool *x509.CertPool) map[string]func() http.RoundTripper {
	return map[string]func() http.RoundTripper{
		"net/http ForceAttemptHTTP2": func() http.RoundTripper {
			return &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		},
		"x/net http2.Transport": func() http.RoundTripper {
			return &http2.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
		},
	}
}

// TestHTTP2NeverResendsPOST: a server that reads a whole POST and then
// resets the stream (PROTOCOL_ERROR or REFUSED_STREAM) or sends GOAWAY
// receives it exactly once through a caller's HTTP/2 transport, and the
// reply says it was sent. Before the fix (when the SDK's package hvc held
// this code) Go's HTTP/2 client replayed the request (resty set GetBody)
// until the timeout.
func TestHTTP2NeverResendsPOST(t *testing.T) {
	t.Parallel()
	calls := map[string]struct {
		path string
		body []byte
	}{
		"with a body":    {"/api/hvc/links", []byte(`{"psc_hostname":"psc.example"}`)},
		"without a body": {"/api/hvc/links/l/sync/providers/p?action=start", nil},
	}
	answers := map[string]h2Answer{"PROTOCOL_ERROR": h2ResetProtocol, "REFUSED_STREAM": h2RefusedStream, "GOAWAY": h2GoAway}
	for aname, answer := range answers {
		for cname, call := range calls {
			for tname := range h2Transports(nil) {
				t.Run(aname+"/"+cname+"/"+tname, func(t *testing.T) {
					t.Parallel()
					s := newH2Server(t, answer)
					tr := newH2Transport(t, Config{HTTPClient: &http.Client{Transport: h2Transports(s.pool)[tname]()}})
					start := time.Now()
					rep, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: s.URL() + call.path, Body: call.body, SessionID: "sid-h2"})
					t.Logf("%s: server received %d requests in %v: %v", t.Name(), s.requests.Load(), time.Since(start).Round(time.Millisecond), err)
					require.Error(t, err)
					assert.Equal(t, int64(1), s.requests.Load(), "the POST reached the server more than once")
					assert.True(t, rep.Sent, "the POST was written")
					assert.NotContains(t, err.Error(), "GetBody", "no advice to make the body replayable")
					s.mu.Lock()
					defer s.mu.Unlock()
					for _, p := range s.paths {
						assert.Equal(t, call.path, p)
					}
				})
			}
		}
	}
}

// newH2Transport is a Transport for cfg with a one-second cap.
func newH2Transport(t *testing.T, cfg Config) *Transport {
	t.Helper()
	cfg.Timeout, cfg.MaxBody, cfg.UserAgent, cfg.User, cfg.Password = time.Second, 1<<20, "test-agent", "u", "p"
	tr, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// TestHTTP2LoginNeverResent: the login POST carries the credentials; a
// server that resets it must see it once.
func TestHTTP2LoginNeverResent(t *testing.T) {
	t.Parallel()
	s := newH2Server(t, h2ResetProtocol)
	tr := newH2Transport(t, Config{HTTPClient: &http.Client{Transport: h2Transports(s.pool)["net/http ForceAttemptHTTP2"]()}})
	_, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: s.URL() + "/api/session", Login: true, Sensitive: true})
	t.Logf("server received %d logins: %v", s.requests.Load(), err)
	require.Error(t, err)
	assert.Equal(t, int64(1), s.requests.Load())
}

// TestDefaultClientSpeaksHTTP1: against a server offering h2 and
// http/1.1, the SDK's own transport negotiates HTTP/1.1, with a CA pool
// and with a pinned thumbprint.
func TestDefaultClientSpeaksHTTP1(t *testing.T) {
	t.Parallel()
	var protos sync.Map
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protos.Store(r.Proto, true)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[]`)
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	for _, opts := range []TLS{{RootCAs: pool}, {Pin: sha256Sum(ts.Certificate().Raw)}} {
		tr := newH2Transport(t, Config{TLS: opts})
		rep, err := tr.Do(context.Background(), Request{Method: http.MethodGet, URL: ts.URL + "/api/hvc/links", SessionID: "sid"})
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, rep.Status)
	}
	var seen []string
	protos.Range(func(k, _ any) bool { seen = append(seen, k.(string)); return true })
	assert.Equal(t, []string{"HTTP/1.1"}, seen)
	// The server does speak h2 to a client that asks for it.
	h2 := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	t.Cleanup(h2.CloseIdleConnections)
	resp, err := (&http.Client{Transport: h2}).Get(ts.URL)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, 2, resp.ProtoMajor)
}

// TestDefaultClientNeverReplaysOnH2OnlyServer: the SDK's own transport
// offers only http/1.1, so an h2-only server that resets every stream gets
// no HTTP/2 request at all (it reads an HTTP/1.1 request where it expects
// the h2 preface and hangs up; the reply rightly says the request was
// sent, as bytes were written). Before the fix the SDK's own transport
// spoke h2 and the server received the create hundreds of times.
func TestDefaultClientNeverReplaysOnH2OnlyServer(t *testing.T) {
	t.Parallel()
	s := newH2Server(t, h2ResetProtocol)
	tr := newH2Transport(t, Config{TLS: TLS{RootCAs: s.pool}})
	rep, err := tr.Do(context.Background(), Request{Method: http.MethodPost, URL: s.URL() + "/api/hvc/links", Body: []byte(`{}`)})
	t.Logf("server received %d requests: %v", s.requests.Load(), err)
	require.Error(t, err)
	assert.True(t, rep.Sent)
	assert.Zero(t, s.requests.Load())
}

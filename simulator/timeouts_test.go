package simulator_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestIdleConnectionClosed: a keep-alive connection left idle is closed by
// the server after the idle timeout (before, it stayed open for ever).
func TestIdleConnectionClosed(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithHTTPTimeouts(simulator.HTTPTimeouts{Idle: 50 * time.Millisecond}))
	conn, err := tls.Dial("tcp", strings.TrimPrefix(sim.URL(), "https://"), &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // test server's own certificate
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	// Block until the server closes the idle connection; the deadline only
	// bounds a failing test.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = br.ReadByte()
	assert.True(t, errors.Is(err, io.EOF), "server closed the idle connection: %v", err)

	_, err = simulator.New(simulator.WithHTTPTimeouts(simulator.HTTPTimeouts{Idle: -1}))
	assert.Error(t, err)
}

// roundTrip sends one GET on conn and returns the status.
func roundTrip(t *testing.T, conn net.Conn, br *bufio.Reader) int {
	t.Helper()
	_, err := io.WriteString(conn, "GET /api/hvc/links HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// TestMaxConnections: over real TCP and TLS, with a cap of 3 the server
// serves three connections; a fourth connects (the kernel queues it) but
// is not accepted, so its TLS handshake waits, until one of the three
// closes. The server never has more than three open.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	const limit = 3
	sim := simulator.Run(t, simulator.WithMaxConnections(limit))
	addr := strings.TrimPrefix(sim.URL(), "https://")
	cfg := &tls.Config{RootCAs: sim.CertPool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	conns := make([]*tls.Conn, limit)
	readers := make([]*bufio.Reader, limit)
	for i := range conns {
		c, err := tls.Dial("tcp", addr, cfg)
		require.NoError(t, err)
		defer c.Close()
		conns[i], readers[i] = c, bufio.NewReader(c)
	}
	require.Equal(t, limit, sim.OpenConnections())

	raw, err := net.Dial("tcp", addr)
	require.NoError(t, err, "the kernel accepts the TCP connection")
	fourth := tls.Client(raw, cfg)
	defer fourth.Close()
	handshake := make(chan error, 1)
	go func() { handshake <- fourth.HandshakeContext(t.Context()) }()
	for i := range conns {
		assert.Equal(t, http.StatusUnauthorized, roundTrip(t, conns[i], readers[i]), "connection %d is served", i)
	}
	select {
	case err := <-handshake:
		t.Fatalf("the fourth connection was accepted while %d were open (handshake: %v)", limit, err)
	default:
	}
	assert.Equal(t, limit, sim.OpenConnections())

	require.NoError(t, conns[0].Close())
	require.NoError(t, <-handshake, "a slot freed: the fourth is accepted")
	assert.Equal(t, http.StatusUnauthorized, roundTrip(t, fourth, bufio.NewReader(fourth)))
	assert.Equal(t, limit, sim.MaxOpenConnections(), "more connections were open at once than the cap")

	_, err = simulator.New(simulator.WithMaxConnections(0))
	assert.Error(t, err)
}

// TestStalledRequestReaped: over real TCP and TLS, a client that stalls
// (no TLS handshake, headers never finished, a body that stops short of
// its Content-Length, before or after login) has its connection closed by
// the server once the read timeouts pass, instead of holding it for ever;
// a stalled create creates nothing. The timeouts are wall time (they bound
// real sockets); the test waits for the server's close, bounded by a guard
// far above them.
func TestStalledRequestReaped(t *testing.T) {
	t.Parallel()
	const guard = 30 * time.Second
	timeouts := simulator.HTTPTimeouts{ReadHeader: time.Second, Read: 2 * time.Second}
	cases := []struct {
		name string
		tls  bool
		// send is what the client writes before stalling; "{token}" is
		// replaced by a session id.
		send string
		// answer is the status line the server sends before closing
		// ("" for none).
		answer string
	}{
		{"no TLS handshake", false, "", ""},
		{"half a TLS handshake", false, "\x16\x03\x01\x00\xff\x01", ""},
		{"headers never finished", true, "GET /api/hvc/links HTTP/1.1\r\nHost: 127.0.0.1\r\n", ""},
		{"body cut short, no session", true, "POST /api/hvc/links HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"domain_name\":",
			"HTTP/1.1 401 Unauthorized\r\n"},
		{"body of a create cut short", true, "POST /api/hvc/links HTTP/1.1\r\nHost: 127.0.0.1\r\nvmware-api-session-id: {token}\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"domain_name\":",
			"HTTP/1.1 400 Bad Request\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithHTTPTimeouts(timeouts))
			addr := strings.TrimPrefix(sim.URL(), "https://")
			send := tc.send
			if strings.Contains(send, "{token}") {
				w := newWire(t, sim)
				send = strings.ReplaceAll(send, "{token}", w.admin(t, apiFlavor))
				w.hc.CloseIdleConnections() // only the stalled connection stays
			}
			raw, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer raw.Close()
			conn := raw
			if tc.tls {
				tc := tls.Client(raw, &tls.Config{RootCAs: sim.CertPool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
				require.NoError(t, tc.HandshakeContext(t.Context()))
				conn = tc
			}
			_, err = io.WriteString(conn, send)
			require.NoError(t, err)
			// Block until the server closes the connection (after an
			// answer, for a body it gave up on); the deadline only bounds
			// a failing test.
			require.NoError(t, conn.SetReadDeadline(time.Now().Add(guard)))
			got, err := io.ReadAll(conn)
			var ne net.Error
			require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server kept the stalled connection open for %v (read %q)", guard, got)
			if tc.answer == "" {
				assert.Empty(t, got, "an answer to a request never read")
			} else {
				assert.True(t, strings.HasPrefix(string(got), tc.answer), "the server answers the request it gave up reading: %.80q", got)
			}
			assert.Empty(t, sim.Links(), "a stalled create created a link")
			assert.Eventually(t, func() bool { return sim.OpenConnections() == 0 }, guard, 10*time.Millisecond, "the server still counts the connection")
		})
	}
}

// TestMaxHeaderBytes: a request whose headers exceed the header bound
// (plus the 4 KiB net/http allows on top) is refused with 431 before it is
// handled or recorded; one within it is served.
func TestMaxHeaderBytes(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	sim := simulator.Run(t, simulator.WithHTTPTimeouts(simulator.HTTPTimeouts{MaxHeaderBytes: limit}))
	w := newWire(t, sim)
	cases := []struct {
		name   string
		header int
		status int
	}{
		{"within the bound", limit / 2, http.StatusUnauthorized},
		{"beyond the bound", 4 * limit, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tc := range cases { // in order, for the request log's count below
		resp := w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", header: map[string]string{"X-Padding": strings.Repeat("a", tc.header)}})
		assert.Equal(t, tc.status, resp.status, "%s: %s", tc.name, resp)
	}
	assert.Len(t, sim.Requests(), 1, "only the request within the bound reached the simulator")
	// net/http keeps the refused connection half-closed for 500 ms: wait
	// for it, so that no server goroutine outlives the test.
	w.hc.CloseIdleConnections()
	require.Eventually(t, func() bool { return sim.OpenConnections() == 0 }, 10*time.Second, 10*time.Millisecond)
}

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

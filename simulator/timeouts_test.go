package simulator_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
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

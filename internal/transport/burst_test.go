package transport

import (
	"context"
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
)

// handshakeCounter counts a TLS server's handshakes, full and resumed, and
// signals each on events.
type handshakeCounter struct {
	full, resumed atomic.Int64
	events        chan struct{}
}

func (h *handshakeCounter) verify(cs tls.ConnectionState) error {
	if cs.DidResume {
		h.resumed.Add(1)
	} else {
		h.full.Add(1)
	}
	h.events <- struct{}{}
	return nil
}

// TestTLSBurstHandshakes: 100 concurrent calls, then 100 more, then 100
// after the idle connections were closed. The second burst reuses the
// idle connections (no new connection, no handshake) and the third
// resumes TLS sessions instead of doing full handshakes. Before the fix
// the third burst did only full handshakes (no session cache).
//
// A connection dialed during a burst may finish its server-side handshake
// after the burst's calls returned (another connection served its call),
// so each burst's counts are read once every connection dialed so far has
// done its handshake: settle waits for the counter's events, not for time.
func TestTLSBurstHandshakes(t *testing.T) {
	t.Parallel()
	hs := handshakeCounter{events: make(chan struct{}, 1024)}
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(20 * time.Millisecond) // let the calls of a burst overlap
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[]`)
	}))
	ts.TLS = &tls.Config{VerifyConnection: hs.verify, MinVersion: tls.VersionTLS12}
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	tr := newH2Transport(t, Config{TLS: TLS{RootCAs: pool}})
	tr.cfg.Timeout = 0 // a loaded machine may take long; the test's guard below bounds it

	settle := func() {
		guard := time.NewTimer(30 * time.Second) // a hang guard, not a speed assertion
		defer guard.Stop()
		for hs.full.Load()+hs.resumed.Load() < conns.Load() {
			select {
			case <-hs.events:
			case <-guard.C:
				t.Fatalf("%d connections but %d handshakes", conns.Load(), hs.full.Load()+hs.resumed.Load())
			}
		}
	}
	burst := func(name string) (full, resumed, dialed int64) {
		f0, r0, c0 := hs.full.Load(), hs.resumed.Load(), conns.Load()
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := tr.Do(context.Background(), Request{Method: http.MethodGet, URL: ts.URL + "/api/hvc/links", SessionID: "sid"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		settle()
		full, resumed, dialed = hs.full.Load()-f0, hs.resumed.Load()-r0, conns.Load()-c0
		t.Logf("%s: %d connections, %d full handshakes, %d resumed", name, dialed, full, resumed)
		return full, resumed, dialed
	}
	full1, _, dialed1 := burst("burst 1")
	assert.LessOrEqual(t, dialed1, int64(defaultMaxConnsPerHost), "connections per host are bounded")
	assert.Positive(t, full1)
	full2, resumed2, dialed2 := burst("burst 2")
	assert.Zero(t, dialed2, "a second burst reuses the idle connections")
	assert.Zero(t, full2+resumed2, "and does no handshake")
	tr.CloseIdleConnections()
	full3, resumed3, _ := burst("burst 3, after CloseIdleConnections")
	assert.Positive(t, resumed3)
	assert.LessOrEqual(t, full3, full1/4, "new connections resume TLS sessions")
}

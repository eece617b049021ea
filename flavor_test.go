package hvc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// probeServer is a TLS server whose GET /api/session answers with the next
// status of probes (the last repeats), once hold is closed when hold is not
// nil, and whose hvc calls answer [] under the flavor they were sent to. It
// counts both, and reports each probe's arrival on arrived.
type probeServer struct {
	*httptest.Server
	probes        atomic.Int64
	api, legacy   atomic.Int64
	hold          <-chan struct{}
	arrived       chan struct{}
	mu            sync.Mutex
	probeStatuses []int
}

func newProbeServer(t *testing.T, hold <-chan struct{}, statuses ...int) *probeServer {
	t.Helper()
	p := &probeServer{hold: hold, arrived: make(chan struct{}, 16), probeStatuses: statuses}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/session":
			n := int(p.probes.Add(1)) - 1
			select {
			case p.arrived <- struct{}{}:
			default:
			}
			if p.hold != nil {
				select {
				case <-p.hold:
				case <-r.Context().Done():
					// The client hung up: answer nothing (returning would
					// send an empty 200, which can still reach it; see
					// TestRetryRequestTimeout).
					panic(http.ErrAbortHandler)
				}
			}
			p.mu.Lock()
			st := p.probeStatuses[min(n, len(p.probeStatuses)-1)]
			p.mu.Unlock()
			w.WriteHeader(st)
			if st == http.StatusServiceUnavailable {
				_, _ = io.WriteString(w, `{"error_type":"SERVICE_UNAVAILABLE","messages":[]}`)
			} else {
				_, _ = io.WriteString(w, `{}`)
			}
		case r.URL.Path == "/api/hvc/links":
			p.api.Add(1)
			_, _ = io.WriteString(w, `[]`)
		case r.URL.Path == "/rest/hvc/links":
			p.legacy.Add(1)
			_, _ = io.WriteString(w, `{"value":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(p.Close)
	return p
}

// TestFlavorProbeDetached: the flavor probe runs apart from the caller
// that started it, so that caller cancelling does not fail the others
// waiting on the same probe. The probe is held at the server until the
// four others wait on it and the first has given up, so the cancel always
// falls while all five share the probe in flight.
func TestFlavorProbeDetached(t *testing.T) {
	t.Parallel()
	hold := make(chan struct{})
	p := newProbeServer(t, hold, http.StatusOK)
	c := fvcNew(t, p.URL, hvc.WithRootCAs(poolOf(p.Server)), hvc.WithSessionID("sess-probe"))

	first, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() {
		_, err := c.Links.List(first)
		errs <- err
	}()
	receiveN(t, p.arrived, 1, "probe")
	var wg sync.WaitGroup
	others := make([]error, 4)
	waiting := make(chan struct{}, len(others))
	for i := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, others[i] = c.Links.List(newWaitingCtx(waiting))
		}()
	}
	receiveN(t, waiting, len(others), "callers waiting on the probe")
	cancel()
	require.ErrorIs(t, <-errs, context.Canceled)
	close(hold) // the probe answers only after the caller that started it gave up
	wg.Wait()
	for i, err := range others {
		assert.NoError(t, err, "caller %d", i)
	}
	assert.Equal(t, hvc.FlavorAPI, c.Flavor())
	assert.EqualValues(t, 1, p.probes.Load(), "one probe for all callers")
	assert.EqualValues(t, 4, p.api.Load())
}

// TestFlavorProbeSettlesOnlyOnDefiniteAnswer: a 503 or a transport error
// from the probe leaves the flavor unknown and fails only that call; 404
// settles on the legacy flavor, 200, 401 and 403 on /api.
func TestFlavorProbeSettlesOnlyOnDefiniteAnswer(t *testing.T) {
	t.Parallel()
	t.Run("503 then 404", func(t *testing.T) {
		t.Parallel()
		p := newProbeServer(t, nil, http.StatusServiceUnavailable, http.StatusNotFound)
		c := fvcNew(t, p.URL, hvc.WithRootCAs(poolOf(p.Server)), hvc.WithSessionID("sess-probe"))
		_, err := c.Links.List(context.Background())
		require.ErrorIs(t, err, hvc.ErrServiceUnavailable)
		assert.Equal(t, hvc.FlavorAuto, c.Flavor(), "a 503 settles nothing")
		_, err = c.Links.List(context.Background())
		require.NoError(t, err)
		assert.Equal(t, hvc.FlavorREST, c.Flavor())
		assert.EqualValues(t, 2, p.probes.Load())
		assert.EqualValues(t, 1, p.legacy.Load())
		assert.Zero(t, p.api.Load())
	})
	for _, st := range []int{http.StatusOK, http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(st), func(t *testing.T) {
			t.Parallel()
			p := newProbeServer(t, nil, st)
			c := fvcNew(t, p.URL, hvc.WithRootCAs(poolOf(p.Server)), hvc.WithSessionID("sess-probe"))
			_, err := c.Links.List(context.Background())
			require.NoError(t, err)
			assert.Equal(t, hvc.FlavorAPI, c.Flavor())
		})
	}
	t.Run("transport error", func(t *testing.T) {
		t.Parallel()
		p := newProbeServer(t, nil, http.StatusOK)
		url := p.URL
		p.Close()
		c := fvcNew(t, url, hvc.WithInsecureSkipVerify(), hvc.WithSessionID("sess-probe"))
		_, err := c.Links.List(context.Background())
		var te *hvc.TransportError
		require.True(t, errors.As(err, &te), "%v", err)
		assert.Equal(t, hvc.FlavorAuto, c.Flavor())
	})
}

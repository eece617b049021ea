package hvc_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// countRequests counts the simulator's recorded requests matching method and
// a flavor-less path suffix.
func countRequests(sim *simulator.Server, method, suffix string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Method == method && len(r.Path) >= len(suffix) && r.Path[len(r.Path)-len(suffix):] == suffix {
			n++
		}
	}
	return n
}

// TestFaultExpiryUnderLoad: 200 goroutines hit an expired session together;
// every call succeeds and the server sees exactly one new login.
func TestFaultExpiryUnderLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, c := simClient(t, nil)
	require.NoError(t, c.Login(ctx))

	for round := 0; round < 2; round++ { // expiry, then a "restart" losing all sessions
		logins := sim.LoginCount()
		sim.ExpireSessions()
		var wg sync.WaitGroup
		errs := make(chan error, 200)
		start := make(chan struct{})
		for range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := c.Links.List(ctx); err != nil {
					errs <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		assert.Equal(t, logins+1, sim.LoginCount(), "round %d", round)
	}
}

// TestFaultExpireAfterN: the session dies mid-run after N requests.
func TestFaultExpireAfterN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, c := simClient(t, nil)
	require.NoError(t, c.Login(ctx))
	logins := sim.LoginCount()
	sim.ExpireSessionsAfter(3)
	for range 10 {
		_, err := c.Links.List(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, logins+1, sim.LoginCount())
}

// TestFaultWrongPassword: a clear error, one login attempt per call, no loop.
func TestFaultWrongPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim := simulator.Run(t)
	c, err := hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, "wrong-password"), hvc.WithRootCAs(sim.CertPool()))
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		_, err := c.Links.List(ctx)
		require.ErrorIs(t, err, hvc.ErrUnauthenticated)
		assert.NotContains(t, err.Error(), "wrong-password")
		assert.Equal(t, i, sim.LoginCount(), "one login attempt per call")
	}
	assert.Zero(t, countRequests(sim, http.MethodGet, "/hvc/links"), "nothing sent without a session")
}

// TestFaultTimeouts: latency beyond the per-request timeout or the ctx
// deadline returns promptly with context.DeadlineExceeded in the chain.
func TestFaultTimeouts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		clientOpts []hvc.Option
		ctxTimeout time.Duration
	}{
		{"per-request timeout", []hvc.Option{hvc.WithTimeout(100 * time.Millisecond)}, 0},
		{"ctx deadline", nil, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, c := simClient(t, nil, tt.clientOpts...)
			require.NoError(t, c.Login(context.Background()))
			mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", Latency: 5 * time.Second})
			ctx := context.Background()
			if tt.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			start := time.Now()
			_, err := c.Links.List(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			var te *hvc.TransportError
			require.ErrorAs(t, err, &te)
			assert.Less(t, time.Since(start), 3*time.Second, "returned promptly")
		})
	}
}

// TestFaultIdempotentRetried: GETs are retried on drops and 503s.
func TestFaultIdempotentRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, c := simClient(t, nil, hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}))
	require.NoError(t, c.Login(ctx))
	mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", Drop: true, Times: 1})
	mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", ErrorType: "SERVICE_UNAVAILABLE", Times: 1})
	_, err := c.Links.List(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, countRequests(sim, http.MethodGet, "/hvc/links"))
}

// TestFaultHostileBodies: proxies' HTML, truncated and malformed JSON, and a
// 200 with an invalid body become typed errors naming the operation.
func TestFaultHostileBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  simulator.Fault
		check  func(t *testing.T, err error)
		status int
	}{
		{"HTML 502 from a proxy", simulator.Fault{Status: 502, ContentType: "text/html", Body: []byte("<html><body>Bad Gateway</body></html>")},
			func(t *testing.T, err error) {
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				assert.Equal(t, 502, std.StatusCode)
				assert.Contains(t, err.Error(), "Bad Gateway")
			}, 502},
		{"HTML 503", simulator.Fault{Status: 503, ContentType: "text/html", Body: []byte("<h1>down</h1>")},
			func(t *testing.T, err error) { require.ErrorIs(t, err, hvc.ErrServiceUnavailable) }, 503},
		{"truncated error JSON", simulator.Fault{Status: 404, ContentType: "application/json", Body: []byte(`{"error_type":"NOT_FO`)},
			func(t *testing.T, err error) {
				// A 404 without a std body: the server has no such operation.
				require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
				require.NotErrorIs(t, err, hvc.ErrNotFound)
			}, 404},
		{"200 with HTML", simulator.Fault{Status: 200, ContentType: "text/html", Body: []byte("<html>login</html>")},
			func(t *testing.T, err error) {
				var de *hvc.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "GET", de.Method)
			}, 200},
		{"200 with truncated JSON", simulator.Fault{Status: 200, ContentType: "application/json", Body: []byte(`[{"link":"a","disp`)},
			func(t *testing.T, err error) {
				var de *hvc.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, err.Error(), "GET /hvc/links:")
			}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sim, c := simClient(t, nil, hvc.WithFlavor(hvc.FlavorAPI))
			f := tt.fault
			f.Method, f.Path = http.MethodGet, "/hvc/links"
			mustFault(t, sim, f)
			_, err := c.Links.List(context.Background())
			require.Error(t, err)
			tt.check(t, err)
		})
	}
}

// TestFaultNoConnectionLeak: after a mixed workload of successes and errors
// the simulator never saw more connections than the client's pool allows,
// and idle ones are reused rather than piling up.
func TestFaultNoConnectionLeak(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const pool = 4
	sim := simulator.Run(t, simulator.WithVersion("8.0U1")) // Links.Get

	tr := &http.Transport{MaxConnsPerHost: pool, MaxIdleConnsPerHost: pool}
	c, err := hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()), hvc.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links/*", ErrorType: "NOT_FOUND"})
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				if (i+j)%2 == 0 {
					_, _ = c.Links.List(ctx)
				} else {
					_, err := c.Links.Get(ctx, "missing")
					if !errors.Is(err, hvc.ErrNotFound) {
						t.Errorf("want NOT_FOUND, got %v", err)
					}
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, sim.MaxOpenConnections(), pool)
	require.NoError(t, c.Logout(ctx))
	c.CloseIdleConnections()
	require.Eventually(t, func() bool { return sim.OpenConnections() == 0 }, 2*time.Second, 10*time.Millisecond)
}

// TestFaultCreateOutcomeUnknownReconciled: a create whose reply is lost
// after the server applied it fails with ErrOutcomeUnknown (never sent
// twice), and listing the links finds the one for that domain.
func TestFaultCreateOutcomeUnknownReconciled(t *testing.T) {
	t.Parallel()
	for _, fl := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sim, c := simClient(t, nil, hvc.WithFlavor(fl))
			require.NoError(t, c.Login(ctx))
			mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: "/hvc/links", DropAfterApply: true, Times: 1})

			spec := foreignSpec("corp.local")
			spec.SSLThumbprint = simulator.DefaultForeignThumbprint
			id, err := c.Links.Create(ctx, spec)
			require.ErrorIs(t, err, hvc.ErrOutcomeUnknown)
			assert.Empty(t, id)
			assert.Equal(t, 1, countRequests(sim, http.MethodPost, "/hvc/links"), "the create is not resent")

			// Reconcile: the link is there, under that domain.
			links, err := c.Links.List(ctx)
			require.NoError(t, err)
			var found []string
			for _, l := range links {
				if l.DisplayName == "corp.local" {
					found = append(found, l.Link)
				}
			}
			require.Len(t, found, 1, "links: %+v", links)
			assert.Equal(t, sim.Links(), found)
		})
	}
}

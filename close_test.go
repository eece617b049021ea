package hvc_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// TestCloseEndsSession: Close logs the client's session out on the
// simulator (its session count drops back), sends one logout however many
// goroutines call it at once, and is a no-op afterwards and on a client that
// never logged in.
func TestCloseEndsSession(t *testing.T) {
	t.Parallel()
	for _, fl := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			sim := startTestSimulator(t)
			c, err := hvc.New(sim.URL(), hvc.WithFlavor(fl),
				hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
				hvc.WithRootCAs(sim.CertPool()))
			require.NoError(t, err)
			ctx := context.Background()

			require.NoError(t, c.Close(ctx), "never logged in")
			_, err = c.Links.List(ctx)
			require.NoError(t, err)
			require.Equal(t, 1, sim.SessionCount())
			sim.ResetRequests()

			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = c.Close(ctx)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				assert.NoError(t, err)
			}
			assert.Equal(t, 0, sim.SessionCount(), "the session is gone on the server")
			assert.Empty(t, c.SessionID())
			deletes := 0
			for _, r := range sim.Requests() {
				if r.Method == http.MethodDelete {
					deletes++
				}
			}
			assert.Equal(t, 1, deletes, "one logout for eight Close calls")
			require.NoError(t, c.Close(ctx), "closing twice")
		})
	}
	var zero hvc.Client
	assert.ErrorIs(t, zero.Close(context.Background()), hvc.ErrNotInitialized)
}

// startTestSimulator starts a simulator that t closes.
func startTestSimulator(t *testing.T, opts ...simulator.Option) *simulator.Server {
	t.Helper()
	sim, err := simulator.New(opts...)
	require.NoError(t, err)
	require.NoError(t, sim.Start())
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

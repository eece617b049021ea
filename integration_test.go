package hvc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// simClient starts a simulator and returns a client for its administrator.
func simClient(t *testing.T, simOpts []simulator.Option, opts ...hvc.Option) (*simulator.Server, *hvc.Client) {
	t.Helper()
	sim := simulator.Run(t, simOpts...)
	base := []hvc.Option{
		hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()),
	}
	c, err := hvc.New(sim.URL(), append(base, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return sim, c
}

func foreignSpec(domain string) hvc.LinkCreateSpec {
	return hvc.LinkCreateSpec{PSCHostname: simulator.DefaultForeignPSC, DomainName: domain,
		Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword, AdminGroups: []string{"admins@" + domain}}
}

func trustKnown(c hvc.CertificateInfo) (bool, error) {
	return hvc.SameThumbprint(c.SSLThumbprint, simulator.DefaultForeignThumbprint), nil
}

// TestIntegrationFullFlow runs every operation against the simulator in both
// flavors.
func TestIntegrationFullFlow(t *testing.T) {
	t.Parallel()
	for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			_, c := simClient(t, []simulator.Option{simulator.WithSyncStepPerPoll()}, hvc.WithFlavor(f))

			_, err := c.Links.Create(ctx, foreignSpec("remote.local"))
			var peer *hvc.UnverifiedPeerError
			require.ErrorAs(t, err, &peer)
			cert, err := peer.CertificateInfo()
			require.NoError(t, err)
			assert.True(t, hvc.SameThumbprint(cert.SSLThumbprint, simulator.DefaultForeignThumbprint))

			id, err := c.Links.CreateTrusting(ctx, foreignSpec("remote.local"), trustKnown)
			require.NoError(t, err)
			require.NotEmpty(t, id)

			spec := foreignSpec("remote.local")
			spec.SSLThumbprint = simulator.DefaultForeignThumbprint
			_, err = c.Links.Create(ctx, spec)
			require.ErrorIs(t, err, hvc.ErrAlreadyExists)

			links, err := c.Links.List(ctx)
			require.NoError(t, err)
			require.Equal(t, []hvc.LinkSummary{{Link: id, DisplayName: "remote.local"}}, links)

			// 8.0, the default release, has sync but not links get.
			_, err = c.Links.Get(ctx, id)
			require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
			require.NotErrorIs(t, err, hvc.ErrNotFound)

			providers, err := c.SyncProviders.List(ctx, id)
			require.NoError(t, err)
			require.Len(t, providers, len(simulator.DefaultProviders))
			p := providers[0].Provider

			before, err := c.SyncProviders.Get(ctx, id, p)
			require.NoError(t, err)
			assert.Equal(t, hvc.SyncStatusNoSyncFound, before.Status)
			assert.Nil(t, before.LastSyncTime)

			var stages []hvc.SyncStage
			// No released start takes credentials: sending them is
			// UNEXPECTED_INPUT, and nothing starts.
			err = c.SyncProviders.Start(ctx, id, p, &hvc.Credentials{UserName: "u@remote.local", Password: "pw"})
			require.ErrorIs(t, err, hvc.ErrUnexpectedInput)
			final, err := c.SyncProviders.StartAndWait(ctx, id, p, nil,
				hvc.WaitOptions{PollInterval: time.Millisecond, OnProgress: func(pr hvc.SyncProgress) { stages = append(stages, pr.Stage) }})
			require.NoError(t, err)
			assert.Equal(t, hvc.SyncStatusSucceeded, final.Status)
			assert.NotNil(t, final.LastSyncTime)
			assert.Equal(t, hvc.SyncStageCompleted, stages[len(stages)-1])
			assert.Contains(t, stages, hvc.SyncStageChangeApplication)

			require.NoError(t, c.Sync.Reset(ctx, id))

			require.NoError(t, c.Administrators.Set(ctx, []string{"a@d", "b@d", "a@d"}))
			require.NoError(t, c.Administrators.Add(ctx, "c@d"))
			require.NoError(t, c.Administrators.Remove(ctx, "a@d"))
			groups, err := c.Administrators.Get(ctx)
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"b@d", "c@d"}, groups)

			require.ErrorIs(t, c.Links.DeleteWithCredentials(ctx, id, hvc.Credentials{UserName: "u", Password: "pw"}), hvc.ErrOperationUnavailable)
			require.NoError(t, c.Links.Delete(ctx, id))
			require.ErrorIs(t, c.Links.Delete(ctx, id), hvc.ErrNotFound)

			// 8.0U1 has links get and delete with credentials, and no sync.
			_, c = simClient(t, []simulator.Option{simulator.WithVersion("8.0U1")}, hvc.WithFlavor(f))
			id, err = c.Links.CreateTrusting(ctx, foreignSpec("remote.local"), trustKnown)
			require.NoError(t, err)
			info, err := c.Links.Get(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, hvc.HealthStatusHealthy, info.ConnectionHealthStatus)
			_, err = c.SyncProviders.List(ctx, id)
			require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
			require.NoError(t, c.Links.DeleteWithCredentials(ctx, id, hvc.Credentials{UserName: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword}))
			_, err = c.Links.Get(ctx, id)
			require.ErrorIs(t, err, hvc.ErrNotFound)
			require.NotErrorIs(t, err, hvc.ErrOperationUnavailable)
			var nf *hvc.NotFoundError
			require.ErrorAs(t, err, &nf)
			assert.Equal(t, 404, nf.StatusCode)
			require.ErrorIs(t, c.Links.Delete(ctx, id), hvc.ErrNotFound)
		})
	}
}

// TestIntegrationAutoFlavor checks detection against older and newer servers.
func TestIntegrationAutoFlavor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sim  []simulator.Option
		want hvc.Flavor
	}{
		{"rest-only server", []simulator.Option{simulator.WithRESTOnly()}, hvc.FlavorREST},
		{"api-only server", []simulator.Option{simulator.WithAPIOnly()}, hvc.FlavorAPI},
		{"both", nil, hvc.FlavorAPI},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := simClient(t, tt.sim)
			assert.Equal(t, hvc.FlavorAuto, c.Flavor())
			id, err := c.Links.CreateTrusting(context.Background(), foreignSpec("auto.local"), trustKnown)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Flavor())
			links, err := c.Links.List(context.Background())
			require.NoError(t, err)
			require.Len(t, links, 1)
			assert.Equal(t, id, links[0].Link)
		})
	}
}

// TestIntegrationSessionExpiryMidRun: an expired session costs one login and
// no failed call.
func TestIntegrationSessionExpiryMidRun(t *testing.T) {
	t.Parallel()
	for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sim, c := simClient(t, nil, hvc.WithFlavor(f))
			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			first := c.SessionID()
			logins := sim.LoginCount()

			sim.ExpireSessions()
			_, err = c.Links.CreateTrusting(ctx, foreignSpec("expiry.local"), trustKnown)
			require.NoError(t, err)
			assert.Equal(t, logins+1, sim.LoginCount())
			assert.NotEqual(t, first, c.SessionID())
		})
	}
}

// TestIntegrationIdleExpiry: a session that idled past the server's idle
// timeout (on the simulator's clock, no sleeping) costs one login and no
// failed call; one used within it costs none.
func TestIntegrationIdleExpiry(t *testing.T) {
	t.Parallel()
	for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			frozen := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			sim, c := simClient(t, []simulator.Option{simulator.WithIdleTimeout(30 * time.Minute),
				simulator.WithClock(func() time.Time { return frozen })}, hvc.WithFlavor(f))
			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			logins := sim.LoginCount()
			sim.Advance(29 * time.Minute)
			_, err = c.Links.List(ctx)
			require.NoError(t, err)
			assert.Equal(t, logins, sim.LoginCount(), "a session in use was replaced")
			first := c.SessionID()
			sim.Advance(31 * time.Minute)
			_, err = c.Links.CreateTrusting(ctx, foreignSpec("idle.local"), trustKnown)
			require.NoError(t, err)
			assert.Equal(t, logins+1, sim.LoginCount())
			assert.NotEqual(t, first, c.SessionID())
			assert.Equal(t, 1, sim.SessionCount(), "the idle session is still counted")
		})
	}
}

// TestIntegrationWaitSyncDuration: StartAndWait with adaptive polling on a
// sync that takes two minutes of the simulator's time. Wait's clock is the
// simulator's and its sleeps Advance it, so the run is exact and instant:
// the stages arrive in order, the wait ends once the sync has completed,
// and the polls number what the adaptive interval predicts, not one per
// MinPollInterval.
func TestIntegrationWaitSyncDuration(t *testing.T) {
	t.Parallel()
	const d = 2 * time.Minute
	ctx := context.Background()
	frozen := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	sim, c := simClient(t, []simulator.Option{simulator.WithSyncDuration(d), simulator.WithClock(func() time.Time { return frozen })})
	hvc.SetPollClock(c, sim.Now, func(ctx context.Context, d time.Duration) error {
		sim.Advance(d)
		return ctx.Err()
	})
	id, err := c.Links.CreateTrusting(ctx, foreignSpec("wait.local"), trustKnown)
	require.NoError(t, err)
	start := sim.Now()
	var stages []hvc.SyncStage
	polls := 0
	info, err := c.SyncProviders.StartAndWait(ctx, id, "identity", nil, hvc.WaitOptions{OnProgress: func(p hvc.SyncProgress) {
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
	}})
	require.NoError(t, err)
	for _, r := range sim.Requests() {
		if r.Method == "GET" && r.Path == "/api/hvc/links/"+id+"/sync/providers/identity" {
			polls++
		}
	}
	assert.Equal(t, hvc.SyncStatusSucceeded, info.Status)
	assert.Equal(t, []hvc.SyncStage{"CHANGE_DETECTION", "CHANGE_ENUMERATION", "CHANGE_APPLICATION", "COMPLETED"}, stages)
	waited := sim.Now().Sub(start)
	assert.GreaterOrEqual(t, waited, d, "the wait ended before the sync")
	assert.Less(t, waited, d+d/10+hvc.MinPollInterval, "the end was seen late")
	// From 100 ms growing by a tenth per poll, two minutes take about 60
	// polls; a fixed MinPollInterval would take 1,200.
	t.Logf("%d polls", polls)
	assert.Less(t, polls, 100, "polls")
	assert.Greater(t, polls, 50, "polls")
}

// TestIntegrationTLS: verification on by default, pinning, and mismatch.
func TestIntegrationTLS(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	creds := hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	tests := []struct {
		name    string
		opts    []hvc.Option
		wantErr bool
	}{
		{"system roots reject the self-signed simulator", nil, true},
		{"root CAs", []hvc.Option{hvc.WithRootCAs(sim.CertPool())}, false},
		{"pinned thumbprint", []hvc.Option{hvc.WithThumbprint(sim.Thumbprint())}, false},
		{"wrong pin", []hvc.Option{hvc.WithThumbprint(simulator.DefaultForeignThumbprint)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := hvc.New(sim.URL(), append([]hvc.Option{creds}, tt.opts...)...)
			require.NoError(t, err)
			err = c.Login(context.Background())
			if !tt.wantErr {
				require.NoError(t, err)
				require.NoError(t, c.Logout(context.Background()))
				return
			}
			require.Error(t, err)
			var te *hvc.TransportError
			require.ErrorAs(t, err, &te)
			var mm *hvc.CertificateMismatchError
			if errors.As(err, &mm) {
				assert.Equal(t, simulator.DefaultForeignThumbprint, mm.Expected)
				assert.True(t, hvc.SameThumbprint(sim.Thumbprint(), mm.Actual))
			}
		})
	}
}

package hvc_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestNilContext: a nil ctx is an error at the call, for every flavor
// setting and with or without credentials; nothing is sent and nothing
// panics (before, the shared login or probe goroutine crashed the process).
func TestNilContext(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	clients := map[string]*hvc.Client{
		"credentials, auto":  f.client(t),
		"credentials, api":   f.client(t, hvc.WithFlavor(hvc.FlavorAPI)),
		"session only, auto": fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID(f.Mint())),
		"session only, rest": fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID(f.Mint()), hvc.WithFlavor(hvc.FlavorREST)),
	}
	for name, c := range clients {
		var nilCtx context.Context
		_, err := c.Links.List(nilCtx)
		require.ErrorIs(t, err, hvc.ErrInvalidArgument, name)
		assert.Contains(t, err.Error(), "ctx must not be nil")
		_, err = c.SyncProviders.Wait(nilCtx, "l", "p", hvc.WaitOptions{})
		require.ErrorIs(t, err, hvc.ErrInvalidArgument, name)
		if name == "credentials, auto" {
			require.ErrorIs(t, c.Login(nilCtx), hvc.ErrInvalidArgument, name)
		}
	}
	assert.Zero(t, f.Total(), "nothing sent")
}

// TestZeroClient: a Client{} not made by New, its nil services and a nil
// *Client return ErrNotInitialized instead of panicking where the receiver
// allows it (before: a nil pointer dereference).
func TestZeroClient(t *testing.T) {
	t.Parallel()
	var c hvc.Client
	ctx := context.Background()
	require.ErrorIs(t, c.Login(ctx), hvc.ErrNotInitialized)
	require.NoError(t, c.Logout(ctx), "nothing to log out")
	assert.Empty(t, c.SessionID())
	assert.Equal(t, hvc.FlavorAuto, c.Flavor())
	assert.NotPanics(t, c.CloseIdleConnections)
	// Its service fields are nil: every method returns the error.
	_, err := c.Links.List(ctx)
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	_, err = c.Links.CreateTrusting(ctx, maskSpec("pw-zero-9", foreignTP), func(hvc.CertificateInfo) (bool, error) { return true, nil })
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	require.ErrorIs(t, c.Links.Delete(ctx, "l"), hvc.ErrNotInitialized)
	require.ErrorIs(t, c.Sync.Reset(ctx, "l"), hvc.ErrNotInitialized)
	_, err = c.SyncProviders.List(ctx, "l")
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	_, err = c.SyncProviders.StartAndWait(ctx, "l", "p", nil, hvc.WaitOptions{})
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	_, err = c.Administrators.Get(ctx)
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	require.ErrorIs(t, c.Administrators.Add(ctx, "g@x"), hvc.ErrNotInitialized)

	_, err = new(hvc.LinksService).List(ctx)
	require.ErrorIs(t, err, hvc.ErrNotInitialized)
	require.ErrorIs(t, new(hvc.SyncService).Reset(ctx, "l"), hvc.ErrNotInitialized)
	var nilClient *hvc.Client
	require.ErrorIs(t, nilClient.Login(ctx), hvc.ErrNotInitialized)
	require.NoError(t, nilClient.Logout(ctx))
	assert.NotPanics(t, nilClient.CloseIdleConnections)
}

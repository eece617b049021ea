package hvc_test

import (
	"context"
	"strings"
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

// TestNilContextNamesOperation: every I/O entry point refuses a nil ctx
// with an *InvalidArgumentError that names the refused operation (Op) and
// its method and path (in Error()), before anything is sent; a client
// holding a session is used, so Logout and Close have something to do.
func TestNilContextNamesOperation(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	tests := []struct {
		name   string
		call   func(*hvc.Client) error
		op     string
		prefix string // how Error() begins: the method and path
	}{
		{"Links.List", func(c *hvc.Client) error { _, err := c.Links.List(nilCtx); return err },
			"Links.List", "hvc: GET /hvc/links: "},
		{"Links.Create", func(c *hvc.Client) error {
			_, err := c.Links.Create(nilCtx, maskSpec("pw-nil-ctx-1", foreignTP))
			return err
		}, "Links.Create", "hvc: POST /hvc/links: "},
		{"Links.Delete", func(c *hvc.Client) error { return c.Links.Delete(nilCtx, "l-1") },
			"Links.Delete", "hvc: DELETE /hvc/links/l-1: "},
		{"SyncProviders.Wait", func(c *hvc.Client) error {
			_, err := c.SyncProviders.Wait(nilCtx, "l", "p", hvc.WaitOptions{})
			return err
		}, "SyncProviders.Wait", "hvc: GET /hvc/links/l/sync/providers/p: "},
		{"SyncProviders.StartAndWait", func(c *hvc.Client) error {
			_, err := c.SyncProviders.StartAndWait(nilCtx, "l", "p", nil, hvc.WaitOptions{})
			return err
		}, "SyncProviders.StartAndWait", "hvc: POST /hvc/links/l/sync/providers/p?action=start: "},
		{"Client.Do", func(c *hvc.Client) error { return c.Do(nilCtx, "GET", "/hvc/version", nil, nil) },
			"Client.Do", "hvc: GET /hvc/version: "},
		{"Login", func(c *hvc.Client) error { return c.Login(nilCtx) }, "Session.Create", "hvc: POST /session: "},
		{"Logout", func(c *hvc.Client) error { return c.Logout(nilCtx) }, "Session.Delete", "hvc: DELETE /session: "},
		{"Close", func(c *hvc.Client) error { return c.Close(nilCtx) }, "Session.Delete", "hvc: DELETE /session: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{})
			c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID(f.Mint()))
			var err error
			require.NotPanics(t, func() { err = tt.call(c) })
			var std *hvc.StdError
			require.ErrorAs(t, err, &std)
			require.ErrorIs(t, err, hvc.ErrInvalidArgument)
			assert.Equal(t, tt.op, std.Op)
			assert.True(t, strings.HasPrefix(err.Error(), tt.prefix), "error %q does not begin %q", err, tt.prefix)
			assert.Contains(t, err.Error(), "ctx must not be nil")
			assert.Zero(t, f.Total(), "nothing sent")
		})
	}
}

// TestWaitRefusalNamesWait: Wait and StartAndWait refuse an id that cannot
// fill the path with an *InvalidArgumentError naming themselves (Op) and the
// template, not the Get or Start they call; nothing is sent.
func TestWaitRefusalNamesWait(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func(*hvc.Client) error
		op     string
		prefix string
	}{
		{"Wait, empty link", func(c *hvc.Client) error {
			_, err := c.SyncProviders.Wait(ctx, "", "p", hvc.WaitOptions{})
			return err
		}, "SyncProviders.Wait", "hvc: GET /hvc/links/{link}/sync/providers/{provider}: "},
		{"StartAndWait, dot provider", func(c *hvc.Client) error {
			_, err := c.SyncProviders.StartAndWait(ctx, "l", "..", nil, hvc.WaitOptions{})
			return err
		}, "SyncProviders.StartAndWait", "hvc: POST /hvc/links/{link}/sync/providers/{provider}?action=start: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{})
			c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID(f.Mint()))
			err := tt.call(c)
			var std *hvc.StdError
			require.ErrorAs(t, err, &std)
			require.ErrorIs(t, err, hvc.ErrInvalidArgument)
			assert.Equal(t, tt.op, std.Op)
			assert.True(t, strings.HasPrefix(err.Error(), tt.prefix), "error %q does not begin %q", err, tt.prefix)
			assert.Zero(t, f.Total(), "nothing sent")
		})
	}
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

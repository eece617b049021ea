package hvc_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// mustFault injects f into sim and fails the test if AddFault refuses it
// (a fault no route can match).
func mustFault(t testing.TB, sim *simulator.Server, f simulator.Fault) func() {
	t.Helper()
	remove, err := sim.AddFault(f)
	require.NoError(t, err)
	return remove
}

// TestOperationUnavailable: an operation the server's release does not
// have fails with ErrOperationUnavailable, never ErrNotFound, in both
// flavors; the error names the operation and the releases that have it and
// still reaches the server's reply; a missing object stays ErrNotFound.
func TestOperationUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		version string
		flavor  hvc.Flavor
		call    func(c *hvc.Client, link string) error
		op      string
		text    string
	}{
		{"8.0U1", hvc.FlavorAPI, func(c *hvc.Client, link string) error {
			_, err := c.SyncProviders.StartAndWait(ctx, link, "identity", nil, hvc.WaitOptions{})
			return err
		}, "SyncProviders.Start", "sync providers exist in vSphere 6.7–8.0; this server does not serve them"},
		{"8.0U1", hvc.FlavorREST, func(c *hvc.Client, link string) error {
			_, err := c.SyncProviders.List(ctx, link)
			return err
		}, "SyncProviders.List", "sync providers exist in vSphere 6.7–8.0; this server does not serve them"},
		{"9.0", hvc.FlavorAPI, func(c *hvc.Client, link string) error { return c.Sync.Reset(ctx, link) },
			"Sync.Reset", "Sync.Reset exists in vSphere 6.7–8.0; this server does not serve it"},
		{"8.0", hvc.FlavorAPI, func(c *hvc.Client, link string) error { _, err := c.Links.Get(ctx, link); return err },
			"Links.Get", "Links.Get exists in vSphere 8.0U1–9.0 and is reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve it"},
		{"8.0", hvc.FlavorREST, func(c *hvc.Client, link string) error { _, err := c.Links.Get(ctx, link); return err },
			"Links.Get", "Links.Get exists in vSphere 8.0U1–9.0 and is reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve it"},
		{"7.0U1", hvc.FlavorAuto, func(c *hvc.Client, link string) error {
			return c.Links.DeleteWithCredentials(ctx, link, hvc.Credentials{UserName: "u@d", Password: "pw"})
		}, "Links.DeleteWithCredentials", "Links.DeleteWithCredentials exists in vSphere 8.0U1–9.0 and is reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve it"},
	}
	for _, tc := range cases {
		t.Run(tc.version+"/"+tc.flavor.String()+"/"+tc.op, func(t *testing.T) {
			t.Parallel()
			sim, c := simClient(t, []simulator.Option{simulator.WithVersion(tc.version)}, hvc.WithFlavor(tc.flavor))
			link, err := c.Links.CreateTrusting(ctx, foreignSpec("remote.local"), trustKnown)
			require.NoError(t, err)

			err = tc.call(c, link)
			require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
			assert.NotErrorIs(t, err, hvc.ErrNotFound, "a server without the operation must not look like a missing object")
			var nf *hvc.NotFoundError
			assert.False(t, errors.As(err, &nf))
			var ou *hvc.OperationUnavailableError
			require.ErrorAs(t, err, &ou)
			assert.Equal(t, tc.op, ou.Op)
			assert.Contains(t, err.Error(), tc.text)
			var std *hvc.StdError
			require.ErrorAs(t, err, &std, "the server's reply stays reachable")
			assert.Equal(t, http.StatusNotFound, std.StatusCode)
			assert.Same(t, ou.Cause, std)
			assert.Equal(t, []string{link}, sim.Links(), "nothing was changed")
		})
	}
}

// TestOperationUnavailable91: a vSphere 9.1 server (the hvc API reported
// removed) still logs in, and answers every hvc operation as an unknown
// URL in both flavors; the SDK reports ErrOperationUnavailable saying the
// operation was removed after 9.0, except for operations already gone
// before (sync providers, until 8.0), whose text is unchanged.
func TestOperationUnavailable91(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	removed := " and is reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve it"
	cases := []struct {
		op   string
		call func(c *hvc.Client) error
		text string
	}{
		{"Links.List", func(c *hvc.Client) error { _, err := c.Links.List(ctx); return err },
			"Links.List exists in vSphere 6.7–9.0" + removed},
		{"Links.Create", func(c *hvc.Client) error {
			_, err := c.Links.CreateTrusting(ctx, foreignSpec("remote.local"), trustKnown)
			return err
		}, "Links.Create exists in vSphere 6.7–9.0" + removed},
		{"Links.Get", func(c *hvc.Client) error { _, err := c.Links.Get(ctx, "link-1"); return err },
			"Links.Get exists in vSphere 8.0U1–9.0" + removed},
		{"Administrators.Get", func(c *hvc.Client) error { _, err := c.Administrators.Get(ctx); return err },
			"administrators exist in vSphere 6.7–9.0 and are reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve them"},
		{"SyncProviders.List", func(c *hvc.Client) error { _, err := c.SyncProviders.List(ctx, "link-1"); return err },
			"sync providers exist in vSphere 6.7–8.0; this server does not serve them ("},
	}
	for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		for _, tc := range cases {
			t.Run(f.String()+"/"+tc.op, func(t *testing.T) {
				t.Parallel()
				sim, c := simClient(t, []simulator.Option{simulator.WithVersion("9.1")}, hvc.WithFlavor(f))
				require.NoError(t, c.Login(ctx), "sessions still work on 9.1")
				err := tc.call(c)
				require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
				assert.NotErrorIs(t, err, hvc.ErrNotFound)
				var ou *hvc.OperationUnavailableError
				require.ErrorAs(t, err, &ou)
				assert.Equal(t, tc.op, ou.Op)
				assert.Contains(t, err.Error(), tc.text)
				assert.Empty(t, sim.Links())
				assert.Equal(t, 1, sim.SessionCount())
			})
		}
	}
}

// TestMissingObjectStaysNotFound: a missing link on a server that has the
// operation is ErrNotFound, not ErrOperationUnavailable.
func TestMissingObjectStaysNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, v := range []string{"8.0", "8.0U1"} {
		for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
			t.Run(v+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				sim, c := simClient(t, []simulator.Option{simulator.WithVersion(v)}, hvc.WithFlavor(f))
				err := c.Links.Delete(ctx, "link-404")
				require.ErrorIs(t, err, hvc.ErrNotFound)
				assert.NotErrorIs(t, err, hvc.ErrOperationUnavailable)
				if sim.Serves("Links.Get") {
					_, err = c.Links.Get(ctx, "link-404")
				} else {
					_, err = c.SyncProviders.List(ctx, "link-404")
				}
				var nf *hvc.NotFoundError
				require.ErrorAs(t, err, &nf)
				assert.NotErrorIs(t, err, hvc.ErrOperationUnavailable)
			})
		}
	}
}

// TestOperationUnavailableNonStdBody: a 404 without a std error body (a
// proxy's page, an empty body) is also "the server does not serve this".
func TestOperationUnavailableNonStdBody(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{[]byte("<html>404 Not Found</html>"), {}} {
		sim, c := simClient(t, nil, hvc.WithFlavor(hvc.FlavorAPI))
		mustFault(t, sim, simulator.Fault{Path: "/api/hvc/management/administrators", Method: http.MethodGet, Status: 404, Body: body, ContentType: "text/html"})
		_, err := c.Administrators.Get(context.Background())
		require.ErrorIs(t, err, hvc.ErrOperationUnavailable)
		assert.NotErrorIs(t, err, hvc.ErrNotFound)
		assert.Contains(t, err.Error(), "administrators exist in vSphere 6.7–9.0 and are reported removed after 9.0 (the whole hvc API, from vSphere 9.1); this server does not serve them")
	}
}

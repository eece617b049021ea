package hvc_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestSessionLazyLogin: New sends nothing; the first call logs in once and
// later calls reuse the session.
func TestSessionLazyLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{})
	c := f.client(t)

	assert.Zero(t, f.Total(), "New must not send anything")
	assert.Empty(t, c.SessionID())
	assert.Equal(t, hvc.FlavorAuto, c.Flavor())

	for i := range 3 {
		links, err := c.Links.List(ctx)
		require.NoError(t, err, "call %d", i)
		require.Len(t, links, 1)
		assert.Equal(t, "link-1", links[0].Link)
	}
	assert.EqualValues(t, 1, f.logins())
	assert.EqualValues(t, 1, f.loginAttempts.Load())
	assert.Equal(t, 3, f.Hits(http.MethodGet, "/api/hvc/links"))
	assert.True(t, f.Live(c.SessionID()))
}

// TestSessionFlavors: FlavorAuto settles on /api when the server has it and
// on /rest when /api/session is 404; explicit flavors never probe.
func TestSessionFlavors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		noAPI       bool
		flavor      hvc.Flavor
		want        hvc.Flavor
		apiAttempts int // POST /api/session
		restLogins  int64
	}{
		{name: "auto/new server", want: hvc.FlavorAPI, apiAttempts: 1},
		{name: "auto/old server", noAPI: true, want: hvc.FlavorREST, apiAttempts: 1, restLogins: 1},
		{name: "explicit api", flavor: hvc.FlavorAPI, want: hvc.FlavorAPI, apiAttempts: 1},
		{name: "explicit rest on new server", flavor: hvc.FlavorREST, want: hvc.FlavorREST, restLogins: 1},
		{name: "explicit rest on old server", noAPI: true, flavor: hvc.FlavorREST, want: hvc.FlavorREST, restLogins: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFVC(t, fvcConfig{noAPI: tt.noAPI})
			c := f.client(t, hvc.WithFlavor(tt.flavor))
			assert.Equal(t, tt.flavor, c.Flavor(), "before any call")

			for range 2 {
				links, err := c.Links.List(ctx)
				require.NoError(t, err)
				require.Len(t, links, 1)
			}
			assert.Equal(t, tt.want, c.Flavor())
			assert.Equal(t, tt.apiAttempts, f.Hits(http.MethodPost, "/api/session"))
			assert.Equal(t, tt.restLogins, f.restLogins.Load())
			assert.EqualValues(t, 1, f.logins())

			_, err := c.SyncProviders.Get(ctx, "link-1", "p1")
			require.NoError(t, err)
			if tt.want == hvc.FlavorREST {
				assert.Zero(t, f.PrefixHits("/api/hvc"), "a /rest client must never call /api/hvc")
				assert.Equal(t, 2, f.Hits(http.MethodGet, "/rest/hvc/links"))
				assert.Equal(t, 1, f.Hits(http.MethodGet, "/rest/hvc/links/link-1/sync/providers/p1"))
			} else {
				assert.Zero(t, f.PrefixHits("/rest"), "an /api client must never call /rest")
				assert.Equal(t, 2, f.Hits(http.MethodGet, "/api/hvc/links"))
			}
		})
	}
}

// TestSessionExpiryConcurrent: 100 goroutines meet an expired session
// together; all succeed and exactly one new login happens.
func TestSessionExpiryConcurrent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		noAPI bool
	}{{"api", false}, {"rest", true}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFVC(t, fvcConfig{noAPI: tt.noAPI})
			c := f.client(t)
			require.NoError(t, c.Login(ctx))
			old := c.SessionID()
			require.EqualValues(t, 1, f.logins())

			f.Expire()
			const n = 100
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = c.Links.List(ctx)
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				require.NoError(t, err, "goroutine %d", i)
			}
			assert.EqualValues(t, 2, f.logins(), "exactly one re-login for %d callers", n)
			assert.EqualValues(t, 2, f.loginAttempts.Load())
			assert.NotEqual(t, old, c.SessionID())
			assert.True(t, f.Live(c.SessionID()))
		})
	}
}

// TestSessionWrongPassword: a rejected login is an *UnauthenticatedError,
// costs exactly one login attempt per call, and never loops.
func TestSessionWrongPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{})
	const bad = "not-the-Password-42"
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithCredentials(fvcUser, bad))

	for i := 1; i <= 3; i++ {
		_, err := c.Links.List(ctx)
		var ue *hvc.UnauthenticatedError
		require.ErrorAs(t, err, &ue, "call %d", i)
		assert.Equal(t, http.StatusUnauthorized, ue.StatusCode)
		assert.ErrorIs(t, err, hvc.ErrUnauthenticated)
		assert.NotContains(t, err.Error(), bad)
		assert.EqualValues(t, i, f.loginAttempts.Load(), "one login attempt per call")
	}
	err := c.Login(ctx)
	var ue *hvc.UnauthenticatedError
	require.ErrorAs(t, err, &ue)
	assert.EqualValues(t, 4, f.loginAttempts.Load())
	assert.Zero(t, f.Hits(http.MethodGet, "/api/hvc/links"), "nothing sent without a session")
	assert.Empty(t, c.SessionID())
}

// TestSessionWrongPasswordOldServer: on a pre-7.0U2 server the 404 of
// /api/session settles the legacy flavor for good, even when the login
// itself is refused, so later calls do not probe /api again.
func TestSessionWrongPasswordOldServer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{noAPI: true})
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithCredentials(fvcUser, "wrong-password-1"))

	for i := 1; i <= 3; i++ {
		_, err := c.Links.List(ctx)
		var ue *hvc.UnauthenticatedError
		require.ErrorAs(t, err, &ue, "call %d", i)
		assert.Equal(t, i, f.Hits(http.MethodPost, "/rest/com/vmware/cis/session"), "one login attempt per call")
	}
	assert.Equal(t, 1, f.Hits(http.MethodPost, "/api/session"), "/api/session is probed once")
	assert.Equal(t, hvc.FlavorREST, c.Flavor())
}

// TestSessionReloginRejected: the session expires and the re-login is
// refused; the call fails typed after one 401, one login attempt and no
// resend loop.
func TestSessionReloginRejected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{})
	c := f.client(t)
	_, err := c.Links.List(ctx)
	require.NoError(t, err)

	f.Expire()
	f.rejectLogins.Store(true)
	_, err = c.Links.List(ctx)
	var ue *hvc.UnauthenticatedError
	require.ErrorAs(t, err, &ue)
	assert.EqualValues(t, 2, f.loginAttempts.Load())
	assert.Equal(t, 2, f.Hits(http.MethodGet, "/api/hvc/links"))

	f.rejectLogins.Store(false)
	_, err = c.Links.List(ctx)
	require.NoError(t, err, "recovers once logins work again")
}

// TestSessionIDOnly: with WithSessionID and no credentials the client never
// logs in; an expired or unknown session surfaces as *UnauthenticatedError.
func TestSessionIDOnly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		noAPI  bool
		flavor hvc.Flavor
		want   hvc.Flavor
	}{
		{"auto/new server", false, hvc.FlavorAuto, hvc.FlavorAPI},
		{"auto/old server", true, hvc.FlavorAuto, hvc.FlavorREST},
		{"explicit api", false, hvc.FlavorAPI, hvc.FlavorAPI},
		{"explicit rest", false, hvc.FlavorREST, hvc.FlavorREST},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFVC(t, fvcConfig{noAPI: tt.noAPI})
			tok := f.Mint()
			c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID(tok), hvc.WithFlavor(tt.flavor))
			assert.Equal(t, tok, c.SessionID())

			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.Flavor())

			f.Expire()
			_, err = c.Links.List(ctx)
			var ue *hvc.UnauthenticatedError
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, http.StatusUnauthorized, ue.StatusCode)
			assert.ErrorIs(t, err, hvc.ErrUnauthenticated)
			assert.NotContains(t, err.Error(), tok)
			assert.Zero(t, f.loginAttempts.Load(), "no credentials, no login")
			assert.ErrorIs(t, c.Login(ctx), hvc.ErrNoCredentials)
			assert.Zero(t, f.loginAttempts.Load())
		})
	}

	t.Run("unknown session", func(t *testing.T) {
		t.Parallel()
		f := newFVC(t, fvcConfig{})
		c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID("never-issued"))
		_, err := c.Links.List(context.Background())
		var ue *hvc.UnauthenticatedError
		require.ErrorAs(t, err, &ue)
		assert.Zero(t, f.loginAttempts.Load())
	})
}

// TestSessionLogout: Logout deletes the session on the server with its
// token, forgets it, is idempotent, and a later call logs in again.
func TestSessionLogout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		noAPI bool
		path  string
	}{{"api", false, "/api/session"}, {"rest", true, "/rest/com/vmware/cis/session"}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFVC(t, fvcConfig{noAPI: tt.noAPI})
			c := f.client(t)

			require.NoError(t, c.Logout(ctx), "logout before any login")
			assert.Zero(t, f.Total(), "nothing to delete, nothing sent")

			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			tok := c.SessionID()
			require.NotEmpty(t, tok)

			require.NoError(t, c.Logout(ctx))
			assert.Equal(t, []string{tok}, f.Deleted())
			assert.Equal(t, 1, f.Hits(http.MethodDelete, tt.path))
			assert.False(t, f.Live(tok))
			assert.Empty(t, c.SessionID())

			require.NoError(t, c.Logout(ctx), "second logout")
			assert.Len(t, f.Deleted(), 1)

			_, err = c.Links.List(ctx)
			require.NoError(t, err, "a later call logs in again")
			assert.EqualValues(t, 2, f.logins())
			assert.NotEqual(t, tok, c.SessionID())
		})
	}

	t.Run("server already dropped it", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		f := newFVC(t, fvcConfig{})
		c := f.client(t)
		require.NoError(t, c.Login(ctx))
		f.Expire()
		require.NoError(t, c.Logout(ctx))
		assert.Empty(t, c.SessionID())
	})

	t.Run("session id only", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		f := newFVC(t, fvcConfig{})
		tok := f.Mint()
		c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID(tok))
		require.NoError(t, c.Logout(ctx))
		assert.Equal(t, []string{tok}, f.Deleted())
		assert.False(t, f.Live(tok))
		assert.Empty(t, c.SessionID())
	})
}

// TestSessionLogin: Login logs in at once, settles the flavor, replaces the
// session when called again, and fails typed on bad credentials.
func TestSessionLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{noAPI: true})
	c := f.client(t)

	require.NoError(t, c.Login(ctx))
	first := c.SessionID()
	require.NotEmpty(t, first)
	assert.Equal(t, hvc.FlavorREST, c.Flavor())
	assert.EqualValues(t, 1, f.restLogins.Load())
	assert.Zero(t, f.PrefixHits("/rest/hvc"), "Login calls nothing but the session endpoint")

	require.NoError(t, c.Login(ctx))
	assert.NotEqual(t, first, c.SessionID(), "Login replaces the session")
	assert.EqualValues(t, 2, f.restLogins.Load())

	_, err := c.Links.List(ctx)
	require.NoError(t, err)
	assert.EqualValues(t, 2, f.logins(), "the call reuses the session from Login")
}

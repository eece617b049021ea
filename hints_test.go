package hvc_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestHintForcedAPIOnOldServer: FlavorAPI against a server without /api
// (older than 7.0U2) fails the login with a hint naming the fix.
func TestHintForcedAPIOnOldServer(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{noAPI: true})
	c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	err := c.Login(context.Background())
	require.ErrorIs(t, err, hvc.ErrNotFound)
	for _, want := range []string{"7.0U2", "FlavorAuto", "FlavorREST"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, 1, f.Hits(http.MethodPost, "/api/session"))
	assert.Zero(t, f.PrefixHits("/rest"), "a forced flavor is not second-guessed")
}

// TestHintNoCredentials: a 401 on a client without credentials says it
// cannot log in again and matches ErrNoCredentials as well as
// ErrUnauthenticated.
func TestHintNoCredentials(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionID("expired-session-1"), hvc.WithFlavor(hvc.FlavorAPI))
	_, err := c.Links.List(context.Background())
	require.ErrorIs(t, err, hvc.ErrUnauthenticated)
	require.ErrorIs(t, err, hvc.ErrNoCredentials)
	assert.Contains(t, err.Error(), "no credentials")
	assert.Equal(t, 1, f.Hits(http.MethodGet, "/api/hvc/links"))
	assert.Zero(t, f.loginAttempts.Load())

	// With credentials, a 401 is re-logged in and never carries the hint.
	f.rejectLogins.Store(true)
	wc := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	_, err = wc.Links.List(context.Background())
	require.ErrorIs(t, err, hvc.ErrUnauthenticated)
	assert.False(t, errors.Is(err, hvc.ErrNoCredentials))
}

// TestHintTrustCallbackError: an error from CreateTrusting's callback comes
// back wrapped with the operation and the thumbprint it was asked about.
func TestHintTrustCallbackError(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	f.cfg.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost {
			return false
		}
		fvcAnswer(w, 400, nil, `{"error_type":"UNVERIFIED_PEER","messages":[],"data":{"ssl_thumbprint":"`+foreignTP+`"}}`)
		return true
	}
	c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	refused := errors.New("operator said no")
	_, err := c.Links.CreateTrusting(context.Background(), maskSpec("pw-trust-9", ""), func(hvc.CertificateInfo) (bool, error) {
		return false, refused
	})
	require.ErrorIs(t, err, refused)
	assert.Contains(t, err.Error(), "CreateTrusting")
	assert.Contains(t, err.Error(), foreignTP)
	assert.Equal(t, 1, f.Hits(http.MethodPost, "/api/hvc/links"))
}

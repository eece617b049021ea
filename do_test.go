package hvc_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestDoPOSTNeverResent: a POST through Client.Do whose connection drops
// is sent once, even under a retry policy, and fails with its outcome
// unknown; a GET under the same fault is retried.
func TestDoPOSTNeverResent(t *testing.T) {
	t.Parallel()
	const path = "/api/hvc/widgets"
	f := newFVC(t, fvcConfig{hook: func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path {
			return false
		}
		if r.Method == http.MethodGet && r.URL.Query().Get("n") == "ok" {
			fvcAnswer(w, http.StatusOK, nil, `{"n":1}`)
			return true
		}
		fvcDrop(w)
		return true
	}})
	c := f.client(t, hvc.WithRetry(fvcQuickRetry))
	ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
	defer cancel()
	require.NoError(t, c.Login(ctx))

	err := c.Do(ctx, http.MethodPost, "/hvc/widgets", map[string]string{"name": "w"}, nil)
	var te *hvc.TransportError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, hvc.ErrOutcomeUnknown)
	assert.Equal(t, 1, f.Hits(http.MethodPost, path), "a POST is sent exactly once")
	assert.Contains(t, err.Error(), "POST /hvc/widgets")

	err = c.Do(ctx, http.MethodGet, "/hvc/widgets", nil, nil)
	require.ErrorAs(t, err, &te)
	assert.GreaterOrEqual(t, f.Hits(http.MethodGet, path), fvcQuickRetry.MaxAttempts, "a GET is retried")

	var got struct{ N int }
	require.NoError(t, c.Do(ctx, http.MethodGet, "/hvc/widgets?n=ok", nil, &got))
	assert.Equal(t, 1, got.N)
}

// TestDoFlavors: Do adds the flavor prefix, sends the body as given (no
// {"spec":…} wrapping) and unwraps {"value":…} on /rest only.
func TestDoFlavors(t *testing.T) {
	t.Parallel()
	for _, fl := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			prefix := "/api"
			if fl == hvc.FlavorREST {
				prefix = "/rest"
			}
			var sent []byte
			f := newFVC(t, fvcConfig{hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != prefix+"/hvc/widgets" || r.URL.Query().Get("action") != "make" {
					return false
				}
				sent, _ = io.ReadAll(r.Body)
				fvcResult(w, fl == hvc.FlavorREST, http.StatusOK, `{"id":"w-1"}`)
				return true
			}})
			c := f.client(t, hvc.WithFlavor(fl))
			var out struct{ ID string }
			err := c.Do(context.Background(), http.MethodPost, "/hvc/widgets?action=make", map[string]int{"size": 3}, &out)
			require.NoError(t, err)
			assert.Equal(t, "w-1", out.ID)
			assert.JSONEq(t, `{"size":3}`, string(sent))

			var raw json.RawMessage
			require.NoError(t, c.Do(context.Background(), http.MethodPost, "/hvc/widgets?action=make", nil, &raw))
			assert.JSONEq(t, `{"id":"w-1"}`, string(raw), "unwrapped on /rest, as is on /api")
		})
	}
}

// TestDoTypedErrors: a server error through Do is the same typed error a
// generated method returns, with the flavor-less path, and never shows the
// password; a bad path or method is refused before anything is sent.
func TestDoTypedErrors(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	c := f.client(t)
	ctx := context.Background()

	err := c.Do(ctx, http.MethodGet, "/hvc/links/nope/widget", nil, nil)
	var nf *hvc.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "/hvc/links/nope/widget", nf.Path)
	assert.Equal(t, http.MethodGet, nf.Method)
	assert.NotContains(t, err.Error(), fvcPass)

	before := f.Total()
	for _, tc := range []struct{ method, path string }{
		{"get", "/hvc/links"},
		{"", "/hvc/links"},
		{http.MethodGet, "hvc/links"},
		{http.MethodGet, "https://evil.example/hvc/links"},
		{http.MethodGet, "//evil.example/hvc/links"},
		{http.MethodGet, "/api/hvc/links"},
		{http.MethodGet, "/rest/hvc/links"},
		{http.MethodGet, "/hvc/links#frag"},
	} {
		err := c.Do(ctx, tc.method, tc.path, nil, nil)
		assert.ErrorIs(t, err, hvc.ErrInvalidArgument, "%s %s", tc.method, tc.path)
	}
	assert.Equal(t, before, f.Total(), "nothing sent for refused calls")

	var nilClient *hvc.Client
	assert.True(t, errors.Is(nilClient.Do(ctx, http.MethodGet, "/hvc/links", nil, nil), hvc.ErrNotInitialized))
}

// TestDoRelogin: a Do call whose session expired logs in again once, shared
// with concurrent calls, and resends; on /rest a server error is typed too.
func TestDoRelogin(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{noAPI: true})
	c := f.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
	defer cancel()
	var links []struct{ Link string }
	require.NoError(t, c.Do(ctx, http.MethodGet, "/hvc/links", nil, &links))
	require.Equal(t, hvc.FlavorREST, c.Flavor())
	require.Len(t, links, 1)
	assert.Equal(t, "link-1", links[0].Link, "unwrapped from {\"value\":…}")

	f.Expire()
	before := f.logins()
	errs := make(chan error, 16)
	for range cap(errs) {
		go func() { errs <- c.Do(ctx, http.MethodGet, "/hvc/links", nil, nil) }()
	}
	for range cap(errs) {
		assert.NoError(t, <-errs)
	}
	assert.Equal(t, before+1, f.logins(), "one shared re-login")

	err := c.Do(ctx, http.MethodGet, "/hvc/nothing-here", nil, nil)
	var nf *hvc.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, "/hvc/nothing-here", nf.Path)
}

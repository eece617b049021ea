package hvc_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// TestSessionSource: a client WithSessionSource takes its session from the
// source lazily, from Login, and again (once for all goroutines) when the
// server answers 401; it never sends Basic credentials.
func TestSessionSource(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	var calls atomic.Int64
	source := func(ctx context.Context) (string, error) {
		calls.Add(1)
		time.Sleep(20 * time.Millisecond) // long enough for the callers to pile up
		return f.Mint(), nil
	}
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionSource(source), hvc.WithFlavor(hvc.FlavorAPI))
	ctx := context.Background()

	run := func(n int) {
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.Links.List(ctx)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
	}
	run(8)
	assert.EqualValues(t, 1, calls.Load(), "one source call for 8 lazy callers")
	first := c.SessionID()
	assert.True(t, f.Live(first))

	f.Expire()
	run(8)
	assert.EqualValues(t, 2, calls.Load(), "one source call for 8 callers after expiry")
	assert.NotEqual(t, first, c.SessionID())

	require.NoError(t, c.Login(ctx))
	assert.EqualValues(t, 3, calls.Load())
	assert.Zero(t, f.loginAttempts.Load(), "no Basic login")
	assert.Equal(t, 16, f.Hits(http.MethodGet, "/api/hvc/links")-8, "each expired caller resent once")
}

// TestSessionSourceFailures: a source error, a bad id and a panic fail the
// call with an error naming the login (Op Session.Create) and send nothing; a caller that gives up does not
// cancel the source for the others.
func TestSessionSourceFailures(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	vaultDown := errors.New("vault sealed")
	for name, source := range map[string]func(context.Context) (string, error){
		"error":  func(context.Context) (string, error) { return "", vaultDown },
		"bad id": func(context.Context) (string, error) { return "sess\r\nX: 1", nil },
		"panic":  func(context.Context) (string, error) { panic("boom") },
	} {
		c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionSource(source), hvc.WithFlavor(hvc.FlavorAPI))
		_, err := c.Links.List(context.Background())
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "WithSessionSource", name)
		// The source stands for the login: its failure names Session.Create
		// like a failed Basic login does, and keeps the source's error.
		assert.True(t, strings.HasPrefix(err.Error(), "hvc: POST /session: "), "%s: %q", name, err)
		if name == "bad id" {
			var std *hvc.StdError
			require.ErrorAs(t, err, &std, name)
			assert.ErrorIs(t, err, hvc.ErrInvalidArgument)
			assert.Equal(t, "Session.Create", std.Op)
			assert.NotContains(t, err.Error(), "sess\r\nX", "the id is not quoted")
			continue
		}
		var te *hvc.TransportError
		require.ErrorAs(t, err, &te, name)
		assert.Equal(t, "Session.Create", te.Op, name)
		if name == "error" {
			assert.ErrorIs(t, err, vaultDown)
		}
	}
	assert.Zero(t, f.Total(), "nothing sent without a session")

	_, err := hvc.New(f.URL, hvc.WithSessionSource(f.Mint2), hvc.WithCredentials("u", "p"))
	require.Error(t, err)
	_, err = hvc.New(f.URL, hvc.WithSessionSource(nil))
	require.Error(t, err)

	// Auto flavor: the source does not tell the flavor, one probe does.
	legacyVC := newFVC(t, fvcConfig{noAPI: true})
	c := fvcNew(t, legacyVC.URL, hvc.WithRootCAs(legacyVC.pool()), hvc.WithSessionSource(legacyVC.Mint2))
	_, err = c.Links.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, hvc.FlavorREST, c.Flavor())
	assert.Equal(t, 1, legacyVC.Hits(http.MethodGet, "/api/session"))
}

// TestSessionSourceDetached: the source runs on a context detached from
// the caller that triggered it, so that caller giving up does not fail the
// others waiting for the same session.
func TestSessionSourceDetached(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	var calls atomic.Int64
	started := make(chan struct{})
	source := func(ctx context.Context) (string, error) {
		calls.Add(1)
		close(started)
		select {
		case <-time.After(100 * time.Millisecond):
			return f.Mint(), nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionSource(source), hvc.WithFlavor(hvc.FlavorAPI))
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Links.List(first)
		firstErr <- err
	}()
	<-started
	secondErr := make(chan error, 1)
	go func() {
		_, err := c.Links.List(context.Background())
		secondErr <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	require.ErrorIs(t, <-firstErr, context.Canceled)
	require.NoError(t, <-secondErr)
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, 1, f.Hits(http.MethodGet, "/api/hvc/links"))
}

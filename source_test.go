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
// server answers 401; it never sends Basic credentials. The first two
// source calls are held until all 8 callers need the session (waiting on
// the lazy login; answered 401), so the callers always pile up on one call.
func TestSessionSource(t *testing.T) {
	t.Parallel()
	const callers = 8
	waiting := make(chan struct{}, callers) // a caller needs the session
	f := newFVC(t, fvcConfig{refused: func(*http.Request) { waiting <- struct{}{} }})
	var calls atomic.Int64
	source := func(ctx context.Context) (string, error) {
		if calls.Add(1) <= 2 {
			guard := time.After(fvcHangGuard)
			for range callers {
				select {
				case <-waiting:
				case <-guard:
					return "", errors.New("the callers did not pile up")
				}
			}
		}
		return f.Mint(), nil
	}
	c := fvcNew(t, f.URL, hvc.WithRootCAs(f.pool()), hvc.WithSessionSource(source), hvc.WithFlavor(hvc.FlavorAPI))
	ctx := context.Background()

	run := func(ctx func() context.Context) {
		var wg sync.WaitGroup
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.Links.List(ctx())
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
	}
	// Lazy: nothing is sent before the session, so a caller reports when
	// it waits on the login.
	run(func() context.Context { return newWaitingCtx(waiting) })
	assert.EqualValues(t, 1, calls.Load(), "one source call for 8 lazy callers")
	first := c.SessionID()
	assert.True(t, f.Live(first))

	f.Expire()
	run(func() context.Context { return ctx }) // each 401 reports
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
// others waiting for the same session. The source returns only once a
// second caller waits on it and the first has given up.
func TestSessionSourceDetached(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	var calls atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	source := func(ctx context.Context) (string, error) {
		calls.Add(1)
		close(started)
		select {
		case <-release:
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
	receiveN(t, started, 1, "source call")
	waiting := make(chan struct{}, 1)
	secondErr := make(chan error, 1)
	go func() {
		_, err := c.Links.List(newWaitingCtx(waiting))
		secondErr <- err
	}()
	receiveN(t, waiting, 1, "second caller waiting on the source")
	cancel()
	require.ErrorIs(t, <-firstErr, context.Canceled)
	close(release)
	require.NoError(t, <-secondErr)
	assert.EqualValues(t, 1, calls.Load())
	assert.Equal(t, 1, f.Hits(http.MethodGet, "/api/hvc/links"))
}

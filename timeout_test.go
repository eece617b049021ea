package hvc_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// deadlineRecorder records, per request path, whether the request's context
// had a deadline and how far off it was.
type deadlineRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen map[string]time.Duration // path → time left; -1 for no deadline
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	left := time.Duration(-1)
	if dl, ok := r.Context().Deadline(); ok {
		left = time.Until(dl)
	}
	d.mu.Lock()
	d.seen[r.Method+" "+r.URL.Path] = left
	d.mu.Unlock()
	return d.next.RoundTrip(r)
}

// TestTimeoutZeroNoCap: WithTimeout(0) sends a call under the caller's
// context alone (no deadline when it has none, its own when it has one),
// while the shared login stays bounded by DefaultTimeout; the default
// client caps every request.
func TestTimeoutZeroNoCap(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	newClient := func(opts ...hvc.Option) (*hvc.Client, *deadlineRecorder) {
		rec := &deadlineRecorder{next: f.Client().Transport, seen: map[string]time.Duration{}}
		all := append([]hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: rec}),
			hvc.WithCredentials(fvcUser, fvcPass), hvc.WithFlavor(hvc.FlavorAPI)}, opts...)
		return fvcNew(t, f.URL, all...), rec
	}

	c, rec := newClient(hvc.WithTimeout(0))
	_, err := c.Links.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, time.Duration(-1), rec.seen["GET /api/hvc/links"], "no per-request deadline")
	login := rec.seen["POST /api/session"]
	assert.Greater(t, login, time.Duration(0), "the shared login is still bounded")
	assert.LessOrEqual(t, login, hvc.DefaultTimeout)

	ctx, cancel := context.WithTimeout(context.Background(), 3*hvc.DefaultTimeout)
	defer cancel()
	_, err = c.Links.List(ctx)
	require.NoError(t, err)
	assert.Greater(t, rec.seen["GET /api/hvc/links"], 2*hvc.DefaultTimeout, "the caller's deadline, not a cap")

	d, drec := newClient()
	_, err = d.Links.List(ctx)
	require.NoError(t, err)
	left := drec.seen["GET /api/hvc/links"]
	assert.Greater(t, left, time.Duration(0))
	assert.LessOrEqual(t, left, hvc.DefaultTimeout, "the default caps a request")
}

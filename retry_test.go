package hvc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// fvcQuickRetry retries fast enough for tests.
var fvcQuickRetry = hvc.RetryPolicy{MaxAttempts: 5, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// fvcHangGuard bounds a test that would otherwise hang on a regression; it is
// not a speed assertion.
const fvcHangGuard = 30 * time.Second

// fvcAnswer writes a canned reply.
func fvcAnswer(w http.ResponseWriter, status int, header map[string]string, body string) {
	for k, v := range header {
		w.Header().Set(k, v)
	}
	if body != "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fvcIsA reports whether err has a T in its chain (a fresh target per
// call, so parallel subtests sharing a table entry never share it).
func fvcIsA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// fvcDrop closes the connection without any response.
func fvcDrop(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

const fvcUnavailable = `{"error_type":"SERVICE_UNAVAILABLE","messages":[{"id":"x","default_message":"try later","args":[]}]}`

// fvcOn returns a hook that hands the n-th (1-based) request with
// method and path to reply; reply returns false to let the fake answer.
func fvcOn(method, path string, reply func(n int, w http.ResponseWriter) bool) func(http.ResponseWriter, *http.Request) bool {
	var count atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != method || r.URL.Path != path {
			return false
		}
		return reply(int(count.Add(1)), w)
	}
}

// TestRetryIdempotent: GET and DELETE are retried on 503, 429 and a
// SERVICE_UNAVAILABLE body, up to MaxAttempts, and on nothing else.
func TestRetryIdempotent(t *testing.T) {
	t.Parallel()
	failFirst := func(k int, status int, header map[string]string, body string) func(int, http.ResponseWriter) bool {
		return func(n int, w http.ResponseWriter) bool {
			if n > k {
				return false
			}
			fvcAnswer(w, status, header, body)
			return true
		}
	}
	const always = 1 << 30
	tests := []struct {
		name     string
		delete   bool // Links.Delete instead of Links.List
		policy   *hvc.RetryPolicy
		reply    func(int, http.ResponseWriter) bool
		wantHits int
		wantErr  func(error) bool // errors.As check; nil for success
	}{
		{name: "503 then success", policy: &fvcQuickRetry, reply: failFirst(2, 503, nil, fvcUnavailable), wantHits: 3},
		{name: "503 plain body then success", policy: &fvcQuickRetry, reply: failFirst(2, 503, nil, ""), wantHits: 3},
		{name: "SERVICE_UNAVAILABLE with 500", policy: &fvcQuickRetry, reply: failFirst(2, 500, nil, fvcUnavailable), wantHits: 3},
		{name: "legacy SERVICE_UNAVAILABLE with 400", policy: &fvcQuickRetry,
			reply: failFirst(1, 400, nil, `{"type":"com.vmware.vapi.std.errors.service_unavailable","value":{"messages":[]}}`), wantHits: 2},
		{name: "429 then success", policy: &fvcQuickRetry, reply: failFirst(3, 429, map[string]string{"Retry-After": "0"}, ""), wantHits: 4},
		{name: "DELETE 503 then success", delete: true, policy: &fvcQuickRetry, reply: func(n int, w http.ResponseWriter) bool {
			if n <= 2 {
				fvcAnswer(w, 503, nil, fvcUnavailable)
			} else {
				fvcAnswer(w, 204, nil, "")
			}
			return true
		}, wantHits: 3},
		{name: "stops at MaxAttempts", policy: &fvcQuickRetry, reply: failFirst(always, 503, nil, fvcUnavailable),
			wantHits: fvcQuickRetry.MaxAttempts, wantErr: fvcIsA[*hvc.ServiceUnavailableError]},
		{name: "MaxAttempts 1 means no retry", policy: &hvc.RetryPolicy{MaxAttempts: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond},
			reply: failFirst(always, 503, nil, fvcUnavailable), wantHits: 1, wantErr: fvcIsA[*hvc.ServiceUnavailableError]},
		{name: "no policy, no retry", reply: failFirst(always, 503, nil, fvcUnavailable), wantHits: 1, wantErr: fvcIsA[*hvc.ServiceUnavailableError]},
		{name: "DELETE stops at MaxAttempts", delete: true, policy: &fvcQuickRetry, reply: failFirst(always, 429, nil, ""),
			wantHits: fvcQuickRetry.MaxAttempts, wantErr: fvcIsA[*hvc.StdError]},
		{name: "500 INTERNAL_SERVER_ERROR is not retried", policy: &fvcQuickRetry,
			reply: failFirst(always, 500, nil, `{"error_type":"INTERNAL_SERVER_ERROR","messages":[]}`), wantHits: 1, wantErr: fvcIsA[*hvc.InternalServerError]},
		{name: "404 is not retried", delete: true, policy: &fvcQuickRetry,
			reply: failFirst(always, 404, nil, `{"error_type":"NOT_FOUND","messages":[]}`), wantHits: 1, wantErr: fvcIsA[*hvc.NotFoundError]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method, path := http.MethodGet, "/api/hvc/links"
			if tt.delete {
				method, path = http.MethodDelete, "/api/hvc/links/link-1"
			}
			f := newFVC(t, fvcConfig{hook: fvcOn(method, path, tt.reply)})
			var opts []hvc.Option
			if tt.policy != nil {
				opts = append(opts, hvc.WithRetry(*tt.policy))
			}
			c := f.client(t, opts...)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()

			var err error
			if tt.delete {
				err = c.Links.Delete(ctx, "link-1")
			} else {
				_, err = c.Links.List(ctx)
			}
			assert.Equal(t, tt.wantHits, f.Hits(method, path))
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.True(t, tt.wantErr(err), "unexpected error %v", err)
			assert.EqualValues(t, 1, f.logins(), "retries reuse the session")
		})
	}
}

// recordWaits makes c's retry backoffs return at once (with ctx's cause
// when ctx is done) and returns a function that reports the waits the
// policy asked for, so tests check backoffs without sleeping.
func recordWaits(c *hvc.Client) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	hvc.SetRetryWait(c, func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return context.Cause(ctx)
	})
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(waits)
	}
}

// TestRetryAfter: Retry-After is honoured (seconds and HTTP date) and capped
// by MaxBackoff.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		retryAfter      func() string
		maxBackoff      time.Duration
		atLeast, atMost time.Duration
	}{
		{"seconds", func() string { return "1" }, 5 * time.Second, time.Second, time.Second},
		// An HTTP date has whole seconds: 2 s from now is 1–2 s away.
		{"HTTP date", func() string { return time.Now().Add(2 * time.Second).UTC().Format(http.TimeFormat) }, 5 * time.Second, 900 * time.Millisecond, 2 * time.Second},
		{"capped by MaxBackoff", func() string { return "3600" }, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{hook: fvcOn(http.MethodGet, "/api/hvc/links", func(n int, w http.ResponseWriter) bool {
				if n > 1 {
					return false
				}
				fvcAnswer(w, http.StatusTooManyRequests, map[string]string{"Retry-After": tt.retryAfter()}, "")
				return true
			})})
			c := f.client(t, hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 2, MinBackoff: time.Millisecond, MaxBackoff: tt.maxBackoff}))
			waits := recordWaits(c)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()
			require.NoError(t, c.Login(ctx))

			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			assert.Equal(t, 2, f.Hits(http.MethodGet, "/api/hvc/links"))
			got := waits()
			require.Len(t, got, 1, "one wait between two attempts")
			assert.GreaterOrEqual(t, got[0], tt.atLeast, "Retry-After must be waited for")
			assert.LessOrEqual(t, got[0], tt.atMost)
		})
	}
}

// TestRetryStopsOnCancel: a context cancelled during the backoff ends the
// call at once with the context's error and no further attempt.
func TestRetryStopsOnCancel(t *testing.T) {
	t.Parallel()
	for _, cause := range []string{"cancel", "deadline"} {
		t.Run(cause, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{hook: fvcOn(http.MethodGet, "/api/hvc/links", func(_ int, w http.ResponseWriter) bool {
				fvcAnswer(w, http.StatusServiceUnavailable, map[string]string{"Retry-After": "60"}, fvcUnavailable)
				return true
			})})
			c := f.client(t, hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 10, MinBackoff: time.Minute, MaxBackoff: 2 * time.Minute}))
			// The real wait, announced: the server having answered does not
			// mean the client has read the answer and started backing off.
			backingOff := make(chan struct{})
			var once sync.Once
			hvc.SetRetryWait(c, func(ctx context.Context, d time.Duration) error {
				once.Do(func() { close(backingOff) })
				return hvc.SleepCtx(ctx, d)
			})
			require.NoError(t, c.Login(context.Background()))

			var ctx context.Context
			var cancel context.CancelFunc
			if cause == "cancel" {
				ctx, cancel = context.WithCancel(context.Background())
			} else {
				ctx, cancel = context.WithTimeout(context.Background(), 500*time.Millisecond)
			}
			defer cancel()
			done := make(chan error, 1)
			go func() {
				_, err := c.Links.List(ctx)
				done <- err
			}()
			if cause == "cancel" {
				<-backingOff
				cancel()
			}
			select {
			case err := <-done:
				require.Error(t, err)
				if cause == "cancel" {
					assert.ErrorIs(t, err, context.Canceled)
				} else {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				}
				var te *hvc.TransportError
				assert.ErrorAs(t, err, &te)
			case <-time.After(fvcHangGuard):
				t.Fatal("List kept waiting after its context ended")
			}
			assert.Equal(t, 1, f.Hits(http.MethodGet, "/api/hvc/links"))
		})
	}
}

// TestRetryNeverPOST: POSTs are sent exactly once whatever happens; a
// dropped connection makes their outcome unknown.
func TestRetryNeverPOST(t *testing.T) {
	t.Parallel()
	var posts []opCase
	for _, tc := range operations {
		if !tc.op.Idempotent {
			posts = append(posts, tc)
		}
	}
	require.NotEmpty(t, posts, "the table has POST operations")
	faults := []struct {
		name    string
		reply   func(w http.ResponseWriter)
		unknown bool
		wantErr func(error) bool // errors.As check; nil for success
	}{
		{"503", func(w http.ResponseWriter) { fvcAnswer(w, 503, nil, fvcUnavailable) }, false, fvcIsA[*hvc.ServiceUnavailableError]},
		{"429", func(w http.ResponseWriter) { fvcAnswer(w, 429, map[string]string{"Retry-After": "0"}, "") }, false, fvcIsA[*hvc.StdError]},
		{"SERVICE_UNAVAILABLE with 500", func(w http.ResponseWriter) { fvcAnswer(w, 500, nil, fvcUnavailable) }, false, fvcIsA[*hvc.ServiceUnavailableError]},
		{"dropped connection", fvcDrop, true, fvcIsA[*hvc.TransportError]},
	}
	for _, op := range posts {
		path := "/api" + op.path(t, "link-1", "p1")
		for _, fault := range faults {
			t.Run(op.name()+"/"+fault.name, func(t *testing.T) {
				t.Parallel()
				f := newFVC(t, fvcConfig{hook: fvcOn(http.MethodPost, path, func(_ int, w http.ResponseWriter) bool {
					fault.reply(w)
					return true
				})})
				c := f.client(t, hvc.WithRetry(fvcQuickRetry))
				ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
				defer cancel()
				require.NoError(t, c.Login(ctx))

				err := op.call(ctx, c, "link-1", "p1")
				require.True(t, fault.wantErr(err), "unexpected error %v", err)
				assert.Equal(t, 1, f.Hits(http.MethodPost, path), "a POST is sent exactly once")
				assert.Equal(t, fault.unknown, errors.Is(err, hvc.ErrOutcomeUnknown), "%v", err)
				assert.NotContains(t, err.Error(), tableSecret)
				assert.NotContains(t, err.Error(), fvcPass)
			})
		}
	}
}

// TestRetryDroppedGET: a GET whose connection drops is retried under the
// policy (its outcome is never "unknown"), and fails as a transport error
// without one.
func TestRetryDroppedGET(t *testing.T) {
	t.Parallel()
	for _, withRetry := range []bool{true, false} {
		t.Run("retry="+strconv.FormatBool(withRetry), func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{hook: fvcOn(http.MethodGet, "/api/hvc/links", func(n int, w http.ResponseWriter) bool {
				if withRetry && n > 2 {
					return false
				}
				fvcDrop(w)
				return true
			})})
			var opts []hvc.Option
			if withRetry {
				opts = append(opts, hvc.WithRetry(fvcQuickRetry))
			}
			c := f.client(t, opts...)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()
			_, err := c.Links.List(ctx)
			if withRetry {
				require.NoError(t, err)
				// net/http may itself resend a GET once on a reused
				// connection, so only a lower bound is exact.
				assert.GreaterOrEqual(t, f.Hits(http.MethodGet, "/api/hvc/links"), 3)
				return
			}
			var te *hvc.TransportError
			require.ErrorAs(t, err, &te)
			assert.False(t, te.OutcomeUnknown)
			assert.NotErrorIs(t, err, hvc.ErrOutcomeUnknown)
		})
	}
}

// TestRetryRequestTimeout: a per-request timeout (WithTimeout) is a
// transport error: retried for a GET, never for a POST, whose outcome is
// then unknown.
func TestRetryRequestTimeout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		method string
		path   string
		call   func(context.Context, *hvc.Client) error
	}{
		{"GET", http.MethodGet, "/api/hvc/links", func(ctx context.Context, c *hvc.Client) error {
			_, err := c.Links.List(ctx)
			return err
		}},
		{"POST", http.MethodPost, fvcProviderPath, func(ctx context.Context, c *hvc.Client) error {
			return c.SyncProviders.Start(ctx, "link-1", "p1", nil)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stall := func(n int, w http.ResponseWriter, r *http.Request) bool {
				if n > 1 {
					return false
				}
				// Drain the body first: net/http notices a client that
				// hangs up only once the request body has been read.
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done() // stall until the client gives up
				// Then answer nothing: ErrAbortHandler closes the connection
				// without a response. Returning would send an empty 200,
				// which can reach the client while it is still tearing the
				// connection down; net/http then returns that response, and
				// the POST succeeded (1 run in 30-80 under -race on a loaded
				// machine, with one request served).
				panic(http.ErrAbortHandler)
			}
			var count atomic.Int64
			f := newFVC(t, fvcConfig{hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != tt.method || r.URL.Path != tt.path {
					return false
				}
				return stall(int(count.Add(1)), w, r)
			}})
			// The per-request timeout also bounds the TLS login: 1 s leaves room
			// for a loaded machine under -race.
			c := f.client(t, hvc.WithRetry(fvcQuickRetry), hvc.WithTimeout(time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()
			require.NoError(t, c.Login(ctx))

			err := tt.call(ctx, c)
			if tt.method == http.MethodGet {
				require.NoError(t, err)
				assert.Equal(t, 2, f.Hits(tt.method, tt.path))
				return
			}
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, hvc.ErrOutcomeUnknown)
			assert.Equal(t, 1, f.Hits(tt.method, tt.path))
		})
	}
}

// TestRetryInvalidPolicy: New rejects a policy it cannot follow.
func TestRetryInvalidPolicy(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name  string
		p     hvc.RetryPolicy
		valid bool
	}{
		{"zero value", hvc.RetryPolicy{}, false},
		{"zero attempts", hvc.RetryPolicy{MaxAttempts: 0, MinBackoff: ms, MaxBackoff: ms}, false},
		{"negative attempts", hvc.RetryPolicy{MaxAttempts: -1, MinBackoff: ms, MaxBackoff: ms}, false},
		{"zero min backoff", hvc.RetryPolicy{MaxAttempts: 3, MaxBackoff: ms}, false},
		{"negative min backoff", hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: -ms, MaxBackoff: ms}, false},
		{"max below min", hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: 2 * ms, MaxBackoff: ms}, false},
		{"zero max backoff", hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: ms}, false},
		{"one attempt", hvc.RetryPolicy{MaxAttempts: 1, MinBackoff: ms, MaxBackoff: ms}, true},
		{"equal backoffs", hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: ms, MaxBackoff: ms}, true},
		{"typical", hvc.RetryPolicy{MaxAttempts: 4, MinBackoff: 100 * ms, MaxBackoff: 5 * time.Second}, true},
		{"huge attempts", hvc.RetryPolicy{MaxAttempts: 1 << 30, MinBackoff: ms, MaxBackoff: time.Hour}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *hvc.Client
			var err error
			require.NotPanics(t, func() { c, err = hvc.New("https://vc.example", hvc.WithRetry(tt.p)) })
			if tt.valid {
				require.NoError(t, err)
				c.CloseIdleConnections()
				return
			}
			assert.Error(t, err)
			assert.Nil(t, c)
		})
	}
}

// TestRetryDeleteAlreadyApplied: under WithRetry, a DELETE whose earlier
// attempt may have been applied (the server deleted the link, then the
// connection dropped before the reply) reports success when the retry
// finds the link gone (404 NOT_FOUND). Without such an earlier attempt a
// 404 stays a *NotFoundError, and without WithRetry nothing is resent.
// Before the fix the first case returned *NotFoundError.
func TestRetryDeleteAlreadyApplied(t *testing.T) {
	t.Parallel()
	const linkPath = "/api/hvc/links/link-1"
	cases := []struct {
		name string
		// first answers the first DELETE, after the link was deleted when
		// applied is true.
		first   func(w http.ResponseWriter)
		applied bool
		absent  bool // the link does not exist to begin with
		retry   bool
		want    func(t *testing.T, err error)
		deletes int
	}{
		{"applied, then dropped", fvcDrop, true, false, true,
			func(t *testing.T, err error) { assert.NoError(t, err) }, 2},
		{"applied, then a proxy's 503", func(w http.ResponseWriter) { fvcAnswer(w, 503, nil, "") }, true, false, true,
			func(t *testing.T, err error) { assert.NoError(t, err) }, 2},
		{"not found at once", nil, false, true, true,
			func(t *testing.T, err error) { assert.True(t, fvcIsA[*hvc.NotFoundError](err), "%v", err) }, 1},
		{"429, then not found", func(w http.ResponseWriter) { fvcAnswer(w, 429, nil, "") }, false, true, true,
			func(t *testing.T, err error) { assert.True(t, fvcIsA[*hvc.NotFoundError](err), "%v", err) }, 2},
		{"dropped without retry", fvcDrop, true, false, false,
			func(t *testing.T, err error) { assert.True(t, fvcIsA[*hvc.TransportError](err), "%v", err) }, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var deletes atomic.Int64
			var gone atomic.Bool
			gone.Store(tc.absent)
			f := newFVC(t, fvcConfig{hook: func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodDelete || r.URL.Path != linkPath {
					return false
				}
				if deletes.Add(1) == 1 && tc.first != nil {
					if tc.applied {
						gone.Store(true)
					}
					tc.first(w)
					return true
				}
				if gone.Load() {
					fvcError(w, false, http.StatusNotFound, "NOT_FOUND")
					return true
				}
				gone.Store(true)
				w.WriteHeader(http.StatusNoContent)
				return true
			}})
			opts := []hvc.Option{hvc.WithFlavor(hvc.FlavorAPI)}
			if tc.retry {
				opts = append(opts, hvc.WithRetry(fvcQuickRetry))
			}
			c := f.client(t, opts...)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()
			err := c.Links.Delete(ctx, "link-1")
			t.Logf("%s: %d DELETEs received, err=%v", tc.name, deletes.Load(), err)
			tc.want(t, err)
			assert.EqualValues(t, tc.deletes, deletes.Load())
			assert.True(t, gone.Load())
		})
	}
}

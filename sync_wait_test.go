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

// fakeClock is a clock that moves only when Wait sleeps on it.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
	f.sleeps = append(f.sleeps, d)
	return nil
}

// waitOnFakeClock runs Wait for a sync that completes syncFor after Wait
// starts, on a fake clock, and returns how late Wait saw the completion
// and how many GETs it sent.
func waitOnFakeClock(t testing.TB, syncFor, interval time.Duration) (late time.Duration, gets int, sleeps []time.Duration) {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	done := clk.now().Add(syncFor)
	f := newFVC(t, fvcConfig{hook: func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != fvcProviderPath {
			return false
		}
		if clk.now().Before(done) {
			fvcResult(w, false, http.StatusOK, fvcSession("CHANGE_APPLICATION", 1, 2, ""))
		} else {
			fvcResult(w, false, http.StatusOK, fvcSession("COMPLETED", 2, 2, ""))
		}
		return true
	}})
	c := f.client(t, hvc.WithFlavor(hvc.FlavorAPI))
	hvc.SetPollClock(c, clk.now, clk.sleep)
	ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
	defer cancel()
	info, err := c.SyncProviders.Wait(ctx, "link-1", "p1", hvc.WaitOptions{PollInterval: interval})
	require.NoError(t, err)
	require.Equal(t, hvc.SyncStageCompleted, info.CurrentSessionInfo.Stage)
	return clk.now().Sub(done), f.Hits(http.MethodGet, fvcProviderPath), clk.sleeps
}

// TestWaitAdaptivePolling: with the default WaitOptions, Wait sees a sync
// end within max(MinPollInterval, 10 % of its duration), never waits more
// than MaxPollInterval between polls, and a long sync costs fewer GETs than
// the fixed 2 s interval (which an explicit PollInterval still gives),
// all on a fake clock.
func TestWaitAdaptivePolling(t *testing.T) {
	t.Parallel()
	for _, syncFor := range []time.Duration{0, 300 * time.Millisecond, time.Second, 5 * time.Second,
		30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour} {
		t.Run(syncFor.String(), func(t *testing.T) {
			t.Parallel()
			late, gets, sleeps := waitOnFakeClock(t, syncFor, 0)
			fixedLate, fixedGets, fixedSleeps := waitOnFakeClock(t, syncFor, hvc.DefaultPollInterval)
			t.Logf("sync %v: adaptive seen %v late with %d GETs; fixed 2 s seen %v late with %d GETs",
				syncFor, late, gets, fixedLate, fixedGets)

			assert.LessOrEqual(t, late, max(hvc.MinPollInterval, syncFor/10), "seen promptly")
			for _, d := range sleeps {
				assert.GreaterOrEqual(t, d, hvc.MinPollInterval)
				assert.LessOrEqual(t, d, hvc.MaxPollInterval)
			}
			for _, d := range fixedSleeps {
				assert.Equal(t, hvc.DefaultPollInterval, d, "an explicit interval is honoured")
			}
			if syncFor >= 5*time.Minute {
				assert.Less(t, gets, fixedGets, "a long sync costs fewer GETs")
			}
		})
	}
}

// BenchmarkWaitPolling reports, per sync duration on a fake clock, how late
// Wait sees the end (late-ms) and how many GETs it sends (GETs), adaptive
// (the default WaitOptions) against the fixed 2 s interval.
func BenchmarkWaitPolling(b *testing.B) {
	for _, syncFor := range []time.Duration{300 * time.Millisecond, 5 * time.Second, 2 * time.Minute, 10 * time.Minute} {
		for _, mode := range []struct {
			name     string
			interval time.Duration
		}{{"adaptive", 0}, {"fixed2s", hvc.DefaultPollInterval}} {
			b.Run(syncFor.String()+"/"+mode.name, func(b *testing.B) {
				var late time.Duration
				var gets int
				for b.Loop() {
					late, gets, _ = waitOnFakeClock(b, syncFor, mode.interval)
				}
				b.ReportMetric(float64(late)/float64(time.Millisecond), "late-ms")
				b.ReportMetric(float64(gets), "GETs")
			})
		}
	}
}

package simulator_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hvcsdk/hvc/simulator"
)

// liveHeap is the heap in use after a full collection.
func liveHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestSessionMemory: 10,000 logins, then idle expiry on the server's clock.
// The expired sessions are swept, whether by Advance or, when the clock
// moved by itself, by the next login; SessionCount counts live sessions
// only, and the heap goes back to within 1 MiB of where it started (the
// sessions took 2 MiB). It logs the live heap each session costs.
func TestSessionMemory(t *testing.T) { //nolint:paralleltest // measures the process-wide heap
	const logins = 10_000
	for _, advance := range []bool{true, false} { //nolint:paralleltest // one heap measurement at a time
		name := map[bool]string{true: "Advance sweeps", false: "the next login sweeps"}[advance]
		t.Run(name, func(t *testing.T) {
			var offset atomic.Int64 // the clock's own movement
			clock := func() time.Time { return time.Unix(1_900_000_000, 0).Add(time.Duration(offset.Load())) }
			sim := simulator.Run(t, simulator.WithIdleTimeout(30*time.Minute), simulator.WithClock(clock))
			w := newWire(t, sim)
			w.admin(t, apiFlavor) // the connection and the server's lazily built state
			sim.Advance(time.Hour)
			sim.ResetRequests() // the log is bounded and measured on its own
			start := liveHeap()
			for range logins {
				w.admin(t, apiFlavor)
			}
			assert.Equal(t, logins, sim.SessionCount(), "the warm-up session, expired, is still counted")
			sim.ResetRequests()
			full := liveHeap()
			t.Logf("live heap per session: %d B (%d sessions: %.2f MiB)", (full-start)/logins, logins, float64(full-start)/(1<<20))

			sim.Advance(29 * time.Minute)
			assert.Equal(t, logins, sim.SessionCount(), "sessions idle less than the timeout were swept")
			live := 0
			if advance {
				sim.Advance(time.Minute + time.Second)
			} else {
				// Expired, and a quarter idle timeout after the last
				// sweep (SessionCount's, above): the next login sweeps.
				offset.Add(int64(30*time.Minute/4 + time.Second))
				w.admin(t, apiFlavor)
				live = 1
			}
			sim.ResetRequests()
			after := liveHeap() // before SessionCount, which sweeps too
			assert.Equal(t, live, sim.SessionCount(), "expired sessions are still counted")
			t.Logf("live heap after idle expiry: %+d B from the start", after-start)
			assert.Less(t, after-start, int64(1<<20), "the expired sessions' memory was not freed")
		})
	}
}

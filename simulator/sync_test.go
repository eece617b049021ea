package simulator_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

var stageOrder = []string{"CHANGE_DETECTION", "CHANGE_ENUMERATION", "CHANGE_APPLICATION", "COMPLETED"}

func (x fixture) start(t *testing.T, provider string) response {
	t.Helper()
	return x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync/providers/"+provider+"?action=start", nil)
}

func (x fixture) provider(t *testing.T, provider string) providerInfo {
	t.Helper()
	resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers/"+provider, nil)
	require.Equal(t, http.StatusOK, resp.status, "%s", resp)
	info := decode[providerInfo](t, x.f, resp)
	require.NotNil(t, info.PollingIntervalInSeconds, "polling_interval_in_seconds is required")
	if s := info.CurrentSessionInfo; s != nil {
		require.NotNil(t, s.CompletedWork, "completed_work is required")
		require.NotNil(t, s.TotalWork, "total_work is required")
		requireTime(t, s.StartTime, "start_time")
		assert.LessOrEqual(t, *s.CompletedWork, *s.TotalWork)
		assert.GreaterOrEqual(t, *s.CompletedWork, int64(0))
		settled := s.Stage == "COMPLETED" || s.Stage == "FAILED"
		assert.Equal(t, settled, s.CompletionTime != nil, "completion_time is set exactly when the stage is %s", s.Stage)
		assert.Equal(t, s.Stage == "FAILED", s.Exception != nil, "exception is set exactly when the stage is FAILED")
	}
	assert.Equal(t, info.Status == "FAILED", info.StatusMessage != nil, "status_message is set exactly when status is FAILED")
	return info
}

func requireBusy(t *testing.T, x fixture, provider string) {
	t.Helper()
	e := requireError(t, x.f, x.start(t, provider), http.StatusInternalServerError, "RESOURCE_BUSY")
	assert.Equal(t, map[string]string{"provider": provider}, params(t, x.f, e.Messages[0]))
	assert.Contains(t, e.Messages[0].DefaultMessage, provider)
}

// TestSyncStepPerPoll checks the deterministic progression: each read
// advances a running sync one stage, with non-decreasing completed work,
// and a start while it runs is 500 RESOURCE_BUSY.
func TestSyncStepPerPoll(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			x := newFixture(t, f, simulator.WithSyncStepPerPoll())
			before := time.Now().UTC().Truncate(time.Millisecond)
			requireVoid(t, f, x.start(t, "identity"))
			var last int64 = -1
			var started string
			for i, want := range stageOrder {
				if i < len(stageOrder)-1 {
					requireBusy(t, x, "identity")
				}
				info := x.provider(t, "identity")
				s := info.CurrentSessionInfo
				require.NotNil(t, s, "read %d", i+1)
				require.Equal(t, want, s.Stage, "read %d", i+1)
				assert.GreaterOrEqual(t, *s.CompletedWork, last, "completed_work went down at %s", want)
				last = *s.CompletedWork
				if started == "" {
					started = *s.StartTime
					assert.False(t, requireTime(t, s.StartTime, "start_time").Before(before))
				}
				assert.Equal(t, started, *s.StartTime, "start_time changed")
				if want != "COMPLETED" {
					assert.Equal(t, "NO_SYNC_FOUND", info.Status)
					assert.Nil(t, info.LastSyncTime)
				}
			}
			info := x.provider(t, "identity")
			assert.Equal(t, "SUCCEEDED", info.Status)
			synced := requireTime(t, info.LastSyncTime, "last_sync_time")
			s := info.CurrentSessionInfo
			assert.Equal(t, "COMPLETED", s.Stage)
			assert.Equal(t, *s.TotalWork, *s.CompletedWork)
			assert.Equal(t, synced, requireTime(t, s.CompletionTime, "completion_time"))
			assert.False(t, synced.Before(requireTime(t, s.StartTime, "start_time")))
			assert.Nil(t, info.StatusMessage)

			// The other provider did not move.
			other := x.provider(t, "authorization")
			assert.Equal(t, "NO_SYNC_FOUND", other.Status)
			assert.Nil(t, other.CurrentSessionInfo)

			// A second sync starts over, keeping the last sync time and
			// status until it completes.
			requireVoid(t, f, x.start(t, "identity"))
			info = x.provider(t, "identity")
			assert.Equal(t, "CHANGE_DETECTION", info.CurrentSessionInfo.Stage)
			assert.Equal(t, "SUCCEEDED", info.Status)
			assert.Equal(t, synced, requireTime(t, info.LastSyncTime, "last_sync_time"))
		})
	}
}

// TestSyncFailingProvider checks WithFailingProvider: the session fails
// with an exception and the provider's status becomes FAILED.
func TestSyncFailingProvider(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts []simulator.Option
		// reads before the failure shows
		stages []string
	}{
		{"step per poll", []simulator.Option{simulator.WithSyncStepPerPoll()}, []string{"CHANGE_DETECTION", "CHANGE_ENUMERATION", "FAILED"}},
		{"instant", nil, []string{"FAILED"}},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				x := newFixture(t, f, append(tc.opts, simulator.WithFailingProvider("identity"))...)
				requireVoid(t, f, x.start(t, "identity"))
				var info providerInfo
				var last int64
				for i, want := range tc.stages {
					info = x.provider(t, "identity")
					require.Equal(t, want, info.CurrentSessionInfo.Stage, "read %d", i+1)
					assert.GreaterOrEqual(t, *info.CurrentSessionInfo.CompletedWork, last)
					last = *info.CurrentSessionInfo.CompletedWork
				}
				assert.Equal(t, "FAILED", info.Status)
				assert.Nil(t, info.LastSyncTime, "a failed sync set last_sync_time")
				s := info.CurrentSessionInfo
				require.NotNil(t, s.Exception)
				assert.Less(t, *s.CompletedWork, *s.TotalWork)
				assert.NotEmpty(t, s.Exception.ID)
				assert.Contains(t, s.Exception.DefaultMessage, "identity")
				assert.Equal(t, []string{"identity"}, s.Exception.Args)
				assert.Equal(t, map[string]string{"provider": "identity"}, params(t, f, *s.Exception))
				require.NotNil(t, info.StatusMessage)
				assert.Equal(t, *s.Exception, *info.StatusMessage)
				requireTime(t, s.CompletionTime, "completion_time")

				// The failed sync is over: another may start, and the
				// other provider syncs fine.
				requireVoid(t, f, x.start(t, "identity"))
				requireVoid(t, f, x.start(t, "authorization"))
				for range 4 {
					info = x.provider(t, "authorization")
				}
				assert.Equal(t, "SUCCEEDED", info.Status)
				assert.Equal(t, "COMPLETED", info.CurrentSessionInfo.Stage)
			})
		}
	}
}

// TestSyncReset checks that reset clears every provider's history, also
// during a sync.
func TestSyncReset(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			x := newFixture(t, f, simulator.WithSyncStepPerPoll(), simulator.WithFailingProvider("authorization"))
			requireVoid(t, f, x.start(t, "identity"))
			requireVoid(t, f, x.start(t, "authorization"))
			for range 4 {
				x.provider(t, "identity")
				x.provider(t, "authorization")
			}
			require.Equal(t, "SUCCEEDED", x.provider(t, "identity").Status)
			require.Equal(t, "FAILED", x.provider(t, "authorization").Status)

			requireVoid(t, f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync?action=reset", nil))
			for _, p := range []string{"identity", "authorization"} {
				info := x.provider(t, p)
				assert.Equal(t, providerInfo{Status: "NO_SYNC_FOUND", PollingIntervalInSeconds: info.PollingIntervalInSeconds}, info, p)
			}

			// Reset during a sync ends it: a start is no longer busy.
			requireVoid(t, f, x.start(t, "identity"))
			requireBusy(t, x, "identity")
			requireVoid(t, f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync?action=reset", nil))
			assert.Nil(t, x.provider(t, "identity").CurrentSessionInfo)
			requireVoid(t, f, x.start(t, "identity"))
		})
	}
}

// TestSyncDuration checks WithSyncDuration: the sync runs for the given
// time of the server's clock (moved by Advance, no sleeps) through the
// stages in order with growing completed work, busy until it completes.
func TestSyncDuration(t *testing.T) {
	t.Parallel()
	const d = 10 * time.Minute // under the 30 min idle timeout: each step keeps the session
	steps := []struct {
		advance   time.Duration // before the read
		stage     string
		completed int64
		status    string
	}{
		{0, "CHANGE_DETECTION", 0, "NO_SYNC_FOUND"},
		{d / 6, "CHANGE_DETECTION", 20, "NO_SYNC_FOUND"},    // 1/6 done
		{d / 3, "CHANGE_ENUMERATION", 60, "NO_SYNC_FOUND"},  // 1/2
		{d / 3, "CHANGE_APPLICATION", 100, "NO_SYNC_FOUND"}, // 5/6
		{d/6 - time.Second, "CHANGE_APPLICATION", 119, "NO_SYNC_FOUND"},
		{time.Second, "COMPLETED", 120, "SUCCEEDED"},
		{d, "COMPLETED", 120, "SUCCEEDED"},
	}
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			frozen := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			x := newFixture(t, f, simulator.WithSyncDuration(d), simulator.WithClock(func() time.Time { return frozen }))
			requireVoid(t, f, x.start(t, "identity"))
			var start time.Time
			for i, st := range steps {
				x.sim.Advance(st.advance)
				if st.stage != "COMPLETED" {
					requireBusy(t, x, "identity")
				}
				info := x.provider(t, "identity")
				s := info.CurrentSessionInfo
				require.NotNil(t, s, "step %d", i)
				assert.Equal(t, st.stage, s.Stage, "step %d", i)
				assert.Equal(t, st.completed, *s.CompletedWork, "step %d", i)
				assert.Equal(t, st.status, info.Status, "step %d", i)
				if i == 0 {
					start = requireTime(t, s.StartTime, "start_time")
				}
				if st.stage == "COMPLETED" {
					require.NotNil(t, info.LastSyncTime, "step %d", i)
					assert.Equal(t, start.Add(d), requireTime(t, info.LastSyncTime, "last_sync_time"), "completed at start + duration")
				}
			}
			requireVoid(t, f, x.start(t, "identity"))
		})
	}
}

// TestProvidersOption checks WithProviders.
func TestProvidersOption(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			x := newFixture(t, f, simulator.WithProviders("zeta", "alpha", "mid"))
			resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers", nil)
			assert.JSONEq(t, `[{"provider":"zeta"},{"provider":"alpha"},{"provider":"mid"}]`, string(result(t, f, resp)))
			requireError(t, f, x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers/identity", nil), 404, "NOT_FOUND")
			requireVoid(t, f, x.start(t, "alpha"))
		})
	}
}

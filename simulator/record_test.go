package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// controlGet GETs a control path with the token and returns the response.
func controlGet(t *testing.T, w *wire, path string) response {
	t.Helper()
	return w.do(t, request{method: http.MethodGet, path: "/hvcsim" + path, header: map[string]string{"Authorization": "Bearer " + w.sim.ControlToken()}})
}

// TestRequestLogEntries: the log keeps the newest entries within the entry
// bound, counts what it dropped, and says so in the facts and in the
// header of GET /hvcsim/requests; ResetRequests starts the count again.
func TestRequestLogEntries(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl(), simulator.WithRequestLogLimit(3, 1<<20))
	w := newWire(t, sim)
	for i := range 5 {
		w.do(t, request{method: http.MethodGet, path: "/api/hvc/links/l" + strconv.Itoa(i)})
	}
	var paths []string
	for _, r := range sim.Requests() {
		paths = append(paths, r.Path)
	}
	assert.Equal(t, []string{"/api/hvc/links/l2", "/api/hvc/links/l3", "/api/hvc/links/l4"}, paths)
	st := sim.RequestLogStats()
	assert.Equal(t, simulator.RequestLogStats{Entries: 3, Bytes: st.Bytes, Dropped: 2, MaxEntries: 3, MaxBytes: 1 << 20}, st)
	assert.Positive(t, st.Bytes)

	resp := controlGet(t, w, "/requests")
	require.Equal(t, http.StatusOK, resp.status, "%s", resp)
	assert.Equal(t, "2", resp.header.Get("Hvcsim-Requests-Dropped"))
	var log []struct{ Path string }
	require.NoError(t, json.Unmarshal(resp.body, &log), "%s", resp.body)
	assert.Len(t, log, 3)
	var facts struct {
		RequestLog simulator.RequestLogStats `json:"request_log"`
	}
	require.NoError(t, json.Unmarshal(controlGet(t, w, "/").body, &facts))
	assert.Equal(t, st, facts.RequestLog)

	sim.ResetRequests()
	assert.Equal(t, simulator.RequestLogStats{MaxEntries: 3, MaxBytes: 1 << 20}, sim.RequestLogStats())
	resp = controlGet(t, w, "/requests")
	assert.Equal(t, "0", resp.header.Get("Hvcsim-Requests-Dropped"))
	assert.JSONEq(t, "[]", string(resp.body))
}

// TestRequestLogFlood: a flood of unauthenticated requests with 10 MiB
// bodies keeps the log within its byte bound (the accounting, checked after
// every request, and the live heap, with a generous constant), dropping
// the oldest records; the newest is always kept. A record too large for
// the bound on its own is dropped unrecorded.
func TestRequestLogFlood(t *testing.T) { //nolint:paralleltest // measures the process-wide heap
	const (
		bound   = 2 << 20
		flood   = 1000
		bodyLen = 10 << 20
	)
	sim := simulator.Run(t, simulator.WithPlainHTTP(), simulator.WithRequestLogLimit(simulator.DefaultRequestLogEntries, bound))
	w := newWire(t, sim)
	start := liveHeap()
	for i := range flood {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, sim.URL()+"/api/hvc/links?n="+strconv.Itoa(i), io.LimitReader(zeros{}, bodyLen))
		require.NoError(t, err)
		req.ContentLength = bodyLen
		req.Header.Set("Content-Type", "application/json")
		if resp, err := w.hc.Do(req); err == nil { // the server may close before reading it all
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		st := sim.RequestLogStats()
		require.LessOrEqual(t, st.Bytes, int64(bound), "after request %d", i)
		if i == flood-1 {
			reqs := sim.Requests()
			last := reqs[len(reqs)-1]
			assert.Equal(t, "n="+strconv.Itoa(i), last.RawQuery, "the newest request is kept")
			assert.Len(t, last.Body, 16<<10, "the recorded body is cut at 16 KiB")
			assert.Equal(t, flood, st.Entries+st.Dropped, "every request is kept or counted as dropped")
			t.Logf("%d requests: %d kept in %d B, %d dropped", flood, st.Entries, st.Bytes, st.Dropped)
		}
	}
	w.hc.CloseIdleConnections()
	// A connection closed with its body unread lingers half-closed for
	// net/http's 500 ms; its buffers are not the log's.
	require.Eventually(t, func() bool { return sim.OpenConnections() == 0 }, 10*time.Second, 10*time.Millisecond)
	grown := liveHeap() - start
	t.Logf("live heap after the flood: %+d B (bound %d B)", grown, bound)
	assert.Less(t, grown, int64(bound+4<<20), "the log holds more than its bound")

	tiny := simulator.Run(t, simulator.WithRequestLogLimit(10, 300))
	tw := newWire(t, tiny)
	tw.do(t, request{method: http.MethodGet, path: "/api/" + strings.Repeat("x", 100)})
	assert.Equal(t, simulator.RequestLogStats{Dropped: 1, MaxEntries: 10, MaxBytes: 300}, tiny.RequestLogStats())
}

// TestRequestLogMemory fills the log to its default byte bound with 16 KiB
// bodies, then reads GET /hvcsim/requests?bodies=raw a chunk at a time: the
// heap in use while it streams stays within a few MiB of where it was (the
// answer is encoded record by record, never whole), where building the
// answer in memory took twice the log. It logs the live heap per record,
// with and without a body.
func TestRequestLogMemory(t *testing.T) { //nolint:paralleltest // measures the process-wide heap
	sim := simulator.Run(t, simulator.WithControl(), simulator.WithPlainHTTP())
	w := newWire(t, sim)
	controlGet(t, w, "/requests") // warm up the control path
	sim.ResetRequests()

	const bare = 10_000
	start := liveHeap()
	for range bare {
		w.do(t, request{method: http.MethodGet, path: "/api/hvc/links"})
	}
	full := liveHeap()
	require.Equal(t, bare, sim.RequestLogStats().Entries)
	t.Logf("live heap per record without a body: %d B (accounted %d B)", (full-start)/bare, sim.RequestLogStats().Bytes/bare)
	sim.ResetRequests()

	body := bytes.Repeat([]byte("x"), 16<<10)
	start = liveHeap()
	n := 0
	for sim.RequestLogStats().Dropped == 0 {
		w.do(t, request{method: http.MethodPost, path: "/api/hvc/links", body: body})
		n++
	}
	st := sim.RequestLogStats()
	full = liveHeap()
	t.Logf("%d records of 16 KiB: %d kept, %d B accounted; live heap %d B, %d B per record", n, st.Entries, st.Bytes, full-start, (full-start)/int64(st.Entries))
	assert.LessOrEqual(t, st.Bytes, int64(simulator.DefaultRequestLogBytes))
	assert.Less(t, full-start, int64(simulator.DefaultRequestLogBytes+4<<20), "the log holds more than its bound")

	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, sim.URL()+"/hvcsim/requests?bodies=raw", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+sim.ControlToken())
	resp, err := w.hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// HeapAlloc counts garbage not yet collected too: collect early, so
	// that the peak is what the answer keeps alive.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	var m runtime.MemStats
	peak, read := int64(0), 0
	buf := make([]byte, 256<<10)
	for {
		k, err := resp.Body.Read(buf)
		read += k
		runtime.ReadMemStats(&m)
		peak = max(peak, int64(m.HeapAlloc))
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	t.Logf("GET /hvcsim/requests?bodies=raw: %d B read, heap peak %+d B over the full log", read, peak-full)
	assert.Greater(t, read, int(st.Bytes)/2, "the answer carries the bodies")
	assert.Less(t, peak-full, int64(16<<20), "the answer was built in memory")
}

package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

// procStatus reads a "VmXXX: n kB" field of /proc/pid/status, in bytes.
func procStatus(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err, "%s: %q", field, v)
			return kb << 10
		}
	}
	require.NoError(t, sc.Err())
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// buildHvcsim builds the hvcsim command without the race detector (whose
// shadow memory would be most of what a memory test measures) and returns
// the binary's path; it skips the test when there is no go command.
func buildHvcsim(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build hvcsim with")
	}
	bin := filepath.Join(t.TempDir(), "hvcsim")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// logStats reads the request log's numbers from the facts.
func logStats(t *testing.T, hc *http.Client, facts simfacts.Facts) simulator.RequestLogStats {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, facts.ControlURL, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+facts.ControlToken)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var f struct {
		RequestLog *simulator.RequestLogStats `json:"request_log"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&f))
	require.NotNil(t, f.RequestLog)
	return *f.RequestLog
}

// flood POSTs n requests to url from workers goroutines, each with the
// body body returns, reading whatever answer comes: the server may close
// before it has read the body, which is the point.
func flood(t *testing.T, hc *http.Client, url string, n, workers int, body func() (io.Reader, int64)) {
	t.Helper()
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, size := body()
				req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"?n="+strconv.Itoa(i), r)
				if err != nil {
					t.Error(err)
					continue
				}
				req.ContentLength = size
				req.Header.Set("Content-Type", "application/json")
				if resp, err := hc.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// TestProcessFloodRSS: the hvcsim process, over TLS, flooded by clients
// without a session, first with 10 MiB bodies (each read only as far as
// the log keeps, then the connection closed), then with 16 KiB bodies (the
// recorded maximum, read whole, on 404s: the flood that took the process
// to 2.6 GB before the log had a byte bound), until the log has dropped
// thousands of records. Its peak resident set (VmHWM) stays within the
// log's byte bound plus a constant of where it was once serving. With the
// garbage collector's default target alone (GOMEMLIMIT=1TiB, hvcsim's own
// soft limit overridden, HVCSIM_TEST_GOMEMLIMIT=1TiB) it grew by 136 and
// 141 MiB over a 64 MiB log in two runs, failing.
func TestProcessFloodRSS(t *testing.T) {
	t.Parallel()
	const (
		logBytes = 64 << 20
		// slack is what the process may grow by besides the log: the
		// 32 MiB simfacts.MemoryAllowance of its soft memory limit and the
		// resident pages the Go runtime does not count (its binary, C
		// and thread stacks).
		slack   = 40 << 20
		workers = 8
		big     = 10 << 20
		bigN    = 400
		smallN  = 8_000
	)
	cmd := exec.Command(buildHvcsim(t), "-json", "-request-log-bytes", strconv.Itoa(logBytes))
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOMEMLIMIT=") })
	if limit := os.Getenv("HVCSIM_TEST_GOMEMLIMIT"); limit != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+limit) // to measure without hvcsim's own limit
	}
	p := startCmd(t, cmd)
	line, err := p.stdout.ReadString('\n')
	require.NoError(t, err)
	var facts simfacts.Facts
	require.NoError(t, json.Unmarshal([]byte(line), &facts), "%s", line)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM([]byte(facts.CertPEM)))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute}
	pid := p.cmd.Process.Pid
	require.Equal(t, int64(logBytes), logStats(t, hc, facts).MaxBytes)
	start := procStatus(t, pid, "VmRSS")

	flood(t, hc, facts.URL+"/api/hvc/links", bigN, workers, func() (io.Reader, int64) { return io.LimitReader(zeros{}, big), big })
	afterBig, peakBig := logStats(t, hc, facts), procStatus(t, pid, "VmHWM")
	small := strings.Repeat("x", 16<<10)
	flood(t, hc, facts.URL+"/api/hvc/nothing-here", smallN, workers, func() (io.Reader, int64) { return strings.NewReader(small), int64(len(small)) })
	st := logStats(t, hc, facts)
	peak, rss := procStatus(t, pid, "VmHWM"), procStatus(t, pid, "VmRSS")
	mib := func(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }
	t.Logf("RSS once serving %s; after %d × 10 MiB: peak %s (log: %d kept, %d dropped, %s); after %d × 16 KiB more: peak %s, now %s (log: %d kept, %d dropped, %s); growth allowed: log bound %s + %s",
		mib(start), bigN, mib(peakBig), afterBig.Entries, afterBig.Dropped, mib(afterBig.Bytes),
		smallN, mib(peak), mib(rss), st.Entries, st.Dropped, mib(st.Bytes), mib(logBytes), mib(slack))
	assert.Equal(t, bigN+smallN, st.Entries+st.Dropped, "every flood request is kept or counted as dropped")
	assert.Greater(t, st.Dropped, smallN/4, "the flood went well past the log's bound")
	assert.LessOrEqual(t, st.Bytes, int64(logBytes))
	assert.Less(t, peak-start, int64(logBytes+slack), "the process grew by %s, past the log's bound plus %s", mib(peak-start), mib(slack))
}

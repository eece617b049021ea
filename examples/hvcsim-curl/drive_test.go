// Package hvcsimcurl runs drive.py, a curl-driven end-to-end test of
// cmd/hvcsim as a suite written in another language would write it.
package hvcsimcurl

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestDriveWithCurl builds hvcsim and runs drive.py against it. It skips,
// saying why, when python3 or curl is missing.
func TestDriveWithCurl(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"python3", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping the curl-driven hvcsim example: %s is not installed", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "hvcsim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/hvcsdk/hvc/cmd/hvcsim")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build hvcsim: %v\n%s", err, out)
	}
	start := time.Now()
	env, reached := proxyEnv(t)
	cmd := exec.CommandContext(ctx, "python3", "drive.py", bin)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if n := reached(); n != 0 {
		t.Errorf("drive.py sent %d connections to the proxy in its environment instead of to hvcsim", n)
	}
	t.Logf("drive.py (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("drive.py: %v", err)
	}
	if !strings.HasPrefix(string(out), "PASS") {
		t.Fatalf("drive.py did not report PASS")
	}
}

// proxyEnv returns the environment with every proxy variable pointing at a
// listener of the test's, as on a CI runner or a machine behind a corporate
// proxy, and a function that reports how many connections reached it. A
// script talking to the loopback hvcsim must go to it directly.
func proxyEnv(t *testing.T) (env []string, reached func() int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	proxy := "http://" + ln.Addr().String()
	env = os.Environ()
	for _, k := range []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"} {
		env = append(env, k+"="+proxy)
	}
	return append(env, "no_proxy=", "NO_PROXY="), n.Load
}

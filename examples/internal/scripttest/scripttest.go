// Package scripttest runs the examples' scripts, written in other languages,
// against a freshly built hvcsim, as a suite in that language would run.
package scripttest

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

// Run builds cmd/hvcsim, runs the script with python3 in the test's
// directory, passing the binary's path as its only argument, and fails t
// unless the script exits 0 and its output starts with PASS. Every proxy
// variable points at a listener of the test's, as on a CI runner or behind
// a corporate proxy, and a connection to it fails t: a script must talk to
// the loopback hvcsim directly. It skips, naming the tool, when python3 or
// one of the other tools is missing; what names the example in that line.
func Run(t *testing.T, what, script string, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"python3"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping %s: %s is not installed", what, tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "hvcsim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/hvcsdk/hvc/cmd/hvcsim") //nolint:gosec // G204: bin is a path in the test's own temporary directory
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build hvcsim: %v\n%s", err, out)
	}
	start := time.Now()
	env, reached := proxyEnv(t)
	cmd := exec.CommandContext(ctx, "python3", script, bin) //nolint:gosec // G204: script is one of the example's own files, named by its test
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if n := reached(); n != 0 {
		t.Errorf("%s sent %d connections to the proxy in its environment instead of to hvcsim", script, n)
	}
	t.Logf("%s (%v):\n%s", script, time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	if !strings.HasPrefix(string(out), "PASS") {
		t.Fatalf("%s did not report PASS", script)
	}
}

// proxyEnv returns the environment with every proxy variable pointing at a
// listener of the test's, and a function that reports how many connections
// reached it.
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

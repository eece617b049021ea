// Package jsonrpcexample runs call.py, which calls cmd/hvcsim over vAPI
// JSON-RPC with Python's standard library, as VMware's SDKs would.
package jsonrpcexample

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCallWithPython builds hvcsim and runs call.py against it. It skips,
// saying why, when python3 is missing.
func TestCallWithPython(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("skipping the JSON-RPC example: python3 is not installed")
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
	out, err := exec.CommandContext(ctx, "python3", "call.py", bin).CombinedOutput()
	t.Logf("call.py:\n%s", out)
	if err != nil {
		t.Fatalf("call.py: %v", err)
	}
	if !strings.HasPrefix(string(out), "PASS") {
		t.Fatal("call.py did not report PASS")
	}
}

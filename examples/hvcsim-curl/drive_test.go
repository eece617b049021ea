// Package hvcsimcurl runs drive.py, a curl-driven end-to-end test of
// cmd/hvcsim as a suite written in another language would write it.
package hvcsimcurl

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
	out, err := exec.CommandContext(ctx, "python3", "drive.py", bin).CombinedOutput()
	t.Logf("drive.py (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("drive.py: %v", err)
	}
	if !strings.HasPrefix(string(out), "PASS") {
		t.Fatalf("drive.py did not report PASS")
	}
}

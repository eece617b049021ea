// Package hvcsimpython runs suite.py, a test suite written in Python with
// the standard library only, against cmd/hvcsim.
package hvcsimpython

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSuiteWithPython builds hvcsim and runs suite.py against it. It skips,
// saying why, when python3 is missing.
func TestSuiteWithPython(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("skipping the Python hvcsim example: python3 is not installed")
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
	out, err := exec.CommandContext(ctx, "python3", "suite.py", bin).CombinedOutput()
	t.Logf("suite.py:\n%s", out)
	if err != nil {
		t.Fatalf("suite.py: %v", err)
	}
	if !strings.HasPrefix(string(out), "PASS") {
		t.Fatal("suite.py did not report PASS")
	}
}

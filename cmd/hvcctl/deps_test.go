package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLibraryDoesNotImportCLIDeps checks with go list that the SDK, the
// simulator and the internal packages import none of the CLI-only
// libraries.
func TestLibraryDoesNotImportCLIDeps(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not found")
	}
	cmd := exec.Command(gobin, "list", "-deps", "./", "./simulator", "./internal/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list listed only %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/vbauerster/mpb", "golang.org/x/term", "go.yaml.in/yaml"} {
			if d == banned || strings.HasPrefix(d, banned+"/") {
				t.Errorf("library packages import the CLI dependency %s", d)
			}
		}
	}
}

package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestSDKDoesNotImportProviderDeps checks with go list, in the SDK's own
// module, that the SDK, the simulator and the internal packages import
// nothing of Terraform's: the provider's libraries stay in this module.
func TestSDKDoesNotImportProviderDeps(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go toolchain not found")
	}
	cmd := exec.Command(gobin, "list", "-deps", "./", "./simulator", "./internal/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list listed only %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/hashicorp/", "github.com/hvcsdk/hvc/terraform-provider-hvc",
			"google.golang.org/grpc", "google.golang.org/protobuf", "github.com/zclconf/go-cty"} {
			if strings.HasPrefix(d, banned) {
				t.Errorf("SDK packages import the provider dependency %s", d)
			}
		}
	}
}
